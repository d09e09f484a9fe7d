"""HTTP side of the app server, in process over the ASGI transport: headers, assets, health."""

from __future__ import annotations

import gzip
from pathlib import Path

import httpx
import pytest

from bastion.server.app_server import HttpOptions, build_app, render_index
from bastion.server.static import safe_asset_path

INDEX = b"""<!doctype html><html><head><meta name="bastion-base" content="/" />
<script type="module" crossorigin src="./assets/index-AbCdEf12.js"></script></head>
<body><div id="root"></div></body></html>"""
pytestmark = pytest.mark.anyio

JS = b"console.log('bastion');\n" * 40


@pytest.fixture
def static_root(tmp_path: Path) -> Path:
    root = tmp_path / "static"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_bytes(INDEX)
    (root / "assets" / "index-AbCdEf12.js").write_bytes(JS)
    (root / "assets" / "index-AbCdEf12.js.gz").write_bytes(gzip.compress(JS))
    (root / "assets" / "index-AbCdEf12.js.br").write_bytes(b"brotli-bytes")
    (root / "assets" / "plain.txt").write_bytes(b"not hashed")
    (tmp_path / "secret.txt").write_bytes(b"outside the static root")
    return root


def client(root: Path, **options: object) -> httpx.AsyncClient:
    app = build_app(stream=None, options=HttpOptions(static_root=root, **options))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost")


async def test_health_is_ok_and_never_cached(static_root: Path) -> None:
    async with client(static_root) as http:
        response = await http.get("/_bastion/health")
    assert response.status_code == 200
    assert response.text == "ok"
    assert response.headers["cache-control"] == "no-store"


