"""The app WebSocket over real TCP (uvicorn on 127.0.0.1, port 0): handshake, batches, resume,
and the attacks it must turn away (bad frames, wrong protocol, cross-origin, oversized)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from guard_client import csrf_cookie
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from bastion.app import AppConfig, Runtime, Script, load_config
from bastion.server.app_service import create_app
from bastion.server.app_socket import origin_allowed

SCRIPT = """
import bastion as st
st.title("Socket test")
n = st.slider("n", 0, 100, 5, key="n")
for i in range(30):
    st.write(f"row {i} of {n}")
"""


@pytest.fixture
def server(serve: Any, tmp_path: Path) -> Iterator[str]:
    # A wide flush window: batching is judged by frame count, without racing the clock.
    overrides = {"server.maxMessageSize": 1, "server.flushIntervalMs": 100}
    config = load_config(cwd=tmp_path, home=tmp_path, env={}, overrides=overrides)
    runtime = Runtime(Script(source=SCRIPT, name="socket_app.py"), config)
    with serve(create_app(runtime, static_root=tmp_path)) as url:
        yield url.replace("http://", "ws://") + "/_bastion/stream"
    runtime.shutdown()


_CSRF: dict[int, str] = {}
_BROWSER: dict[str, str] = {}  # one cookie per server: every session() is a tab of one browser


@contextmanager
def session(url: str, **kwargs: Any) -> Iterator[ClientConnection]:
    """A client that got its CSRF cookie from the server first, as the page does."""
    token = _BROWSER.get(url) or _BROWSER.setdefault(url, csrf_cookie(url))
    headers = {"Cookie": f"_bastion_csrf={token}"}
    with connect(url, max_size=None, additional_headers=headers, **kwargs) as ws:
        _CSRF[id(ws)] = token
        yield ws
    _CSRF.pop(id(ws), None)


def hello(ws: ClientConnection, **fields: Any) -> dict[str, Any]:
    fields.setdefault("csrf_token", _CSRF.get(id(ws)))
    ws.send(json.dumps({"type": "hello", "protocol": 1, **fields}))
    return dict(json.loads(ws.recv(timeout=5)))


def run(ws: ClientConnection, widgets: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Send a rerun; return the frames up to the one holding `finished`."""
    ws.send(json.dumps({"type": "rerun", "widgets": widgets or {}}))
    frames = []
    while True:
        frame = json.loads(ws.recv(timeout=10))
        frames.append(frame)
        if any(e["type"] == "finished" for e in frame["events"]):
            return frames


def events(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for f in frames for e in f["events"]]


def closed_with(ws: ClientConnection) -> tuple[int | None, list[dict[str, Any]]]:
    received = []
    try:
        while True:
            received.append(json.loads(ws.recv(timeout=5)))
    except ConnectionClosed as closed:
        return (closed.rcvd.code if closed.rcvd else None), received


def test_hello_welcome_and_a_run_in_one_batch(server: str) -> None:
    with session(server) as ws:
        welcome = hello(ws)
        assert welcome["type"] == "welcome"
        assert welcome["protocol"] == 1
        assert welcome["resumed"] is False
        assert len(welcome["resume_token"]) >= 32
        run(ws)  # the first run imports and compiles; batching is judged on a warm one
        frames = run(ws)
        # 32 nodes plus start and finish: one flush, one WebSocket frame.
        assert len(frames) == 1
        kinds = [e["type"] for e in events(frames)]
        assert kinds[0] == "started"
        assert kinds[-1] == "finished"
        assert kinds.count("same") == 32


def test_unchanged_elements_are_sent_as_same(server: str) -> None:
    with session(server) as ws:
        hello(ws)
        first = events(run(ws))
        slider = next(e["element"] for e in first if e.get("element", {}).get("type") == "slider")
        second = events(run(ws, {slider["id"]: [5]}))
        assert [e["type"] for e in second].count("same") == 32
        third = events(run(ws, {slider["id"]: [7]}))
        changed = [e for e in third if e["type"] == "element"]
        assert len(changed) == 31  # the slider and the 30 rows; the title is `same`
        assert len(json.dumps(second)) < len(json.dumps(first)) / 3


