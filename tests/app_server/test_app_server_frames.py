"""Frame routes (components.html documents, declared components' files) and the guard's config
rules, in process over the ASGI transport."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from bastion.app import Runtime, Script, load_config
from bastion.app.config import ConfigError
from bastion.app.frames import ComponentSource
from bastion.server.app_service import create_app

pytestmark = pytest.mark.anyio


def _client(tmp_path: Path) -> tuple[Runtime, httpx.AsyncClient]:
    config = load_config(cwd=tmp_path, home=tmp_path, env={})
    runtime = Runtime(Script(source="import bastion as st\n", name="f.py"), config)
    app = create_app(runtime, static_root=tmp_path)
    transport = httpx.ASGITransport(app=app)
    return runtime, httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8501")


async def test_a_frame_document_is_sandboxed_by_its_own_csp(tmp_path: Path) -> None:
    runtime, http = _client(tmp_path)
    digest = runtime.frames.put_html("<script>1</script>")
    async with http:
        response = await http.get(f"/_bastion/frame/{digest}")
        missing = await http.get("/_bastion/frame/" + "0" * 64)
        odd = await http.get("/_bastion/frame/..%2F..%2Fetc%2Fpasswd")
    assert response.status_code == 200
    assert response.text == "<script>1</script>"
    csp = response.headers["content-security-policy"]
    assert csp.startswith("sandbox allow-scripts;")
    assert "allow-same-origin" not in csp
    assert "frame-ancestors 'self'" in csp
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert missing.status_code == 404
    assert odd.status_code in (404, 503)  # 503: the catch-all page route, no page built here
    assert b"root:" not in odd.content


async def test_component_files_never_leave_their_folder(tmp_path: Path) -> None:
    folder = tmp_path / "comp"
    (folder / "static").mkdir(parents=True)
    (folder / "index.html").write_text("<p>component</p>")
    (folder / "static" / "main.js").write_text("console.log(1)")
    (tmp_path / "secret.txt").write_text("secret")
    os.symlink(tmp_path / "secret.txt", folder / "link.txt")
    runtime, http = _client(tmp_path)
    runtime.frames.register(ComponentSource("comp", path=folder))
    async with http:
        index = await http.get("/_bastion/component/comp/index.html")
        script = await http.get("/_bastion/component/comp/static/main.js")
        attacks = [
            await http.get(f"/_bastion/component/comp/{p}")
            for p in (
                "../secret.txt",
                "..%2Fsecret.txt",
                "static/../../secret.txt",
                "%2Fetc%2Fpasswd",
                "..%5Csecret.txt",
                "index.html%00.js",
                "link.txt",
                "",
            )
        ]
        unknown = await http.get("/_bastion/component/nope/index.html")
    assert index.status_code == 200
    assert index.headers["content-security-policy"].startswith("sandbox allow-scripts;")
    assert script.headers["content-type"].startswith("text/javascript")
    # 404 from the component route, or the page's catch-all (503 here: no page built)
    assert all(r.status_code in (404, 503) for r in attacks), [r.status_code for r in attacks]
    assert all(b"secret" not in r.content for r in attacks)
    assert unknown.status_code == 404


def test_development_mode_is_refused_off_loopback(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="only allowed on a loopback address"):
        load_config(
            cwd=tmp_path,
            home=tmp_path,
            env={},
            overrides={"server.mode": "development", "server.address": "0.0.0.0"},
        )
    config = load_config(cwd=tmp_path, home=tmp_path, env={}, overrides={"server.address": "::"})
    assert Runtime(Script(source="", name="x.py"), config).show_tracebacks is False
    local = load_config(cwd=tmp_path, home=tmp_path, env={})
    assert Runtime(Script(source="", name="x.py"), local).show_tracebacks is True


def test_ssl_files_go_together(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="go together"):
        load_config(cwd=tmp_path, home=tmp_path, env={}, overrides={"server.sslCertFile": "c"})
