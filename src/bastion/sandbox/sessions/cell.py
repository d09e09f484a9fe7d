"""One cell's output, limits and outcome, turned into a `CellResult` (sans-I/O).

The kernel feeds it bytes and events; it keeps at most the cap of each stream (truncating, never
dropping what was already read), collects rich outputs up to their own cap, and decides the
Piston-style status when the cell ends.
"""

from __future__ import annotations

import asyncio
import base64
import codecs
import enum
import inspect
import signal
from dataclasses import dataclass, field

from bastion.protocol.exec import CellResult, OutputCallback, RichOutput, StageResult, Status

MAX_RICH_BYTES = 16 * 1024 * 1024  # per cell, all rich outputs together
MAX_RICH_COUNT = 64


class Stop(enum.Enum):
    """Why the host stopped a cell (None when it ended by itself)."""

    INTERRUPTED = "interrupted"
    WALL_TIME = "wall_time"
    CPU_TIME = "cpu_time"
    STDOUT = "stdout"
    STDERR = "stderr"


@dataclass
class _Stream:
    cap: int
    data: bytearray = field(default_factory=bytearray)
    truncated: bool = False
    decoder: codecs.IncrementalDecoder = field(
        default_factory=lambda: codecs.getincrementaldecoder("utf-8")(errors="replace")
    )

    def take(self, chunk: bytes) -> tuple[str, bool]:
        room = self.cap - len(self.data)
        crossed = len(chunk) > room
        if crossed:
            chunk = chunk[: max(room, 0)]
            self.truncated = True
        self.data += chunk
        return self.decoder.decode(chunk), crossed


class Cell:
    def __init__(self, seq: int, *, output_cap: int, on_output: OutputCallback | None) -> None:
        self.seq = seq
        self.streams = {"stdout": _Stream(output_cap), "stderr": _Stream(output_cap)}
        self.output: list[str] = []
        self.outputs: list[RichOutput] = []
        self.rich_bytes = 0
        self.stop: Stop | None = None
        self.notes: list[str] = []
        self._on_output = on_output
        self._pending: set[asyncio.Future[object]] = set()  # async callbacks still running

    def take(self, stream: str, chunk: bytes) -> bool:
        """Record output; True when this chunk crossed the stream's cap."""
        s = self.streams[stream]
        if s.truncated:
            return False
        text, crossed = s.take(chunk)
        if text:
            self.output.append(text)
            if self._on_output is not None:
                self._emit(self._on_output, stream, text)
        return crossed

    def _emit(self, callback: OutputCallback, stream: str, text: str) -> None:
        try:
            ret = callback(stream, text)  # type: ignore[arg-type]
        except Exception as exc:
            # A consumer that fails (a client gone) must not break the kernel: stop telling it.
            self._on_output = None
            self.note(f"streaming output stopped: the output callback raised {exc!r}")
            return
        if inspect.isawaitable(ret):
            task = asyncio.ensure_future(ret)
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

    def stopped(self, why: Stop) -> None:
        if self.stop is None:
            self.stop = why

    def display(self, frame: dict[str, object]) -> None:
        mime, data, name = frame.get("mime"), frame.get("data"), frame.get("name")
        if not isinstance(mime, str) or not isinstance(data, str) or len(mime) > 100:
            return
        if name is not None and (not isinstance(name, str) or len(name) > 255):
            name = None
        try:
            raw = base64.b64decode(data, validate=True)
        except ValueError:
            return
        if len(self.outputs) >= MAX_RICH_COUNT or self.rich_bytes + len(raw) > MAX_RICH_BYTES:
            self.note(f"a rich output ({mime}) was dropped: over the per-cell rich output limit")
            return
        self.rich_bytes += len(raw)
        self.outputs.append(RichOutput(mime=mime, data=raw, name=name))

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def result(
        self,
        *,
        code: int | None,
        sig: int | None,
        cpu_time_ms: int,
        wall_time_ms: int,
        memory_bytes: int,
        oom_killed: bool,
    ) -> CellResult:
        for s in self.streams.values():
            tail = s.decoder.decode(b"", final=True)
            if tail:
                self.output.append(tail)
        status: Status | None = None
        if self.stop in (Stop.WALL_TIME, Stop.CPU_TIME):
            status = Status.TIMEOUT
        elif self.stop is Stop.STDOUT:
            status = Status.STDOUT_LIMIT
        elif self.stop is Stop.STDERR:
            status = Status.STDERR_LIMIT
        elif sig is not None:
            status = Status.SIGNALED
        elif code:
            status = Status.RUNTIME_ERROR
        out, err = self.streams["stdout"], self.streams["stderr"]
        stage = StageResult(
            stdout=out.data.decode(errors="replace"),
            stderr=err.data.decode(errors="replace"),
            output="".join(self.output),
            code=code,
            signal=signal.Signals(sig).name if sig is not None else None,
            status=status,
            message="; ".join(self.notes) or None,
            cpu_time_ms=cpu_time_ms,
            wall_time_ms=wall_time_ms,
            memory_bytes=memory_bytes,
            oom_killed=oom_killed,
            stdout_truncated=out.truncated,
            stderr_truncated=err.truncated,
        )
        return CellResult(stage=stage, outputs=tuple(self.outputs))
