"""The app WebSocket: the I/O adapter between one browser tab and its sans-I/O `AppSession`.

Per connection:
1. The Host must be allowed (`guard.HostAllowList`, DNS rebinding) and the Origin our own
   (scheme, host and port of the request) or in `server.allowedOrigins`; otherwise the handshake
   is refused with HTTP 403 before any frame.
2. A client address holds at most `server.maxSessionsPerClient` connections
   (`Refused{code:"overloaded"}`).
3. The first frame must be a `Hello` (within `HELLO_TIMEOUT`) whose `csrf_token` equals this
   browser's CSRF cookie (`guard.Csrf`, double submit; `Refused{code:"forbidden"}` otherwise); the
   runtime answers `Welcome` (new or resumed session) or `Refused`, which we send and then close.
   A resume token only resumes for the browser it was issued to (the cookie is the peer).
3. Every later frame is size-checked, then decoded and validated against the schema
   (`decode_client`). A violation gets a `Refused{code:"invalid"}` naming the field and close code
   1002 (protocol error); an oversized frame gets 1009. Nothing of a bad frame reaches the app.
4. Outbound frames come from the session (any thread) through `SocketClient.send`; a writer task
   sends them in order, one WebSocket text frame per batch. `request_flush` schedules the
   session's `flush()` a few milliseconds later on the loop, so a run's output is batched.
5. Reruns and submits spend a token of the session's bucket (`server.maxRerunsPerSecond`,
   `server.rerunBurst`). Without one they are held and merged (the newest widget values win), and
   sent on as tokens come; a client that keeps flooding past `MAX_HELD` held submits is refused
   (`Refused{code:"overloaded"}`, close 1008). Nothing waits in an unbounded queue.
6. A connection that sends nothing for `server.idleSessionTimeout` seconds is closed by the
   server's timer with `Refused{code:"expired"}` and close code 4000, which the page shows.
7. When the socket goes, the session is detached (its script is stopped) and waits for a resume.

Close codes: 1000 normal, 1002 invalid message, 1008 refused (protocol version, overload, bad
CSRF token), 1009 frame too large, 4000 idle timeout, 4003 forbidden origin or host (before
accept: HTTP 403).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from starlette.types import Receive, Scope, Send

from bastion.app.client_context import Handshake
from bastion.protocol.app import (
    ClientMsg,
    Hello,
    ProtocolError,
    Refused,
    Rerun,
    Stop,
    decode_client,
    encode,
)
from bastion.server.guard import (
    ClientCounter,
    Csrf,
    HostAllowList,
    TokenBucket,
    client_address,
    only_host,
)

if TYPE_CHECKING:
    from bastion.app import AppSession, Runtime
    from bastion.server.auth.cookie import Identity

log = logging.getLogger("bastion.server")

HELLO_TIMEOUT = 10.0
CLOSE_INVALID = 1002
CLOSE_REFUSED = 1008
CLOSE_TOO_BIG = 1009
CLOSE_IDLE = 4000
CLOSE_FORBIDDEN = 4003
MAX_HELD = 16  # rate-limited messages a session may have waiting (reruns merge into one)


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
    schedule work on the loop and never block. Frames wait in a deque and a short-lived drain task
    writes them in order; an idle connection holds no task and no queue (memory per idle session
    is a benchmark target).
    """

    __slots__ = (
        "_drain",
        "_frames",
        "_started",
        "asgi_send",
        "closed",
        "flush_delay",
        "loop",
        "session",
    )

    def __init__(self, loop: asyncio.AbstractEventLoop, send: Send, flush_delay: float) -> None:
        self.loop = loop
        self.asgi_send = send
        self.flush_delay = flush_delay
        self.session: AppSession | None = None
        self.closed = False
        self._frames: deque[bytes] | None = None  # made on demand: idle sockets hold none
        self._drain: asyncio.Task[None] | None = None
        self._started = False

    def start(self) -> None:
        """The Welcome is out: frames may follow (a resumed session may have queued some)."""
        self._started = True
        if self._frames is not None and self._drain is None:
            self._drain = self.loop.create_task(self._write_all())

    def send(self, frame: bytes) -> None:
        if not self.closed:
            self._call(self._enqueue, frame)

    def request_flush(self) -> None:
        if not self.closed:
            self._call(self._schedule_flush)

    async def aclose(self, timeout: float = 1.0) -> None:
        """Stop taking frames; give the ones already queued `timeout` seconds to leave."""
        self.closed = True
        if self._drain is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(self._drain), timeout)
            self._drain.cancel()
        self._frames = None

    def _enqueue(self, frame: bytes) -> None:
        if self._frames is None:
            self._frames = deque()
        self._frames.append(frame)
        if self._started and self._drain is None:
            self._drain = self.loop.create_task(self._write_all())

    async def _write_all(self) -> None:
        try:
            while self._frames:
                frame = self._frames.popleft()
                if not self._frames:
                    self._frames = None
                await self.asgi_send({"type": "websocket.send", "text": frame.decode()})
        except Exception:  # the peer is gone; the receive loop sees the disconnect
            self._frames = None
        finally:
            self._drain = None

    def _schedule_flush(self) -> None:
        self.loop.call_later(self.flush_delay, self._flush)

    def _flush(self) -> None:
        if self.session is not None and not self.closed:
            self.session.flush()

    def _call(self, fn: Callable[..., None], *args: object) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self.loop:
            fn(*args)
        else:
            with contextlib.suppress(RuntimeError):  # loop closed: the connection is gone
                self.loop.call_soon_threadsafe(fn, *args)


