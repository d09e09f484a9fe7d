"""WebSocket and HTTP attacks against the app server over real uvicorn (127.0.0.1, port 0).

Each attack must fail: the server stays up, a bystander session keeps working, and nothing the
attacker sent is accepted (no session, no widget value, no run beyond the limits). The counts of
these tests are the "attacks tried" figure in SECURITY.md.
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from guard_client import client, closed_with, csrf_cookie, run, send_hello
from websockets.exceptions import ConnectionClosed, InvalidStatus

from bastion.app import Runtime, Script, load_config
from bastion.server.app_service import create_app

SCRIPT = """
import bastion as st
st.title("Guarded")
n = st.slider("amount", 0, 10, 3, key="n")
pick = st.selectbox("pick", ["a", "b", "c"], key="pick")
locked = st.checkbox("locked", value=False, disabled=True, key="locked")
with st.form("f"):
    note = st.text_input("note", value="empty", key="note")
    st.form_submit_button("send")
st.write(f"STATE n={n} pick={pick} locked={locked} note={note}")
"""


def _server(serve: Any, tmp_path: Path, **overrides: Any) -> Generator[str, None, None]:
    config = load_config(cwd=tmp_path, home=tmp_path, env={}, overrides=overrides)
    runtime = Runtime(Script(source=SCRIPT, name="guarded.py"), config)
    with serve(create_app(runtime, static_root=tmp_path)) as url:
        yield url.replace("http://", "ws://") + "/_bastion/stream"
    runtime.shutdown()


@pytest.fixture
def server(serve: Any, tmp_path: Path) -> Iterator[str]:
    yield from _server(
        serve,
        tmp_path,
        **{
            "server.maxMessageSize": 1,
            "server.maxSessionsPerClient": 4,
            "server.maxRerunsPerSecond": 5,
            "server.rerunBurst": 5,
        },
    )


def open_tab(url: str, cookie: str | None = None, **hello: Any) -> Any:
    cookie = cookie or csrf_cookie(url)
    cm = client(url, cookie=cookie)
    ws = cm.__enter__()
    hello.setdefault("csrf_token", cookie)
    reply = send_hello(ws, **hello)
    return cm, ws, reply


def state_line(events: list[dict[str, Any]]) -> str:
    for e in events:
        html = e.get("element", {}).get("body_html", "")
        if "STATE" in html:
            return str(html)
    raise AssertionError(f"no state line in {events!r}")


def widget_id(events: list[dict[str, Any]], kind: str) -> str:
    for e in events:
        el = e.get("element", {})
        if el.get("type") == kind:
            return str(el["id"])
    raise AssertionError(kind)


def bystander_ok(url: str) -> None:
    cm, ws, reply = open_tab(url)
    try:
        assert reply["type"] == "welcome"
        assert "STATE n=3" in state_line(run(ws))
    finally:
        cm.__exit__(None, None, None)


# --- handshake: origin, host, CSRF --------------------------------------------------------------


def test_cross_origin_handshake_gets_403(server: str) -> None:
    cookie = csrf_cookie(server)
    with pytest.raises(InvalidStatus) as refused:
        client(server, cookie=cookie, origin="http://evil.example").__enter__()
    assert refused.value.response.status_code == 403
    bystander_ok(server)


def _raw_upgrade(server: str, host_lines: str) -> bytes:
    host, port = server.split("//")[1].split("/")[0].split(":")
    with socket.create_connection((host, int(port)), timeout=5) as raw:
        raw.sendall(
            (
                "GET /_bastion/stream HTTP/1.1\r\n"
                f"{host_lines}"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        return raw.recv(4096).split(b"\r\n")[0]


@pytest.mark.parametrize("host", ["evil.example", "rebind.attacker.test:8501", "localhost.evil"])
def test_dns_rebinding_host_is_refused_on_socket_and_http(server: str, host: str) -> None:
    assert b" 403 " in _raw_upgrade(server, f"Host: {host}\r\n")
    # Two Host headers (one good, one bad) are refused too: layers may disagree on which counts.
    assert b" 403 " in _raw_upgrade(server, f"Host: 127.0.0.1\r\nHost: {host}\r\n")
    assert b" 101 " in _raw_upgrade(server, "Host: 127.0.0.1\r\n")  # the control
    http = server.replace("ws://", "http://").rsplit("/_bastion", 1)[0]
    request = urllib.request.Request(http + "/_bastion/health", headers={"Host": host})  # noqa: S310
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(request, timeout=5)  # noqa: S310
    assert err.value.code == 421
    assert b"server.allowedHosts" in err.value.read()
    bystander_ok(server)


@pytest.mark.parametrize(
    "case", ["missing", "wrong", "unsigned-planted", "other-browser", "no-cookie"]
)
def test_hello_without_the_matching_csrf_token_is_refused(server: str, case: str) -> None:
    mine, other = csrf_cookie(server), csrf_cookie(server)
    cookie: str | None = mine
    token: str | None = mine
    if case == "missing":
        token = None
    elif case == "wrong":
        token = mine[:-2] + ("00" if not mine.endswith("00") else "11")
    elif case == "unsigned-planted":  # an attacker who can plant a cookie of their choosing
        cookie = token = "attacker.0123456789abcdef0123456789abcdef"
    elif case == "other-browser":
        token = other
    elif case == "no-cookie":
        cookie = None
    with client(server, cookie=cookie) as ws:
        reply = send_hello(ws, csrf_token=token)
        code, _, _ = closed_with(ws)
    assert reply["type"] == "refused"
    assert reply["code"] == "forbidden"
    assert "CSRF" in reply["message"]
    assert code == 1008
    bystander_ok(server)


def test_every_http_response_sets_a_strict_csrf_cookie(server: str) -> None:
    http = server.replace("ws://", "http://").rsplit("/_bastion", 1)[0]
    with urllib.request.urlopen(http + "/_bastion/health", timeout=5) as r:  # noqa: S310
        cookie = r.headers["set-cookie"]
    assert cookie.startswith("_bastion_csrf=")
    assert "SameSite=Strict" in cookie
    assert "Path=/" in cookie


# --- frames -------------------------------------------------------------------------------------


def _deep(n: int) -> Any:
    value: Any = 1
    for _ in range(n):
        value = [value]
    return value


@pytest.mark.parametrize(
    "frame",
    [
        "\x00\xff not json",
        "{" * 5000,
        json.dumps({"type": "clear_cache"}),
        json.dumps({"type": "debug_disconnect_websocket"}),
        json.dumps({"type": "stop", "session": "someone-else"}),
        json.dumps({"type": "rerun", "widgets": {"n": _deep(200)}}),
        json.dumps({"type": "rerun", "widgets": {"x" * 300: 1}}),
        json.dumps({"type": "rerun", "widgets": {}, "query_string": "q" * 20000}),
    ],
    ids=["binary", "unclosed", "clear_cache", "debug", "stop-other", "deep", "long-id", "long-qs"],
)
def test_malformed_unknown_and_hostile_frames_close_only_the_attacker(
    server: str, frame: str
) -> None:
    cm, ws, reply = open_tab(server)
    try:
        assert reply["type"] == "welcome"
        ws.send(frame)
        code, _, received = closed_with(ws)
    finally:
        cm.__exit__(None, None, None)
    assert code == 1002
    assert received[-1]["type"] == "refused"
    bystander_ok(server)


def test_an_oversized_frame_closes_with_1009(server: str) -> None:
    cm, ws, _ = open_tab(server)
    try:
        ws.send(json.dumps({"type": "rerun", "widgets": {"k": "x" * (2 * 1024 * 1024)}}))
        code, _, _ = closed_with(ws)
    finally:
        cm.__exit__(None, None, None)
    assert code in (1009, 1006)  # uvicorn may cut the connection before the endpoint reads it
    bystander_ok(server)


# --- forged widget values -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("slider", [99]),
        ("slider", [-1]),
        ("slider", ["3; drop"]),
        ("selectbox", 99),
        ("selectbox", -1),
        ("selectbox", "c"),
        ("checkbox", True),  # disabled
        ("text_input", "forged"),  # inside a form, sent as a plain rerun (never submitted)
    ],
)
def test_forged_widget_values_are_not_accepted(server: str, kind: str, value: Any) -> None:
    cm, ws, _ = open_tab(server)
    try:
        first = run(ws)
        wid = widget_id(first, kind)
        after = run(ws, {wid: value})
        line = state_line(after) if any("STATE" in json.dumps(e) for e in after) else ""
        if not line:  # unchanged: sent as `same`, i.e. still the defaults
            line = state_line(first)
        assert "n=3 pick=a locked=False note=empty" in line, line
    finally:
        cm.__exit__(None, None, None)
    bystander_ok(server)


def test_a_valid_value_is_accepted(server: str) -> None:
    # The control for the test above: the same channel does take an honest value.
    cm, ws, _ = open_tab(server)
    try:
        wid = widget_id(run(ws), "slider")
        assert "n=7" in state_line(run(ws, {wid: [7]}))
    finally:
        cm.__exit__(None, None, None)


# --- floods and caps ----------------------------------------------------------------------------


def test_a_rerun_flood_is_merged_or_refused_and_the_server_stays_up(server: str) -> None:
    cm, ws, _ = open_tab(server)
    try:
        wid = widget_id(run(ws), "slider")
        for i in range(400):
            ws.send(json.dumps({"type": "rerun", "widgets": {wid: [i % 10]}}))
        started = 0
        deadline = time.monotonic() + 5
        try:
            while time.monotonic() < deadline:
                frame = json.loads(ws.recv(timeout=1.5))
                started += sum(1 for e in frame.get("events", []) if e["type"] == "started")
        except TimeoutError:
            pass  # quiet: all merged reruns are done
    finally:
        cm.__exit__(None, None, None)
    # 5 burst + 5/s over a few seconds, never 400.
    assert started <= 40, started
    bystander_ok(server)


def test_a_submit_flood_is_refused_with_a_clear_message(server: str) -> None:
    cm, ws, _ = open_tab(server)
    try:
        first = run(ws)
        button = widget_id([e for e in first if "send" in json.dumps(e)], "button")
        with contextlib.suppress(ConnectionClosed):  # the server may close mid-flood
            for _ in range(200):
                ws.send(json.dumps({"type": "submit", "form": "f", "button": button}))
        code, _, received = closed_with(ws, timeout=10)
    finally:
        cm.__exit__(None, None, None)
    refused = [f for f in received if f.get("type") == "refused"]
    assert code == 1008
    assert refused
    assert refused[0]["code"] == "overloaded"
    assert "too many reruns" in refused[0]["message"]
    bystander_ok(server)


def test_too_many_sessions_from_one_client_are_refused(server: str) -> None:
    tabs = [open_tab(server) for _ in range(4)]
    try:
        assert all(reply["type"] == "welcome" for _, _, reply in tabs)
        with client(server, cookie=csrf_cookie(server)) as ws:
            code, _, received = closed_with(ws)
        assert received[0]["code"] == "overloaded"
        assert "too many sessions from your address" in received[0]["message"]
        assert code == 1008
    finally:
        for cm, _, _ in tabs:
            cm.__exit__(None, None, None)
    bystander_ok(server)  # the slots are free again


def test_total_session_cap_refuses_with_overloaded(serve: Any, tmp_path: Path) -> None:
    gen = _server(serve, tmp_path, **{"server.maxSessions": 2})
    url = next(gen)
    try:
        a, b = open_tab(url), open_tab(url)
        cm, ws, reply = open_tab(url)
        assert reply["type"] == "refused"
        assert reply["code"] == "overloaded"
        for c, _, _ in (a, b, (cm, ws, reply)):
            c.__exit__(None, None, None)
    finally:
        gen.close()


def test_idle_sessions_are_closed_on_a_timer_with_a_reason(serve: Any, tmp_path: Path) -> None:
    gen = _server(serve, tmp_path, **{"server.idleSessionTimeout": 0.3})
    url = next(gen)
    try:
        cm, ws, _ = open_tab(url)
        code, _, received = closed_with(ws, timeout=5)
        cm.__exit__(None, None, None)
        assert code == 4000
        assert received[-1]["code"] == "expired"
        assert "without activity" in received[-1]["message"]
    finally:
        gen.close()


def test_disconnected_sessions_expire_on_a_timer(serve: Any, tmp_path: Path) -> None:
    config = load_config(
        cwd=tmp_path, home=tmp_path, env={}, overrides={"server.disconnectedSessionTTL": 0.2}
    )
    runtime = Runtime(Script(source=SCRIPT, name="guarded.py"), config)
    with serve(create_app(runtime, static_root=tmp_path)) as http:
        url = http.replace("http://", "ws://") + "/_bastion/stream"
        cookie = csrf_cookie(url)
        cm, _, reply = open_tab(url, cookie)
        cm.__exit__(None, None, None)
        deadline = time.monotonic() + 5
        while runtime.session_count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert runtime.session_count == 0
        cm, _, again = open_tab(url, cookie, resume_token=reply["resume_token"])
        cm.__exit__(None, None, None)
        assert again["resumed"] is False  # the page starts afresh (and says so)
    runtime.shutdown()


# --- session hijack -----------------------------------------------------------------------------


def test_session_hijack_attempts_fail(server: str) -> None:
    browser = csrf_cookie(server)
    cm, ws, welcome = open_tab(server, browser)
    run(ws)
    cm.__exit__(None, None, None)
    token = welcome["resume_token"]
    # 1. Another browser (its own cookie) presents the stolen token: no resume, and it is burned.
    thief_cm, _, thief = open_tab(server, csrf_cookie(server), resume_token=token)
    thief_cm.__exit__(None, None, None)
    assert thief["resumed"] is False
    # 2. The stale (burned) token from the right browser no longer resumes either.
    cm2, _, stale = open_tab(server, browser, resume_token=token)
    cm2.__exit__(None, None, None)
    assert stale["resumed"] is False
    # 3. A guessed token, or one shaped like a session id, never resumes.
    real = stale["resume_token"]
    near = real[:-1] + ("B" if real[-1] == "A" else "A")
    for guess in ("x" * 43, "A" * 22, near):
        c, _, reply = open_tab(server, browser, resume_token=guess)
        c.__exit__(None, None, None)
        assert reply["resumed"] is False


def test_the_client_protocol_has_no_message_that_reaches_other_sessions() -> None:
    from typing import get_args

    from bastion.protocol.app import ClientMsg

    names = sorted(t.__struct_config__.tag for t in get_args(ClientMsg))
    # Stop only stops the sender's own session; there is no clear_cache, no debug message.
    assert names == ["hello", "rerun", "stop", "submit"]


# --- headers over real uvicorn ---------------------------------------------------------------


def _get(url: str, headers: dict[str, str] | None = None) -> Any:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310
    return urllib.request.urlopen(request, timeout=5)  # noqa: S310


def test_security_headers_on_real_responses(server: str) -> None:
    http = server.replace("ws://", "http://").rsplit("/_bastion", 1)[0]
    with _get(http + "/_bastion/health") as r:
        h = r.headers
    csp = h["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self';" in csp
    assert h["x-frame-options"] == "DENY"
    assert h["x-content-type-options"] == "nosniff"
    assert h["referrer-policy"] == "same-origin"
    assert "geolocation=()" in h["permissions-policy"]
    assert "strict-transport-security" not in h  # plain HTTP: HSTS would be meaningless


@pytest.mark.parametrize(
    ("ancestors", "csp", "xfo"),
    [
        (["self"], "frame-ancestors 'self'", "SAMEORIGIN"),
        (["https://portal.example"], "frame-ancestors https://portal.example", None),
    ],
)
def test_frame_ancestors_is_configurable_and_x_frame_options_agrees(
    serve: Any, tmp_path: Path, ancestors: list[str], csp: str, xfo: str | None
) -> None:
    gen = _server(serve, tmp_path, **{"server.frameAncestors": ancestors})
    url = next(gen)
    try:
        with _get(
            url.replace("ws://", "http://").rsplit("/_bastion", 1)[0] + "/_bastion/health"
        ) as r:
            assert csp in r.headers["content-security-policy"]
            assert r.headers.get("x-frame-options") == xfo
    finally:
        gen.close()


def test_hsts_only_when_a_trusted_proxy_says_https(tmp_path: Path) -> None:
    import asyncio
    import threading

    from bastion.server.listen import Server, bind, uvicorn_config

    config = load_config(cwd=tmp_path, home=tmp_path, env={})
    runtime = Runtime(Script(source=SCRIPT, name="guarded.py"), config)
    results = {}
    for trusted in ([], ["127.0.0.1"]):
        sock = bind("127.0.0.1", 0)
        port = sock.getsockname()[1]
        app = create_app(runtime, static_root=tmp_path)
        server = Server(uvicorn_config(app, loop="asyncio", trusted_proxies=trusted))
        thread = threading.Thread(
            target=lambda s=server, k=sock: asyncio.run(s.serve(sockets=[k])), daemon=True
        )
        thread.start()
        while not server.started:
            time.sleep(0.01)
        try:
            with _get(
                f"http://127.0.0.1:{port}/_bastion/health", {"X-Forwarded-Proto": "https"}
            ) as r:
                results[bool(trusted)] = r.headers.get("strict-transport-security")
        finally:
            server.should_exit = True
            thread.join(10)
            sock.close()
    runtime.shutdown()
    assert results[False] is None  # an untrusted client cannot claim HTTPS
    assert results[True] is not None
    assert "max-age=31536000" in results[True]


def test_server_stays_up_after_every_attack(server: str) -> None:
    host, port = server.split("//")[1].split("/")[0].split(":")
    with socket.create_connection((host, int(port)), timeout=5) as raw:
        raw.sendall(b"\xff\x00GARBAGE / HTTP/9\r\n\r\n" * 8)
        assert b"400" in raw.recv(4096).split(b"\r\n")[0]
    with socket.create_connection((host, int(port)), timeout=5) as raw:
        raw.sendall(b"GET /_bastion/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert b"200" in raw.recv(4096).split(b"\r\n")[0]
    bystander_ok(server)
