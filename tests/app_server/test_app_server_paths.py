"""The path attack list: every route that serves files from disk, through real uvicorn, with raw
request targets (no client-side normalization), must serve nothing outside its root."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from starlette.routing import Mount

from bastion.app.media import MediaStore
from bastion.app.paths import UnsafePath, safe_join
from bastion.app.uploads import UploadStore
from bastion.server.app_server import HttpOptions, build_app
from bastion.server.app_static import AppStatic
from bastion.server.media_route import MediaRoute
from bastion.server.upload_route import UploadRoute

Serve = Callable[[Any], AbstractContextManager[str]]
SECRET = b"TOP-SECRET-0451"

ATTACKS = [
    "../secret.txt",
    "../../secret.txt",
    "..%2fsecret.txt",
    "..%2F..%2Fsecret.txt",
    "%2e%2e/secret.txt",
    "%2e%2e%2fsecret.txt",
    ".%2e/secret.txt",
    "%2e./secret.txt",
    "..%5csecret.txt",
    "..%5c..%5csecret.txt",
    "%252e%252e%252fsecret.txt",
    "..%252fsecret.txt",
    "%c0%ae%c0%ae/secret.txt",
    "%c0%af..%c0%afsecret.txt",
    "....//secret.txt",
    "..;/secret.txt",
    "sub/../../secret.txt",
    "sub/%2e%2e/%2e%2e/secret.txt",
    "/etc/passwd",
    "%2fetc%2fpasswd",
    "//etc/passwd",
    "C:%5cWindows%5cwin.ini",
    "C:/Windows/win.ini",
    "%5c%5cserver%5cshare%5csecret.txt",
    "//server/share/secret.txt",
    "file.txt%00.png",
    "ok.txt%00",
    "link-out",
    "sub/link-out",
    "link-dir/secret.txt",
    "%u002e%u002e/secret.txt",
    ".",
    "..",
    "%2e",
    "",
]
PREFIXES = ["/assets/", "/app/static/", "/_bastion/media/"]


@pytest.fixture
def server(serve: Serve, tmp_path: Path) -> Iterator[str]:
    (tmp_path / "secret.txt").write_bytes(SECRET)
    static = tmp_path / "static"
    for root in (static / "assets", tmp_path / "appdir" / "static"):
        (root / "sub").mkdir(parents=True)
        (root / "ok.txt").write_bytes(b"fine")
        os.symlink(tmp_path / "secret.txt", root / "link-out")
        os.symlink(tmp_path / "secret.txt", root / "sub" / "link-out")
        os.symlink(tmp_path, root / "link-dir")
    app = build_app(
        stream=None,
        options=HttpOptions(static_root=static),
        extra_routes=[
            Mount("/_bastion/media", app=MediaRoute(MediaStore())),
            Mount("/_bastion/upload", app=UploadRoute(UploadStore())),
            Mount("/app/static", app=AppStatic(tmp_path / "appdir" / "static")),
        ],
    )
    with serve(app) as url:
        yield url


def raw_get(url: str, target: str) -> tuple[int, bytes]:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(
            f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode(
                "latin-1"
            )
        )
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1 ") else 0
    return status, data


def test_the_served_files_are_reachable(server: str) -> None:
    assert raw_get(server, "/app/static/ok.txt")[1].endswith(b"fine")
    status, body = raw_get(server, "/app/static/ok.txt")
    assert status == 200
    assert b"x-content-type-options: nosniff" in body.lower()


@pytest.mark.parametrize("prefix", PREFIXES)
def test_no_path_payload_leaves_its_root(server: str, prefix: str) -> None:
    leaks = []
    for attack in ATTACKS:
        status, body = raw_get(server, prefix + attack)
        if SECRET in body or b"root:" in body or status == 200:
            leaks.append((attack, status))
    assert leaks == [], leaks
    assert len(ATTACKS) >= 20


def test_safe_join_units(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "f.txt").write_text("x")
    assert safe_join(tmp_path, "a/f.txt") == (tmp_path / "a" / "f.txt").resolve()
    for bad in (
        "",
        "/a",
        "a/../a/f.txt",
        "a\\f.txt",
        "a/f.txt\x00",
        "C:x",
        "a//f.txt",
        "a/%2e",
        "a/f.txt:stream",
        "a",
        "missing",
    ):
        with pytest.raises(UnsafePath):
            safe_join(tmp_path, bad)
    assert safe_join(tmp_path, "a/new", must_exist=False) == (tmp_path / "a" / "new").resolve()