def test_resume_reattaches_to_the_same_session_once(server: str) -> None:
    with session(server) as ws:
        token = hello(ws)["resume_token"]
        run(ws)
    with session(server) as ws:
        welcome = hello(ws, resume_token=token)
        assert welcome["resumed"] is True
        assert welcome["resume_token"] != token
        assert events(run(ws))[-1]["status"] == "ok"
    with session(server) as ws:
        assert hello(ws, resume_token=token)["resumed"] is False  # single use


@pytest.mark.parametrize(
    ("frame", "needle"),
    [
        ("not json", "malformed"),
        (json.dumps({"type": "rerun", "widgets": {}}), "first frame must be hello"),
        (json.dumps({"type": "hello"}), "protocol"),
        (json.dumps({"type": "hello", "protocol": "1"}), "protocol"),
        (json.dumps({"type": "hello", "protocol": 1, "evil": True}), "evil"),
        (json.dumps({"type": "shell", "cmd": "id"}), "shell"),
    ],
)
def test_an_invalid_first_frame_is_refused_with_1002(server: str, frame: str, needle: str) -> None:
    with session(server) as ws:
        ws.send(frame)
        code, received = closed_with(ws)
    assert code == 1002
    assert received[0]["type"] == "refused"
    assert received[0]["code"] == "invalid"
    assert needle in received[0]["message"]


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "rerun", "widgets": {"x": {"a": {"b": {"c": {"too": "deep"}}}}}},
        {"type": "rerun", "widgets": {"": 1}},
        {"type": "rerun", "widgets": [1, 2]},
        {"type": "submit", "form": "f"},
        {"type": "hello", "protocol": 1},
        {"type": "debug_shutdown_runtime"},
    ],
)
def test_an_invalid_later_frame_is_refused_and_others_are_unaffected(
    server: str, frame: dict[str, Any]
) -> None:
    with session(server) as bystander, session(server) as attacker:
        hello(bystander)
        hello(attacker)
        attacker.send(json.dumps(frame))
        code, received = closed_with(attacker)
        assert code == 1002
        assert received[-1]["type"] == "refused"
        assert events(run(bystander))[-1]["status"] == "ok"


def test_an_oversized_frame_closes_with_1009(server: str) -> None:
    with session(server) as ws:
        hello(ws)
        ws.send(json.dumps({"type": "rerun", "widgets": {"k": "x" * (2 * 1024 * 1024)}}))
        code, _ = closed_with(ws)
    assert code == 1009


def test_a_wrong_protocol_version_is_refused_with_a_fix(server: str) -> None:
    with session(server) as ws:
        reply = hello(ws, protocol=99)
        code, _ = closed_with(ws)
    assert reply["type"] == "refused"
    assert reply["code"] == "protocol"
    assert "reload the page" in reply["message"]
    assert code == 1008


def test_a_cross_origin_handshake_is_rejected(server: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        connect(server, origin="http://evil.example")  # type: ignore[arg-type]
    assert refused.value.response.status_code == 403


def test_a_same_origin_handshake_is_accepted(server: str) -> None:
    origin = "http://" + server.split("//")[1].split("/")[0]
    with session(server, origin=origin) as ws:
        assert hello(ws)["type"] == "welcome"


@pytest.mark.parametrize(
    ("origin", "host", "allowed"),
    [
        (None, "127.0.0.1:8501", True),
        ("http://127.0.0.1:8501", "127.0.0.1:8501", True),
        ("http://localhost:8501", "localhost:8501", True),
        ("http://127.0.0.1:8502", "127.0.0.1:8501", False),
        ("http://evil.example", "127.0.0.1:8501", False),
        ("https://127.0.0.1:8501", "127.0.0.1:8501", False),
        ("null", "127.0.0.1:8501", False),
        ("file://", "127.0.0.1:8501", False),
        ("http://app.example.com", "app.example.com", True),
        ("http://app.example.com", "app.example.com:80", True),
        ("https://partner.example", "127.0.0.1:8501", False),
    ],
)
def test_origin_rule(origin: str | None, host: str, allowed: bool) -> None:
    assert origin_allowed(origin, host, "ws", ()) is allowed


def test_origin_allow_list() -> None:
    assert origin_allowed("https://partner.example", "127.0.0.1", "ws", ["https://partner.example"])


def test_default_config_binds_loopback() -> None:
    assert AppConfig().server.address == "127.0.0.1"
