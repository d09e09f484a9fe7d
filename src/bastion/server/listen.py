"""Listening sockets and the uvicorn runner, with TCP_NODELAY on every connection.

Streamlit pays ~40 ms per rerun because Nagle's algorithm holds back the small frames that follow
the first one until the client's delayed ACK arrives. asyncio sets TCP_NODELAY on accepted
sockets only when the listening socket was created with `proto=IPPROTO_TCP` (Streamlit's binds
with proto 0 and so never gets it). We create the listener ourselves with the explicit protocol,
and the server also sets the option on each connection it accepts (`NoDelayProtocol`), so it does
not depend on the event loop's choice. `tests/server` checks the option on the server-side socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Callable
from typing import Any

import uvicorn

LOOPBACK = "127.0.0.1"


def bind(host: str = LOOPBACK, port: int = 0, *, backlog: int = 2048) -> socket.socket:
    """A listening TCP socket for `host:port`; port 0 picks a free port."""
    infos = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP, flags=socket.AI_PASSIVE
    )
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind(address)
        sock.listen(backlog)
        sock.setblocking(False)
    except BaseException:
        sock.close()
        raise
    return sock


def set_nodelay(transport: asyncio.BaseTransport) -> None:
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _nodelay(protocol_class: type[asyncio.Protocol]) -> type[asyncio.Protocol]:
    class NoDelayProtocol(protocol_class):  # type: ignore[valid-type,misc]
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            set_nodelay(transport)
            super().connection_made(transport)

    NoDelayProtocol.__name__ = f"NoDelay{protocol_class.__name__}"
    return NoDelayProtocol


def uvicorn_config(
    app: Any,
    *,
    log_level: str = "warning",
    trusted_proxies: list[str] | None = None,
    **options: Any,
) -> uvicorn.Config:
    # X-Forwarded-For/-Proto are believed only from the operator's proxies (uvicorn's default
    # trusts 127.0.0.1, so any local process could claim HTTPS or another client address).
    proxies = [p for p in (trusted_proxies or []) if p.strip()]
    config = uvicorn.Config(
        app,
        log_level=log_level,
        # Each WebSocket frame already carries a whole batch; per-message deflate costs CPU on
        # every rerun for small frames. Assets are precompressed instead.
        ws="websockets-sansio",
        ws_per_message_deflate=False,
        ws_max_size=options.pop("ws_max_size", 16 * 1024 * 1024),
        server_header=False,
        date_header=False,
        lifespan="on",
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
        **options,
    )
    config.load()
    config.http_protocol_class = _nodelay(config.http_protocol_class)
    return config


class Server(uvicorn.Server):
    """uvicorn's server, started on sockets we made; `started_event` fires once it listens."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.started_event = asyncio.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self.started_event.set()


def run(
    app: Any,
    sock: socket.socket,
    *,
    log_level: str = "warning",
    on_started: Callable[[], None] | None = None,
    ws_max_size: int = 16 * 1024 * 1024,
    trusted_proxies: list[str] | None = None,
    ssl_certfile: str | None = None,
    ssl_keyfile: str | None = None,
) -> None:
    """Serve `app` on `sock` until interrupted (SIGINT/SIGTERM)."""
    config = uvicorn_config(
        app,
        log_level=log_level,
        loop=_best_loop(),
        ws_max_size=ws_max_size,
        trusted_proxies=trusted_proxies,
        ssl_certfile=ssl_certfile,
        ssl_keyfile=ssl_keyfile,
    )
    server = Server(config)

    async def main() -> None:
        task = asyncio.create_task(server.serve(sockets=[sock]))
        if on_started is not None:
            started = asyncio.create_task(server.started_event.wait())
            await asyncio.wait({task, started}, return_when=asyncio.FIRST_COMPLETED)
            if started.done() and not task.done():
                on_started()
        await task

    loop_factory = _loop_factory()
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(main())


def _best_loop() -> str:
    try:
        import uvloop  # noqa: F401
    except ImportError:  # pragma: no cover - uvloop is a dependency; this is for odd platforms
        return "asyncio"
    return "uvloop"


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:  # pragma: no cover
        return None
    return uvloop.new_event_loop
