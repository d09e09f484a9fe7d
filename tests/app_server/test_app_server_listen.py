"""The listener over real TCP: loopback by default, TCP_NODELAY on the server side of each
connection (checked on the accepted socket itself, not inferred from timings)."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

import httpx
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket
from websockets.sync.client import connect

from bastion.server.app_server import HttpOptions, build_app
from bastion.server.listen import bind


def server_side_socket_option(peer: tuple[str, int], option: int) -> int:
    """Find this process's socket connected to `peer` and read a TCP option from it."""
    for name in os.listdir("/proc/self/fd"):
        try:
            sock = socket.socket(fileno=os.dup(int(name)))
        except OSError:
            continue
        with sock:
            if sock.family != socket.AF_INET or sock.type != socket.SOCK_STREAM:
                continue
            try:
                if sock.getpeername() != peer:
                    continue
            except OSError:
                continue
            return sock.getsockopt(socket.IPPROTO_TCP, option)
    raise AssertionError(f"no server-side socket connected to {peer}")


async def echo(websocket: WebSocket) -> None:
    await websocket.accept()
    async for text in websocket.iter_text():
        await websocket.send_text(text)


def app(tmp_path: Path) -> Any:
    return build_app(
        stream=WebSocketRoute("/_bastion/stream", echo),
        options=HttpOptions(static_root=tmp_path),
    )


def test_bind_defaults_to_loopback_with_tcp_proto() -> None:
    with bind() as sock:
        host, port = sock.getsockname()
        assert host == "127.0.0.1"
        assert port > 0
        assert sock.proto == socket.IPPROTO_TCP


def test_http_connections_have_tcp_nodelay(serve: Any, tmp_path: Path) -> None:
    with (
        serve(app(tmp_path)) as url,
        socket.create_connection(
            (url.split("//")[1].split(":")[0], int(url.rsplit(":", 1)[1]))
        ) as client,
    ):
        client.sendall(b"GET /_bastion/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert b"200 OK" in client.recv(4096)
        assert server_side_socket_option(client.getsockname(), socket.TCP_NODELAY) != 0


def test_websocket_connections_have_tcp_nodelay(serve: Any, tmp_path: Path) -> None:
    with serve(app(tmp_path)) as url:
        assert httpx.get(f"{url}/_bastion/health").text == "ok"
        with connect(url.replace("http", "ws") + "/_bastion/stream") as ws:
            ws.send("ping")
            assert ws.recv(timeout=5) == "ping"
            local = ws.socket.getsockname()
            assert server_side_socket_option(local, socket.TCP_NODELAY) != 0
