"""The app WebSocket: the I/O adapter between one browser tab and its sans-I/O `AppSession`.

Per connection:
1. The Origin must be our own (scheme, host and port of the request) or in
   `server.allowedOrigins`; otherwise the handshake is refused with HTTP 403 before any frame.
2. The first frame must be a `Hello` (within `HELLO_TIMEOUT`); the runtime answers `Welcome`
   (new or resumed session) or `Refused`, which we send and then close.
3. Every later frame is size-checked, then decoded and validated against the schema
   (`decode_client`). A violation gets a `Refused{code:"invalid"}` naming the field and close code
   1002 (protocol error); an oversized frame gets 1009. Nothing of a bad frame reaches the app.
4. Outbound frames come from the session (any thread) through `SocketClient.send`; a writer task
   sends them in order, one WebSocket text frame per batch. `request_flush` schedules the
   session's `flush()` a few milliseconds later on the loop, so a run's output is batched.
5. When the socket goes, the session is detached (its script is stopped) and waits for a resume.

Close codes: 1000 normal, 1002 invalid message, 1008 refused handshake (protocol version,
overload, bad token), 1009 frame too large, 4003 forbidden origin (before accept: HTTP 403).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from bastion.protocol.app import Hello, ProtocolError, Refused, decode_client, encode

if TYPE_CHECKING:
    from bastion.app.runtime import Runtime
    from bastion.app.session import AppSession

log = logging.getLogger("bastion.server")

HELLO_TIMEOUT = 10.0
CLOSE_INVALID = 1002
CLOSE_REFUSED = 1008
CLOSE_TOO_BIG = 1009
CLOSE_FORBIDDEN = 4003


def origin_allowed(origin: str | None, host: str | None, scheme: str, extra: Iterable[str]) -> bool:
    """Same-origin (the Origin's host:port is the Host header), or explicitly allowed.

    A missing Origin means a non-browser client (browsers always send one on WebSocket
    handshakes); it cannot carry a user's cookies across sites, so it is let through.
    """
    if origin is None:
        return True
    origin = origin.strip().lower().rstrip("/")
    if origin in {o.strip().lower().rstrip("/") for o in extra}:
        return True
    if origin == "null" or not host:
        return False
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https"):
        return False
    expected = "https" if scheme in ("https", "wss") else "http"
    default_port = 443 if parts.scheme == "https" else 80
    origin_host = parts.hostname or ""
    origin_port = parts.port or default_port
    request = urlsplit(f"//{host.lower()}")
    request_port = request.port or (443 if expected == "https" else 80)
    return (
        parts.scheme == expected
        and origin_host == (request.hostname or "")
        and origin_port == request_port
    )


class SocketClient:
    """The session's transport (`bastion.app.session.SessionClient`), bound to one socket.

    `send` and `request_flush` are called from script threads as well as the loop; both only
    schedule work on the loop and never block.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, flush_delay: float) -> None:
        self.loop = loop
        self.flush_delay = flush_delay
        self.queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        self.session: AppSession | None = None
        self.closed = False

    def send(self, frame: bytes) -> None:
        if self.closed:
            return
        self._call(self.queue.put_nowait, frame)

    def request_flush(self) -> None:
        if self.closed:
            return
        self._call(self._schedule_flush)

    def close(self) -> None:
        self.closed = True
        self._call(self.queue.put_nowait, None)

    def _schedule_flush(self) -> None:
        self.loop.call_later(self.flush_delay, self._flush)

    def _flush(self) -> None:
        if self.session is not None and not self.closed:
            self.session.flush()

    def _call(self, fn: object, *args: object) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            fn(*args)  # type: ignore[operator]
        else:
            with contextlib.suppress(RuntimeError):  # loop closed: the connection is gone
                self.loop.call_soon_threadsafe(fn, *args)  # type: ignore[arg-type]


async def _writer(websocket: WebSocket, client: SocketClient) -> None:
    while True:
        frame = await client.queue.get()
        if frame is None:
            return
        await websocket.send({"type": "websocket.send", "text": frame.decode()})


async def _refuse(websocket: WebSocket, code: str, message: str, close_code: int) -> None:
    refused = Refused(code=code, message=message)  # type: ignore[arg-type]
    with contextlib.suppress(Exception):
        await websocket.send_text(encode(refused).decode())
        await websocket.close(close_code, reason=message[:120])


async def _receive_frame(websocket: WebSocket, limit: int) -> bytes | str | None:
    """The next data frame; None when the peer went away. Raises ValueError when too large."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        return None
    data: bytes | str | None = message.get("text")
    if data is None:
        data = message.get("bytes") or b""
    if len(data) > limit:
        raise ValueError(f"frame of {len(data)} bytes exceeds the {limit}-byte limit")
    return data


def stream_endpoint(
    runtime: Runtime, *, allowed_origins: Iterable[str] = (), flush_delay: float = 0.003
) -> object:
    """The WebSocket endpoint for `runtime`'s app."""
    extra = tuple(allowed_origins)
    limit = runtime.config.server.max_message_size * 1024 * 1024

    async def endpoint(websocket: WebSocket) -> None:
        headers = websocket.headers
        if not origin_allowed(
            headers.get("origin"), headers.get("host"), websocket.url.scheme, extra
        ):
            log.warning("refused WebSocket from origin %r", headers.get("origin"))
            await websocket.close(CLOSE_FORBIDDEN)
            return
        await websocket.accept()
        client = SocketClient(asyncio.get_running_loop(), flush_delay)
        session: AppSession | None = None
        writer: asyncio.Task[None] | None = None
        try:
            try:
                first = await asyncio.wait_for(_receive_frame(websocket, limit), HELLO_TIMEOUT)
            except TimeoutError:
                await _refuse(websocket, "invalid", "no hello within 10 s", CLOSE_REFUSED)
                return
            if first is None:
                return
            hello = decode_client(first)
            if not isinstance(hello, Hello):
                kind = type(hello).__name__.lower()
                raise ProtocolError(f"invalid message: the first frame must be hello, not {kind}")
            session, reply = runtime.connect(hello, client)
            await websocket.send_text(reply.decode())
            if session is None:
                await websocket.close(CLOSE_REFUSED)
                return
            client.session = session
            writer = asyncio.create_task(_writer(websocket, client))
            while True:
                frame = await _receive_frame(websocket, limit)
                if frame is None:
                    return
                session.handle(decode_client(frame))
        except ProtocolError as exc:
            await _refuse(websocket, "invalid", str(exc), CLOSE_INVALID)
        except ValueError as exc:
            await _refuse(websocket, "invalid", str(exc), CLOSE_TOO_BIG)
        except WebSocketDisconnect:
            pass
        finally:
            client.close()
            if session is not None:
                runtime.disconnect(session)
            if writer is not None:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(writer, 1.0)
                writer.cancel()
            if websocket.client_state == WebSocketState.CONNECTED:
                with contextlib.suppress(Exception):
                    await websocket.close(1000)

    return endpoint
