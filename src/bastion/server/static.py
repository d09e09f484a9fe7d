"""The built frontend, served from the package: hashed assets cached forever, precompressed.

Vite writes `index.html` plus `assets/<name>-<hash>.<ext>` and, beside each compressible file, a
`.br` and a `.gz` made at build time. So this handler never compresses on the request path: it
picks the best encoding the client accepts and sends the file as it is on disk.

Every path goes through `safe_asset_path` before any filesystem call: Streamlit's advisories were
mostly path bugs in file serving (traversal, absolute and UNC paths).
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

from starlette.datastructures import Headers
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from bastion.app.paths import UnsafePath, safe_join

STATIC_DIR = Path(__file__).parent / "static"

# `name-HASH.ext`: Vite's default asset names. Only these are cached as immutable.
_HASHED = re.compile(r"-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$")
_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9_.@-]+$")
_ENCODINGS = (("br", ".br"), ("gzip", ".gz"))
_TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css"}


def safe_asset_path(root: Path, url_path: str) -> Path | None:
    """Resolve `url_path` under `root`, or None when it is anything but a plain relative path.

    Built assets have conservative names, so any segment outside that character set is refused
    first; the rest is the one safe path join (`bastion.app.paths.safe_join`): no empty, dot or
    dot-dot segments, backslashes, NUL or drive letters, and containment checked after resolving
    symlinks.
    """
    relative = url_path.strip("/")
    if not all(_SAFE_SEGMENT.match(s) for s in relative.split("/")):
        return None
    try:
        return safe_join(root, relative)
    except UnsafePath:
        return None


def _media_type(path: Path) -> str:
    guessed = mimetypes.guess_type(path.name)[0]
    return _TYPES.get(path.suffix) or guessed or "application/octet-stream"


def _accepted(headers: Headers) -> set[str]:
    accepted: set[str] = set()
    for part in headers.get("accept-encoding", "").split(","):
        token, _, params = part.strip().partition(";")
        if params.replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000"):
            continue
        accepted.add(token.strip().lower())
    return accepted


@dataclass(frozen=True)
class StaticAssets:
    """ASGI app for `/assets/...` (and any other built file). Never serves index.html: that is
    rendered per request with its security headers by the app server."""

    root: Path = STATIC_DIR

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = self.response_for(scope)
        await response(scope, receive, send)

    def response_for(self, scope: Scope) -> Response:
        if scope["method"] not in ("GET", "HEAD"):
            return PlainTextResponse("method not allowed", status_code=405)
        # Under a Mount, Starlette keeps the full path and records the mount point in root_path.
        route_path = scope["path"].removeprefix(scope.get("root_path", ""))
        path = safe_asset_path(self.root, route_path)
        if path is None or path.suffix in (".br", ".gz"):
            return PlainTextResponse("not found", status_code=404)
        headers = {
            "Cache-Control": "public, max-age=31536000, immutable"
            if _HASHED.search(path.name)
            else "no-cache",
            "Vary": "Accept-Encoding",
            "X-Content-Type-Options": "nosniff",
        }
        accepted = _accepted(Headers(scope=scope))
        for encoding, suffix in _ENCODINGS:
            variant = path.with_name(path.name + suffix)
            if encoding in accepted and variant.is_file():
                headers["Content-Encoding"] = encoding
                return FileResponse(variant, media_type=_media_type(path), headers=headers)
        return FileResponse(path, media_type=_media_type(path), headers=headers)


def index_html(root: Path = STATIC_DIR) -> bytes | None:
    """The built index page, or None when the frontend has not been built."""
    path = root / "index.html"
    try:
        return path.read_bytes()
    except OSError:
        return None


def frontend_missing_message(root: Path = STATIC_DIR) -> str:
    return (
        f"the frontend is not built: {root / 'index.html'} is missing. "
        "Run scripts/setup (or `cd frontend && npm ci --ignore-scripts && npm run build`)."
    )


__all__ = ["STATIC_DIR", "StaticAssets", "frontend_missing_message", "index_html"]
