"""A WebSocket client that behaves like the page: it loads an HTTP response first (which sets
the CSRF cookie) and sends the cookie's token back in its hello. Attacks bend one rule at a time."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect


def http_url(ws_url: str) -> str:
    base = ws_url.replace("ws://", "http://", 1).replace("wss://", "https://", 1)
    return base.rsplit("/_bastion/stream", 1)[0]


def csrf_cookie(ws_url: str) -> str:
    """The token the server's cookie carries (what the page reads from document.cookie)."""
    with urllib.request.urlopen(http_url(ws_url) + "/_bastion/health", timeout=5) as r:  # noqa: S310
        jar: SimpleCookie = SimpleCookie()
        for value in r.headers.get_all("set-cookie") or []:
            jar.load(value)
    return jar["_bastion_csrf"].value


@contextmanager
def client(ws_url: str, *, cookie: str | None = None, **kwargs: Any) -> Iterator[ClientConnection]:
    headers = dict(kwargs.pop("additional_headers", {}) or {})
    if cookie is not None:
        headers["Cookie"] = f"_bastion_csrf={cookie}"
    with connect(ws_url, max_size=None, additional_headers=headers, **kwargs) as ws:
        yield ws


def send_hello(ws: ClientConnection, **fields: Any) -> dict[str, Any]:
    ws.send(json.dumps({"type": "hello", "protocol": 1, **fields}))
    return dict(json.loads(ws.recv(timeout=5)))


def run(ws: ClientConnection, widgets: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Send a rerun; return the events up to `finished`."""
    ws.send(json.dumps({"type": "rerun", "widgets": widgets or {}}))
    return wait_finished(ws)


def wait_finished(ws: ClientConnection, timeout: float = 10) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    while True:
        frame = json.loads(ws.recv(timeout=timeout))
        events.extend(frame.get("events", [frame]))
        if any(e.get("type") == "finished" for e in events):
            return events


def closed_with(ws: ClientConnection, timeout: float = 5) -> tuple[int | None, str, list[Any]]:
    """Read until the server closes: (close code, reason, frames received)."""
    received: list[Any] = []
    try:
        while True:
            received.append(json.loads(ws.recv(timeout=timeout)))
    except ConnectionClosed as closed:
        rcvd = closed.rcvd
        return (rcvd.code if rcvd else None), (rcvd.reason if rcvd else ""), received