async def test_health_says_503_until_ready(static_root: Path) -> None:
    app = build_app(
        stream=None, is_ready=lambda: False, options=HttpOptions(static_root=static_root)
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
        response = await http.get("/_bastion/health")
    assert response.status_code == 503


async def test_every_response_has_a_strict_csp(static_root: Path) -> None:
    async with client(static_root) as http:
        for path in (
            "/",
            "/some/page",
            "/assets/index-AbCdEf12.js",
            "/_bastion/health",
            "/nope/x.js",
        ):
            response = await http.get(path)
            csp = response.headers["content-security-policy"]
            assert "script-src 'self';" in csp, path
            assert "unsafe-inline" not in csp
            assert "unsafe-eval" not in csp
            assert "object-src 'none'" in csp
            assert "base-uri 'none'" in csp
            assert "frame-ancestors 'none'" in csp
            assert response.headers["x-frame-options"] == "DENY"
            assert response.headers["x-content-type-options"] == "nosniff"


async def test_index_is_served_for_client_routes_and_never_cached(static_root: Path) -> None:
    async with client(static_root) as http:
        response = await http.get("/deep/client/route")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    # Asset URLs become absolute so the page works at any depth.
    assert b'src="/assets/index-AbCdEf12.js"' in response.content
    assert b"<script>" not in response.content


async def test_base_url_path_prefixes_every_route(static_root: Path) -> None:
    async with client(static_root, base_url_path="/apps/demo/") as http:
        index = await http.get("/apps/demo/")
        health = await http.get("/apps/demo/_bastion/health")
        asset = await http.get("/apps/demo/assets/index-AbCdEf12.js")
        outside = await http.get("/_bastion/health")
    assert b'src="/apps/demo/assets/index-AbCdEf12.js"' in index.content
    assert b'content="/apps/demo/"' in index.content
    assert health.text == "ok"
    assert asset.status_code == 200
    assert outside.status_code == 404


async def test_hashed_assets_are_immutable_and_precompressed(static_root: Path) -> None:
    async with client(static_root) as http:
        br = await http.get("/assets/index-AbCdEf12.js", headers={"accept-encoding": "br, gzip"})
        gz = await http.get("/assets/index-AbCdEf12.js", headers={"accept-encoding": "gzip"})
        raw = await http.get("/assets/index-AbCdEf12.js", headers={"accept-encoding": "identity"})
        unhashed = await http.get("/assets/plain.txt")
    assert br.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert br.headers["content-encoding"] == "br"
    assert br.headers["content-type"].startswith("text/javascript")
    assert br.headers["vary"] == "Accept-Encoding"
    assert gz.headers["content-encoding"] == "gzip"
    assert gz.content == JS  # httpx decodes gzip: the precompressed file is the same asset
    assert "content-encoding" not in raw.headers
    assert raw.content == JS
    assert unhashed.headers["cache-control"] == "no-cache"


async def test_gzip_refused_with_q_zero_is_not_sent(static_root: Path) -> None:
    async with client(static_root) as http:
        response = await http.get(
            "/assets/index-AbCdEf12.js", headers={"accept-encoding": "gzip;q=0, identity"}
        )
    assert "content-encoding" not in response.headers


@pytest.mark.parametrize(
    "path",
    [
        "/assets/../secret.txt",
        "/assets/%2e%2e/secret.txt",
        "/assets/..%2fsecret.txt",
        "/assets/%2fetc%2fpasswd",
        "/assets/index-AbCdEf12.js%00.png",
        "/assets/..\\secret.txt",
        "/assets/C:%5cwindows",
        "/assets/%5c%5cserver%5cshare",
        "/assets/index-AbCdEf12.js.br",
        "/assets/",
        "/assets/missing-12345678.js",
    ],
)
async def test_asset_paths_outside_the_build_are_404(static_root: Path, path: str) -> None:
    async with client(static_root) as http:
        response = await http.get(path)
    assert response.status_code == 404 or b"outside" not in response.content
    assert b"outside the static root" not in response.content


def test_safe_asset_path_rejects_symlinks_out_of_the_root(static_root: Path) -> None:
    (static_root / "assets" / "link-12345678.js").symlink_to(static_root.parent / "secret.txt")
    assert safe_asset_path(static_root / "assets", "/link-12345678.js") is None
    assert safe_asset_path(static_root / "assets", "/index-AbCdEf12.js") is not None


def test_assets_reject_other_methods_and_missing_frontend_says_how_to_fix(tmp_path: Path) -> None:
    page = render_index(INDEX, "/x")
    assert b'content="/x/"' in page


async def test_missing_build_is_a_clear_503(tmp_path: Path) -> None:
    async with client(tmp_path / "nothing") as http:
        response = await http.get("/")
    assert response.status_code == 503
    assert "npm run build" in response.text


def test_the_built_page_fits_the_csp() -> None:
    """The real build (scripts/setup makes it): scripts only by URL, no inline handlers or styles,
    and assets with content-hashed names, each precompressed."""
    import re

    from bastion.server.static import STATIC_DIR

    html = (STATIC_DIR / "index.html").read_text()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts, "the page loads its code as a module script"
    assert all(" src=" in tag for tag in scripts)
    assert not re.search(r"<script\b[^>]*>\s*[^<\s]", html), "inline script"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
    assert " style=" not in html
    for asset in (STATIC_DIR / "assets").iterdir():
        if asset.suffix in (".js", ".css"):
            assert re.search(r"-[A-Za-z0-9_-]{8}\.(js|css)$", asset.name), asset.name
            if asset.stat().st_size >= 256:  # smaller ones are not worth compressing
                assert asset.with_name(asset.name + ".br").is_file()
                assert asset.with_name(asset.name + ".gz").is_file()


def test_the_eager_core_stays_within_150_kb_gzip() -> None:
    """Issue 3's budget for what the first page loads before any lazy chunk."""
    import re

    from bastion.server.static import STATIC_DIR

    html = (STATIC_DIR / "index.html").read_text()
    eager = re.findall(r'(?:src|href)="\./(assets/[^"]+\.(?:js|css))"', html)
    assert eager
    total = sum((STATIC_DIR / f"{name}.gz").stat().st_size for name in eager)
    assert total <= 150 * 1024, f"eager core is {total / 1024:.0f} KB gzip"
