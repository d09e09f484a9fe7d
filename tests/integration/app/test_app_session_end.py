"""AppSession.on_close: what a script holds per session is released when the session ends."""

from __future__ import annotations

import pytest

from bastion.app import Runtime, Script


class _Client:
    def send(self, frame: bytes) -> None:
        pass

    def request_flush(self) -> None:
        pass


def test_expiry_runs_the_close_callbacks_once_even_if_one_fails(
    caplog: pytest.LogCaptureFixture,
) -> None:
    runtime = Runtime(Script(source="import bastion as st\nst.write('x')", name="<end>"))
    session = runtime.new_session(_Client())
    calls: list[str] = []
    session.on_close.append(lambda: calls.append("first"))
    session.on_close.append(lambda: 1 / 0)
    session.on_close.append(lambda: calls.append("last"))
    runtime.disconnect(session, now=0.0)
    assert runtime.expire(now=1.0) == 0  # still within the reconnect window
    assert calls == []
    assert runtime.expire(now=1e9) == 1
    assert calls == ["first", "last"]
    assert "session close callback failed" in caplog.text
    runtime.close_session(session)  # again: nothing runs twice
    assert calls == ["first", "last"]


def test_shutdown_closes_every_session() -> None:
    runtime = Runtime(Script(source="pass", name="<end2>"))
    closed: list[int] = []
    for i in range(3):
        runtime.new_session(_Client()).on_close.append(lambda i=i: closed.append(i))
    runtime.shutdown()
    assert sorted(closed) == [0, 1, 2]
