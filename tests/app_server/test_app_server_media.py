"""The media route through real uvicorn on loopback: types, ranges, downloads, sandboxing."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.routing import Mount

from bastion.app.media import MediaStore, url_for
from bastion.server.app_server import HttpOptions, build_app
from bastion.server.media_route import MEDIA_CSP, MediaRoute, parse_range

Serve = Callable[[Any], AbstractContextManager[str]]
BODY = bytes(range(256)) * 40  # 10,240 bytes


@pytest.fixture
def media(serve: Serve, tmp_path: Path) -> Iterator[tuple[MediaStore, str, httpx.Client]]:
    (tmp_path / "static").mkdir()
    store = MediaStore()
    app = build_app(
        stream=None,
        options=HttpOptions(static_root=tmp_path / "static"),
        extra_routes=[Mount("/_bastion/media", app=MediaRoute(store))],
    )
    with serve(app) as url, httpx.Client(base_url=url) as http:
        yield store, url, http


def test_bytes_with_type_nosniff_and_a_sandbox(media: Any) -> None:
    store, _, http = media
    entry = store.add("s", 1, BODY, "video/mp4")
    r = http.get("/" + url_for(entry))
    assert r.status_code == 200
    assert r.content == BODY
    assert r.headers["content-type"] == "video/mp4"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["accept-ranges"] == "bytes"
    assert r.headers["content-security-policy"] == MEDIA_CSP
    assert "sandbox" in MEDIA_CSP
    assert "script-src" not in MEDIA_CSP
    assert "content-disposition" not in r.headers


def test_ranges_206_416_and_seeks(media: Any, tmp_path: Path) -> None:
    store, _, http = media
    f = tmp_path / "clip.webm"
    f.write_bytes(BODY)
    for entry in (store.add("s", 1, BODY, "video/webm"), store.add("s", 1, f)):
        url = "/" + url_for(entry)
        r = http.get(url, headers={"Range": "bytes=100-199"})
        assert r.status_code == 206
        assert r.content == BODY[100:200]
        assert r.headers["content-range"] == f"bytes 100-199/{len(BODY)}"
        assert r.headers["content-length"] == "100"
        r = http.get(url, headers={"Range": "bytes=10000-"})
        assert r.status_code == 206
        assert r.content == BODY[10000:]
        r = http.get(url, headers={"Range": "bytes=-40"})
        assert r.status_code == 206
        assert r.content == BODY[-40:]
        r = http.get(url, headers={"Range": "bytes=5000-999999"})  # clamped to the end
        assert r.status_code == 206
        assert r.content == BODY[5000:]
        r = http.get(url, headers={"Range": f"bytes={len(BODY)}-"})
        assert r.status_code == 416
        assert r.headers["content-range"] == f"bytes */{len(BODY)}"
        r = http.get(url, headers={"Range": "bytes=0-1,5-6"})  # multi-range: whole body
        assert r.status_code == 200
        assert r.content == BODY
        r = http.head(url)
        assert r.status_code == 200
        assert r.headers["content-length"] == str(len(BODY))


def test_parse_range_edges() -> None:
    assert parse_range(None, 10) is None
    assert parse_range("bytes=0-0", 10) == (0, 0)
    assert parse_range("bytes=-0", 10) is False
    assert parse_range("bytes=5-2", 10) is None
    assert parse_range("bytes=0-", 0) is False
    assert parse_range("items=0-1", 10) is None
    assert parse_range("bytes=-100", 10) == (0, 9)


def test_downloads_get_an_attachment_header(media: Any) -> None:
    store, _, http = media
    entry = store.add("s", 1, b"a,b\n", "text/csv", filename='résumé "x".csv', attachment=True)
    r = http.get("/" + url_for(entry))
    assert r.content == b"a,b\n"
    disposition = r.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="r_sum_ _x_.csv"')
    assert "filename*=UTF-8''r%C3%A9sum%C3%A9%20%22x%22.csv" in disposition


def test_svg_and_html_never_run_script_when_opened(media: Any) -> None:
    store, _, http = media
    svg = store.add(
        "s",
        1,
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>x()</script></svg>",
        "image/svg+xml",
    )
    html = store.add("s", 1, b"<script>alert(1)</script>", "text/html")
    for entry in (svg, html):
        r = http.get("/" + url_for(entry))
        csp = r.headers["content-security-policy"]
        assert "sandbox" in csp
        assert "default-src 'none'" in csp


def test_unknown_expired_nested_and_wrong_method(media: Any) -> None:
    store, _, http = media
    entry = store.add("s", 1, b"x", "text/plain", now=0)
    store.run_finished("s", 2, complete=True, now=0)  # grace 30 s from t=0: long over
    assert http.get("/" + url_for(entry)).status_code == 404
    assert http.get("/_bastion/media/" + "A" * 24 + ".png").status_code == 404
    live = store.add("s", 3, b"y", "text/plain")
    assert http.get(f"/_bastion/media/x/{live.id}.txt").status_code == 404
    assert http.post("/" + url_for(live)).status_code == 405


def test_a_path_swapped_for_a_symlink_is_not_served(media: Any, tmp_path: Path) -> None:
    store, _, http = media
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"secret")
    d = tmp_path / "pub"
    d.mkdir()
    f = d / "a.txt"
    f.write_bytes(b"public")
    entry = store.add("s", 1, f)
    assert http.get("/" + url_for(entry)).content == b"public"
    f.unlink()
    os.symlink(secret, f)
    assert http.get("/" + url_for(entry)).status_code == 404
