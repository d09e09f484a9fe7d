"""st.context over a real uvicorn socket: a header, a cookie and the page's report reach the
script; our own cookies and an Authorization header do not; a forged client report is bounded."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from guard_client import csrf_cookie
from websockets.sync.client import connect

from bastion.app import Runtime, Script, load_config
from bastion.server.app_service import create_app

SCRIPT = """
import json
import bastion as st
c = st.context
st.text(json.dumps({
    "custom": c.headers.get("x-custom"),
    "cookie_header": c.headers.get("Cookie"),
    "headers": sorted(c.headers),
    "cookies": dict(c.cookies),
    "ip": c.ip_address,
    "locale": c.locale,
    "tz": c.timezone,
    "offset": c.timezone_offset,
    "theme": c.theme.type,
    "url": c.url,
}))
"""


@pytest.fixture
def server(serve: Any, tmp_path: Path) -> Iterator[str]:
    config = load_config(cwd=tmp_path, home=tmp_path, env={})
    runtime = Runtime(Script(source=SCRIPT, name="context_app.py"), config)
    with serve(create_app(runtime, static_root=tmp_path)) as url:
        yield url.replace("http://", "ws://") + "/_bastion/stream"
    runtime.shutdown()


_TOKENS: list[str] = []


def seen(url: str, client: dict[str, Any] | None, headers: dict[str, str]) -> Any:
    """Connect as the page does (the server's CSRF cookie, its token in hello) and return what
    the script saw; `CSRF` in a given Cookie header stands for the real token."""
    token = csrf_cookie(url)
    _TOKENS.append(token)
    cookie = headers.get("Cookie", "_bastion_csrf=CSRF")
    headers = {**headers, "Cookie": cookie.replace("CSRF", token)}
    with connect(url, additional_headers=headers, max_size=None) as ws:
        hello: dict[str, Any] = {"type": "hello", "protocol": 1, "csrf_token": token}
        if client is not None:
            hello["client"] = client
        ws.send(json.dumps(hello))
        welcome = json.loads(ws.recv(timeout=5))
        if welcome["type"] != "welcome":
            return welcome
        ws.send(json.dumps({"type": "rerun", "widgets": {}}))
        while True:
            frame = json.loads(ws.recv(timeout=10))
            for event in frame["events"]:
                element = event.get("element") or {}
                if element.get("type") == "text":
                    return json.loads(element["body"])


def test_headers_and_cookies_reach_the_script_but_ours_do_not(server: str) -> None:
    host = server.split("/")[2]
    got = seen(
        server,
        {
            "locale": "de-DE",
            "timezone": "Europe/Berlin",
            "timezone_offset": -60,
            "theme": "dark",
            "url": f"http://{host}/?a=1",
        },
        {
            "X-Custom": "hello",
            "Authorization": "Bearer sekret",
            "Cookie": "_bastion_csrf=CSRF; lang=de; _bastion_user=identity; theme=dark",
        },
    )
    assert got["custom"] == "hello"
    assert got["cookies"] == {"lang": "de", "theme": "dark"}
    assert got["cookie_header"] == "lang=de; theme=dark"
    assert "Authorization" not in got["headers"]
    assert "sekret" not in json.dumps(got)
    assert _TOKENS[-1] not in json.dumps(got)
    assert "identity" not in json.dumps(got)
    assert got["ip"] is None  # loopback, as in Streamlit
    assert (got["locale"], got["tz"], got["offset"], got["theme"]) == (
        "de-DE",
        "Europe/Berlin",
        -60,
        "dark",
    )
    assert got["url"] == f"http://{host}/?a=1"


def test_forged_client_report_is_refused_or_ignored(server: str) -> None:
    host = server.split("/")[2]
    refused = seen(server, {"locale": "x" * 10_000}, {})
    assert refused["type"] == "refused"
    assert "locale" in refused["message"]
    assert seen(server, {"timezone_offset": 10**9}, {})["type"] == "refused"
    assert seen(server, {"theme": "<script>"}, {})["type"] == "refused"
    got = seen(server, {"url": "https://evil.example/phish"}, {})
    assert got["url"] == f"http://{host}/"  # a URL on another host is not believed
    assert got["locale"] is None
