"""HTTP routes for sandboxed frames: `components.html` documents and declared components' files.

Every response that is a document carries its own CSP with `sandbox allow-scripts`: the browser
gives it an opaque origin even when someone opens the URL directly, so its scripts can never act as
the app (no cookies, no storage, no same-origin access to the page or its socket). The page frames
it with the same sandbox attribute (`frontend/src/elements/Frame.tsx`).
"""

from __future__ import annotations

import mimetypes
import re

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from bastion.app.frames import FrameStore

FRAME_PATH = "/_bastion/frame/{digest}"
COMPONENT_PATH = "/_bastion/component/{name}/{path:path}"
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


def frame_csp(origin: str) -> str:
    # Inside the sandbox scripts may run (that is the point of a component); what they can reach
    # is only their own opaque document. Subresources over https (CDN libraries) are allowed.
    own = f" {origin}" if origin else ""
    return "; ".join(
        [
            "sandbox allow-scripts",
            "default-src 'none'",
            f"script-src 'self'{own} 'unsafe-inline' https:",
            f"style-src 'self'{own} 'unsafe-inline' https:",
            "img-src * data: blob:",
            "font-src * data:",
            "media-src * data: blob:",
            f"connect-src 'self'{own} https:",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'self'",
        ]
    )


def _document_headers(request: Request) -> dict[str, str]:
    origin = f"{request.url.scheme}://{request.url.netloc}" if request.url.netloc else ""
    return {
        "Content-Security-Policy": frame_csp(origin),
        "X-Frame-Options": "SAMEORIGIN",
        "Referrer-Policy": "no-referrer",
    }


def frame_routes(store: FrameStore) -> list[Route]:
    async def document(request: Request) -> Response:
        digest = request.path_params["digest"]
        data = store.document(digest) if _DIGEST.match(digest) else None
        if data is None:
            return PlainTextResponse(
                "no such frame (the app replaced it; reload the page)", status_code=404
            )
        headers = _document_headers(request)
        headers["Cache-Control"] = "private, max-age=86400, immutable"  # named by its hash
        return Response(data, media_type="text/html; charset=utf-8", headers=headers)

    async def component_file(request: Request) -> Response:
        target = store.component_file(request.path_params["name"], request.path_params["path"])
        if target is None:
            return PlainTextResponse("not found", status_code=404)
        media_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix in (".js", ".mjs"):
            media_type = "text/javascript"
        headers = {"Cache-Control": "no-cache"}
        if media_type == "text/html":
            headers.update(_document_headers(request))
        return FileResponse(target, media_type=media_type, headers=headers)

    return [
        Route(FRAME_PATH, document, methods=["GET", "HEAD"]),
        Route(COMPONENT_PATH, component_file, methods=["GET", "HEAD"]),
    ]
