"""``/app/static/<path>``: the app's own static folder (`server.enableStaticServing`, as in
Streamlit), ``static/`` beside the script.

Off by default. Every path goes through the one safe path join (`bastion.app.paths`). As in
Streamlit, only types that cannot run script in a page are served with their own type; anything
else is served as ``text/plain``, always with ``nosniff`` and a sandbox CSP, so an HTML or SVG file
in the folder can never run script in the app's origin.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from bastion.app.paths import UnsafePath, safe_join
from bastion.server.media_route import MEDIA_CSP

STATIC_PREFIX = "/app/static"
_SAFE_TYPES = {
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/avif",
    "image/x-icon",
    "image/vnd.microsoft.icon",
    "font/woff",
    "font/woff2",
    "font/ttf",
    "font/otf",
    "application/pdf",
    "application/json",
    "text/csv",
    "text/plain",
    "audio/mpeg",
    "audio/wav",
    "audio/x-wav",
    "audio/ogg",
    "video/mp4",
    "video/webm",
}


class AppStatic:
    def __init__(self, root: Path) -> None:
        self.root = root

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.response_for(scope)(scope, receive, send)

    def response_for(self, scope: Scope) -> Response:
        if scope["method"] not in ("GET", "HEAD"):
            return PlainTextResponse("method not allowed", status_code=405)
        relative = scope["path"].removeprefix(scope.get("root_path", "")).lstrip("/")
        try:
            path = safe_join(self.root, relative)
        except UnsafePath:
            return PlainTextResponse("not found", status_code=404)
        guessed = mimetypes.guess_type(path.name)[0] or ""
        media_type = guessed if guessed in _SAFE_TYPES else "text/plain"
        headers = {
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": MEDIA_CSP,
            "Cache-Control": "no-cache",
        }
        return FileResponse(path, media_type=media_type, headers=headers)