class _Socket:
    """The few WebSocket operations the endpoint needs, over raw ASGI messages.

    Raw rather than Starlette's `WebSocket`: one object less per connection and no exception
    middleware per message, on the path every rerun takes.
    """

    __slots__ = ("accepted", "closed", "last_seen", "receive", "scope", "send")

    def __init__(self, receive: Receive, send: Send, scope: Scope | None = None) -> None:
        self.scope: Scope = scope or {"headers": []}  # the handshake, for st.context
        self.receive = receive
        self.send = send
        self.accepted = False
        self.closed = False
        self.last_seen = time.monotonic()

    async def send_text(self, text: str) -> None:
        await self.send({"type": "websocket.send", "text": text})

    async def close(self, code: int, reason: str = "") -> None:
        if not self.closed:
            self.closed = True
            with contextlib.suppress(Exception):
                await self.send({"type": "websocket.close", "code": code, "reason": reason})

    async def receive_frame(self, limit: int) -> bytes | str | None:
        """The next data frame; None when the peer went away. ValueError when too large."""
        message = await self.receive()
        self.last_seen = time.monotonic()
        if message["type"] == "websocket.disconnect":
            self.closed = True
            return None
        data: bytes | str | None = message.get("text")
        if data is None:
            data = message.get("bytes") or b""
        if len(data) > limit:
            raise ValueError(f"frame of {len(data)} bytes exceeds the {limit}-byte limit")
        return data

    async def refuse(self, code: str, message: str, close_code: int) -> None:
        refused = Refused(code=code, message=message)  # type: ignore[arg-type]
        with contextlib.suppress(Exception):
            await self.send_text(encode(refused).decode())
        await self.close(close_code, reason=message[:120])


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


class _Limiter:
    """One session's rerun budget: messages without a token are held, reruns merged."""

    __slots__ = ("bucket", "held", "timer")

    def __init__(self, rate: float, burst: int) -> None:
        self.bucket = TokenBucket(rate, burst)
        self.held: list[ClientMsg] = []
        self.timer: asyncio.TimerHandle | None = None

    def admit(self, msg: ClientMsg) -> bool:
        """True: handle `msg` now. False: it was held (merged); check `overflowing`."""
        if not self.held and (self.bucket.rate <= 0 or self.bucket.take()):
            return True  # a rate of 0 turns the limit off (server.maxRerunsPerSecond = 0)
        last = self.held[-1] if self.held else None
        if isinstance(msg, Rerun) and isinstance(last, Rerun):
            self.held[-1] = Rerun(
                widgets={**last.widgets, **msg.widgets},
                query_string=msg.query_string
                if msg.query_string is not None
                else last.query_string,
                # Two reruns of one fragment stay a fragment rerun; anything else is a full
                # rerun, which covers every fragment (a held full rerun must not be lost).
                fragment_id=msg.fragment_id if msg.fragment_id == last.fragment_id else None,
            )
        else:
            self.held.append(msg)
        return False

    @property
    def overflowing(self) -> bool:
        return len(self.held) > MAX_HELD

    def release(self) -> list[ClientMsg]:
        out = []
        while self.held and self.bucket.take():
            out.append(self.held.pop(0))
        return out


def _handshake(scope: Scope) -> Handshake:
    """The connection as `st.context` shows it (the app core filters our own cookies out)."""
    peer = scope.get("client")
    return Handshake(
        headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]],
        peer=peer[0] if peer else None,
        scheme=scope.get("scheme", "ws"),
        host=_header(scope, b"host"),
    )


