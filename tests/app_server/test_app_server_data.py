"""Lazy dataframe rows over the real WebSocket (uvicorn on 127.0.0.1, port 0): the element holds
the first chunk only, `fetch_rows` gets any other range (sorted on the server), and forged
requests get an error reply while the socket stays open."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from guard_client import client, csrf_cookie
from websockets.sync.client import ClientConnection

from bastion.app import Runtime, Script, load_config
from bastion.server.app_service import create_app

SCRIPT = """
import bastion as st, numpy as np, pandas as pd
st.dataframe(pd.DataFrame({"n": np.arange(100_000), "m": np.arange(100_000) % 7}))
"""


@pytest.fixture
def server(serve: Any, tmp_path: Path) -> Iterator[str]:
    config = load_config(cwd=tmp_path, home=tmp_path, env={}, overrides={})
    runtime = Runtime(Script(source=SCRIPT, name="data_socket_app.py"), config)
    with serve(create_app(runtime, static_root=tmp_path)) as url:
        yield url.replace("http://", "ws://") + "/_bastion/stream"
    runtime.shutdown()


@contextmanager
def page(server: str) -> Iterator[ClientConnection]:
    """A socket that behaves like the page: it carries the CSRF cookie and sends its token."""
    token = csrf_cookie(server)
    with client(server, cookie=token) as ws:
        ws.send(json.dumps({"type": "hello", "protocol": 1, "csrf_token": token}))
        assert json.loads(ws.recv(timeout=5))["type"] == "welcome"
        yield ws


def first_run(ws: ClientConnection) -> tuple[dict[str, Any], int]:
    ws.send(json.dumps({"type": "rerun", "widgets": {}}))
    element: dict[str, Any] = {}
    size = 0
    while True:
        raw = ws.recv(timeout=30)
        size += len(raw)
        frame = json.loads(raw)
        for e in frame["events"]:
            if e["type"] == "element" and e["element"]["type"] == "dataframe":
                element = e["element"]
        if any(e["type"] == "finished" for e in frame["events"]):
            return element, size


def fetch(ws: ClientConnection, **fields: Any) -> dict[str, Any]:
    ws.send(json.dumps({"type": "fetch_rows", "request": 5, **fields}))
    reply = json.loads(ws.recv(timeout=30))
    assert reply["type"] == "rows"
    assert reply["request"] == 5
    return dict(reply)


def column(reply: dict[str, Any], i: int) -> list[Any]:
    table = pa.ipc.open_stream(base64.b64decode(reply["arrow"])).read_all()
    return list(table.column(i).to_pylist())


def test_rows_are_fetched_lazily_over_the_socket(server: str) -> None:
    with page(server) as ws:
        element, size = first_run(ws)
        assert element["num_rows"] == 100_000
        assert size < 100_000  # the first render is the first chunk, not 100,000 rows
        n_field = next(c["field"] for c in element["columns"] if c["name"] == "n")
        reply = fetch(ws, data_id=element["data_id"], start=70_000, stop=70_003)
        assert column(reply, n_field) == [70_000, 70_001, 70_002]
        reply = fetch(ws, data_id=element["data_id"], start=0, stop=2, sort_column=n_field,
                      ascending=False)  # fmt: skip
        assert column(reply, n_field) == [99_999, 99_998]
        assert reply["positions"] is True

        # Forged: an id this session never showed, an oversized range. The socket stays usable.
        assert fetch(ws, data_id="deadbeef", start=0, stop=1)["error"]
        assert fetch(ws, data_id=element["data_id"], start=0, stop=50_000)["error"]
        reply = fetch(ws, data_id=element["data_id"], start=99_999, stop=100_000)
        assert column(reply, n_field) == [99_999]


def test_another_sessions_data_id_is_unknown(server: str) -> None:
    with page(server) as a, page(server) as b:
        element, _ = first_run(a)
        first_run(b)
        reply = fetch(b, data_id=element["data_id"], start=0, stop=1)
        assert reply["error"].startswith("unknown data_id")
