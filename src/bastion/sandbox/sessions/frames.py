"""The kernels' control channel: length-prefixed JSON frames (sans-I/O).

A frame is a 4-byte big-endian length and that many bytes of UTF-8 JSON holding one object. It
travels on pipes of its own, never on the program's stdout/stderr, so nothing a program prints can
end a cell or forge a result. Everything a kernel sends is untrusted input: a frame that is too
large, not JSON, not an object, or of an unknown shape is a protocol error, and the host then
treats that kernel as broken (it is killed and restarted), never as a source of commands.
"""

from __future__ import annotations

import json
import struct
from typing import Any

_HEADER = struct.Struct(">I")
MAX_FRAME_BYTES = 32 * 1024 * 1024  # rich outputs are base64 inside frames


class ProtocolError(Exception):
    """A kernel broke the frame protocol."""


def encode(obj: dict[str, Any]) -> bytes:
    body = json.dumps(obj, separators=(",", ":")).encode()
    return _HEADER.pack(len(body)) + body


class FrameDecoder:
    """Feed bytes as they arrive; get back every complete frame."""

    def __init__(self, max_frame_bytes: int = MAX_FRAME_BYTES) -> None:
        self._buf = bytearray()
        self._max = max_frame_bytes

    def feed(self, data: bytes) -> list[dict[str, Any]]:
        self._buf += data
        frames: list[dict[str, Any]] = []
        while len(self._buf) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(self._buf)
            if size > self._max:
                raise ProtocolError(f"frame of {size} bytes is over the {self._max} byte limit")
            end = _HEADER.size + size
            if len(self._buf) < end:
                break
            body = bytes(self._buf[_HEADER.size : end])
            del self._buf[:end]
            try:
                obj = json.loads(body)
            except ValueError as exc:
                raise ProtocolError(f"frame is not JSON: {exc}") from None
            if not isinstance(obj, dict) or not isinstance(obj.get("op"), str):
                raise ProtocolError("frame is not an object with an 'op'")
            frames.append(obj)
        return frames
