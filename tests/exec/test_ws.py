"""Piston's `/connect` WebSocket protocol against the live server, close code by close code."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from .live import Server

pytestmark = pytest.mark.sandbox


def init(language: str, code: str, **fields: Any) -> str:
    body = {"type": "init", "language": language, "version": "*", "files": [{"content": code}]}
    return json.dumps(body | fields)


def until_closed(
    ws: ClientConnection, timeout: float = 10.0
) -> tuple[list[dict[str, Any]], int, str]:
    messages: list[dict[str, Any]] = []
    try:
        while True:
            messages.append(json.loads(ws.recv(timeout=timeout)))
    except ConnectionClosed as closed:
        frame = closed.rcvd
    assert frame is not None
    return messages, frame.code, frame.reason


def recv(ws: ClientConnection) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(ws.recv(timeout=10))
    return message


@pytest.fixture
def url(server: Server) -> str:
    return server.ws_url + "/api/v2/connect"


def test_init_timeout_closes_4001(url: str) -> None:
    started = time.monotonic()
    with connect(url) as ws:
        messages, code, reason = until_closed(ws)
    assert (messages, code, reason) == ([], 4001, "Initialization Timeout")
    assert 0.9 <= time.monotonic() - started < 3


@pytest.mark.parametrize(
    "message",
    [{"type": "data", "stream": "stdin", "data": "x"}, {"type": "signal", "signal": "SIGKILL"}],
)
def test_before_init_closes_4003(url: str, message: dict[str, Any]) -> None:
    with connect(url) as ws:
        ws.send(json.dumps(message))
        assert until_closed(ws)[1:] == (4003, "Not yet Initialized")


def test_stdin_echo_through_cat_then_sigkill(url: str) -> None:
    with connect(url) as ws:
        ws.send(init("bash", "cat", run_timeout=3000))
        runtime = recv(ws)
        assert runtime["type"] == "runtime"
        assert runtime["language"] == "bash"
        assert recv(ws) == {"type": "stage", "stage": "run"}
        for line in ("hello\n", "second line\n"):
            ws.send(json.dumps({"type": "data", "stream": "stdin", "data": line}))
            assert recv(ws) == {"type": "data", "stream": "stdout", "data": line}
        killed_at = time.monotonic()
        ws.send(json.dumps({"type": "signal", "signal": "SIGKILL"}))
        messages, code, reason = until_closed(ws)
    assert time.monotonic() - killed_at < 2.5  # killed, not timed out at 3 s
    exits = [m for m in messages if m["type"] == "exit"]
    assert exits
    assert exits[0]["stage"] == "run"
    assert exits[0]["signal"] == "SIGKILL"
    assert exits[0]["code"] is None
    assert exits[0]["status"] != "TO"
    assert (code, reason) == (4999, "Job Completed")


def test_sigkill_kills_the_whole_tree(url: str) -> None:
    # A background child that would outlive its parent: the signal must take it down too, so
    # the job ends at once instead of at its wall-clock limit.
    script = "sleep 30 & sleep 30 & echo ready; wait"
    with connect(url) as ws:
        ws.send(init("bash", script, run_timeout=3000))
        assert recv(ws)["type"] == "runtime"
        assert recv(ws)["type"] == "stage"
        assert recv(ws) == {"type": "data", "stream": "stdout", "data": "ready\n"}
        started = time.monotonic()
        ws.send(json.dumps({"type": "signal", "signal": "SIGKILL"}))
        messages, code, _ = until_closed(ws)
    assert time.monotonic() - started < 2.5
    assert code == 4999
    assert messages[-1]["type"] == "exit"
    assert messages[-1]["signal"] == "SIGKILL"
    assert messages[-1]["status"] == "SG"  # killed by the signal, not by the 3 s time limit


def test_other_signals_reach_the_program(url: str) -> None:
    # SIGKILL and SIGTERM end the whole tree; any other signal is delivered for the job to handle.
    script = "trap 'echo got-usr1; exit 7' USR1; echo ready; while true; do sleep 0.05; done"
    with connect(url) as ws:
        ws.send(init("bash", script))
        assert recv(ws)["type"] == "runtime"
        assert recv(ws)["type"] == "stage"
        assert recv(ws)["data"] == "ready\n"
        ws.send(json.dumps({"type": "signal", "signal": "SIGUSR1"}))
        messages, code, _ = until_closed(ws)
    assert {"type": "data", "stream": "stdout", "data": "got-usr1\n"} in messages
    assert messages[-1]["type"] == "exit"
    assert messages[-1]["code"] == 7
    assert code == 4999


def test_normal_run_compiled_stages_and_4999(url: str) -> None:
    with connect(url) as ws:
        ws.send(init("c", '#include <stdio.h>\nint main(){puts("ok");return 3;}'))
        messages, code, reason = until_closed(ws)
    kinds = [(m["type"], m.get("stage")) for m in messages if m["type"] != "data"]
    assert kinds == [
        ("runtime", None), ("stage", "compile"), ("exit", "compile"),
        ("stage", "run"), ("exit", "run"),
    ]  # fmt: skip
    assert {"type": "data", "stream": "stdout", "data": "ok\n"} in messages
    assert messages[-1]["code"] == 3
    assert (code, reason) == (4999, "Job Completed")


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        (init("bash", "true"), (4000, "Already Initialized")),
        (
            json.dumps({"type": "data", "stream": "stdout", "data": "x"}),
            (4004, "Can only write to stdin"),
        ),
        (json.dumps({"type": "signal", "signal": "SIGNOPE"}), (4005, "Invalid signal")),
        (json.dumps({"type": "signal", "signal": 9}), (4005, "Invalid signal")),
    ],
)
def test_protocol_errors_after_init(url: str, second: str, expected: tuple[int, str]) -> None:
    with connect(url) as ws:
        ws.send(init("bash", "cat"))
        assert recv(ws)["type"] == "runtime"
        ws.send(second)
        assert until_closed(ws)[1:] == expected


@pytest.mark.parametrize(
    ("message", "error"),
    [
        (init("nosuch", "x"), "nosuch-* runtime is unknown"),
        (json.dumps({"type": "init", "language": "bash"}), "version is required as a string"),
        ("{not json", "message is not valid JSON"),
    ],
)
def test_bad_init_notifies_error_then_4002(url: str, message: str, error: str) -> None:
    with connect(url) as ws:
        ws.send(message)
        messages, code, reason = until_closed(ws)
    assert messages[0]["type"] == "error"
    assert error in messages[0]["message"]
    assert (code, reason) == (4002, "Notified Error")


def test_websocket_output_is_capped(url: str) -> None:
    # Piston streams without any limit; here the per-stream cap (1 MiB) ends the job.
    with connect(url, max_size=None) as ws:
        ws.send(init("bash", "yes 0123456789abcdef", run_timeout=3000))
        messages, code, _ = until_closed(ws, timeout=20)
    received = sum(len(m["data"]) for m in messages if m["type"] == "data")
    assert received <= 1024 * 1024
    assert received > 1024 * 1024 - 65536
    assert messages[-1]["type"] == "exit"
    assert messages[-1]["status"] == "OL"
    assert code == 4999


def test_closing_the_socket_kills_the_job(url: str, server: Server) -> None:
    import httpx

    with connect(url) as ws:
        ws.send(init("bash", "echo up; sleep 30"))
        assert recv(ws)["type"] == "runtime"
        recv(ws)
        assert recv(ws)["data"] == "up\n"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        metrics = httpx.get(server.url + "/metrics").text
        if "bastion_exec_running_jobs 0.0" in metrics:
            break
        time.sleep(0.05)
    assert "bastion_exec_running_jobs 0.0" in metrics


def test_stdin_sent_before_the_job_starts_is_kept_and_eof_ends_it(url: str) -> None:
    with connect(url) as ws:
        ws.send(init("bash", "cat; echo done"))
        # No wait for `runtime`: the job may still be queued or starting.
        ws.send(json.dumps({"type": "data", "stream": "stdin", "data": "early\n"}))
        ws.send(json.dumps({"type": "data", "stream": "stdin", "data": "", "eof": True}))
        messages, code, reason = until_closed(ws)
    out = "".join(m["data"] for m in messages if m["type"] == "data")
    assert out == "early\ndone\n"
    assert messages[-1]["type"] == "exit"
    assert messages[-1]["code"] == 0
    assert (code, reason) == (4999, "Job Completed")