class StreamEndpoint:
    """The raw ASGI WebSocket endpoint for one runtime's app (mount with `WebSocketRoute`)."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        allowed_origins: Iterable[str] = (),
        flush_delay: float = 0.003,
        hosts: HostAllowList | None = None,
        csrf: Csrf | None = None,
        identify: Callable[[Scope], Identity | None] | None = None,
    ) -> None:
        self.runtime = runtime
        self.identify = identify  # login: the user of the handshake's identity cookie
        self.extra = tuple(allowed_origins)
        server = runtime.config.server
        self.limit = server.max_message_size * 1024 * 1024
        self.flush_delay = flush_delay
        self.hosts = hosts or HostAllowList(server.allowed_hosts, address=server.address)
        self.csrf = csrf or Csrf(enabled=server.enable_xsrf_protection)
        self.clients = ClientCounter(server.max_sessions_per_client)
        self.rate = server.max_reruns_per_second
        self.burst = server.rerun_burst
        self.idle_timeout = server.idle_session_timeout
        self.live: set[_Socket] = set()
        self._closing: set[asyncio.Task[None]] = set()

    @property
    def connections(self) -> int:
        return len(self.live)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        socket = _Socket(receive, send, scope)
        if (await receive())["type"] != "websocket.connect":
            return
        origin = _header(scope, b"origin")
        host = only_host(scope)
        if not self.hosts.allows(host):
            log.warning("refused WebSocket for host %r", host)
            await socket.close(CLOSE_FORBIDDEN)
            return
        if not origin_allowed(origin, host, scope.get("scheme", "ws"), self.extra):
            log.warning("refused WebSocket from origin %r", origin)
            await socket.close(CLOSE_FORBIDDEN)  # before accept: the client gets HTTP 403
            return
        await send({"type": "websocket.accept"})
        address = client_address(scope)
        if not self.clients.acquire(address):
            log.warning(
                "refused WebSocket: %s already has %d sessions", address, self.clients.limit
            )
            await socket.refuse(
                "overloaded",
                f"too many sessions from your address (at most {self.clients.limit}): "
                "close other tabs of this app and reload",
                CLOSE_REFUSED,
            )
            return
        self.live.add(socket)
        try:
            await self._serve(socket, scope)
        finally:
            self.live.discard(socket)
            self.clients.release(address)

    def close_idle(self, now: float | None = None) -> int:
        """Close connections silent for `server.idleSessionTimeout`; called by a timer."""
        if self.idle_timeout <= 0:
            return 0
        now = time.monotonic() if now is None else now
        idle = [s for s in self.live if now - s.last_seen >= self.idle_timeout and not s.closed]
        minutes = self.idle_timeout / 60
        message = (
            f"This session was closed after {minutes:g} minutes without activity "
            "(server.idleSessionTimeout). Reload the page to start again."
        )
        loop = asyncio.get_running_loop()
        for s in idle:
            task = loop.create_task(s.refuse("expired", message, CLOSE_IDLE))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)
        return len(idle)

    async def _serve(self, socket: _Socket, scope: Scope) -> None:
        runtime = self.runtime
        loop = asyncio.get_running_loop()
        client = SocketClient(loop, socket.send, self.flush_delay)
        session: AppSession | None = None
        limiter = _Limiter(self.rate, self.burst)
        try:
            try:
                first = await asyncio.wait_for(socket.receive_frame(self.limit), HELLO_TIMEOUT)
            except TimeoutError:
                await socket.refuse("invalid", "no hello within 10 s", CLOSE_REFUSED)
                return
            if first is None:
                return
            hello = decode_client(first)
            if not isinstance(hello, Hello):
                kind = type(hello).__name__.lower()
                raise ProtocolError(f"invalid message: the first frame must be hello, not {kind}")
            if not self.csrf.check(scope, hello.csrf_token):
                log.warning("refused WebSocket from %s: bad CSRF token", client_address(scope))
                await socket.refuse(
                    "forbidden",
                    "missing or wrong CSRF token (the page's cookie and its hello disagree): "
                    "reload the page",
                    CLOSE_REFUSED,
                )
                return
            peer = self.csrf.cookie(scope) if self.csrf.enabled else client_address(scope)
            # The user comes from the cookie of this handshake, never from a frame; a resume
            # token reattaches only a session of that same user from the same browser.
            identity = self.identify(scope) if self.identify is not None else None
            session, reply = runtime.connect(
                hello,
                client,
                user=identity.user if identity is not None else None,
                user_info=identity.claims if identity is not None else None,
                peer=peer,
                handshake=_handshake(scope),
            )
            await socket.send_text(reply.decode())
            if session is None:
                await socket.close(CLOSE_REFUSED)
                return
            client.session = session
            client.start()
            handle = session.handle

            def release() -> None:
                limiter.timer = None
                if socket.closed or session is None:
                    return
                for msg in limiter.release():
                    handle(msg)
                if limiter.held:
                    limiter.timer = loop.call_later(limiter.bucket.wait_time(), release)

            while True:
                frame = await socket.receive_frame(self.limit)
                if frame is None:
                    return
                msg = decode_client(frame)
                if isinstance(msg, Stop) or limiter.admit(msg):
                    handle(msg)
                    continue
                if limiter.overflowing:
                    log.warning("closed session %s: rerun flood", session.id[:6])
                    await socket.refuse(
                        "overloaded",
                        f"too many reruns (at most {self.rate:g} a second): this session "
                        "is closed; reload the page",
                        CLOSE_REFUSED,
                    )
                    return
                if limiter.timer is None:
                    limiter.timer = loop.call_later(limiter.bucket.wait_time(), release)
        except ProtocolError as exc:
            await socket.refuse("invalid", str(exc), CLOSE_INVALID)
        except ValueError as exc:
            await socket.refuse("invalid", str(exc), CLOSE_TOO_BIG)
        except OSError:  # the transport went away mid-send
            pass
        finally:
            if limiter.timer is not None:
                limiter.timer.cancel()
            if session is not None:
                runtime.disconnect(session, client=client)
            await client.aclose()
            await socket.close(1000)
