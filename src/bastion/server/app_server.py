"""The app server: one ASGI application per app script.

Routes (under the base URL path):
    GET  /_bastion/health     "ok" once the app can take a browser connection
    WS   /_bastion/stream     the app protocol (see `app_socket`)
    GET  /_bastion/media/...  media of a session's elements, by unguessable id (`media_route`)
    *    /_bastion/upload/... file uploads, streamed to disk with limits (`upload_route`)
    GET  /assets/...          built frontend, hashed names, precompressed (see `static`)
    GET  /...                 index.html for every other path (client-side routes, multipage)

Every HTTP response carries the security headers (`headers`); index.html is never cached, hashed
assets are cached for a year.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from bastion.server import static
from bastion.server.headers import security_headers

HEALTH_PATH = "/_bastion/health"
STREAM_PATH = "/_bastion/stream"

Lifespan = Callable[[Starlette], AbstractAsyncContextManager[None]]


@dataclass
class HttpOptions:
    """What the HTTP side needs; filled from the app config by the composition root."""

    base_url_path: str = ""
    frame_ancestors: str = "'self'"
    tls: bool = False
    static_root: Path = static.STATIC_DIR
    extra_headers: Mapping[str, str] = field(default_factory=dict)


class SecurityHeaders:
    """Adds the security headers to every HTTP response (not to WebSocket frames)."""

    def __init__(self, app: ASGIApp, headers: Mapping[str, str]) -> None:
        self.app = app
        self.raw = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        self.names = {k for k, _ in self.raw}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict[str, object]) -> None:
            if message["type"] == "http.response.start":
                existing = list(message.get("headers", []))  # type: ignore[call-overload]
                present = {k for k, _ in existing}
                existing.extend((k, v) for k, v in self.raw if k not in present)
                message["headers"] = existing
            await send(message)

        await self.app(scope, receive, send_with_headers)  # type: ignore[arg-type]


def render_index(html: bytes, base: str) -> bytes:
    """Point the built page at `base` (the base URL path, "" for the root).

    Vite builds with relative asset URLs; the page may be served at any depth (client routes,
    multipage), so asset URLs become absolute, and the frontend learns the base from a meta tag
    instead of guessing it from the location.
    """
    prefix = (base + "/").encode()
    html = html.replace(b'"./assets/', b'"' + prefix + b"assets/")
    return html.replace(
        b'name="bastion-base" content="/"', b'name="bastion-base" content="' + prefix + b'"'
    )


def _index_route(options: HttpOptions, base: str) -> Route:
    cached: list[bytes] = []

    async def index(request: Request) -> Response:
        if not cached:
            raw = static.index_html(options.static_root)
            if raw is None:
                return PlainTextResponse(static.frontend_missing_message(), status_code=503)
            cached.append(render_index(raw, base))
        return Response(
            cached[0],
            media_type="text/html; charset=utf-8",
            headers={"Cache-Control": "no-cache"},
        )

    return Route("/{path:path}", index, methods=["GET", "HEAD"])


def build_app(
    *,
    stream: BaseRoute | None,
    is_ready: Callable[[], bool] | None = None,
    options: HttpOptions | None = None,
    lifespan: Lifespan | None = None,
    extra_routes: Sequence[BaseRoute] = (),
) -> ASGIApp:
    """Compose the routes; `stream` is the WebSocket route from `app_socket`; `extra_routes`
    (media, uploads...) are matched before the index page's catch-all."""
    options = options or HttpOptions()

    async def health(request: Request) -> Response:
        if is_ready is not None and not is_ready():
            return PlainTextResponse(
                "starting", status_code=503, headers={"Cache-Control": "no-store"}
            )
        return PlainTextResponse("ok", headers={"Cache-Control": "no-store"})

    routes: list[BaseRoute] = [Route(HEALTH_PATH, health, methods=["GET", "HEAD"])]
    if stream is not None:
        routes.append(stream)
    routes += extra_routes
    base = "/" + options.base_url_path.strip("/") if options.base_url_path.strip("/") else ""
    routes += [
        Mount("/assets", app=static.StaticAssets(options.static_root / "assets")),
        _index_route(options, base),
    ]
    app: ASGIApp = Starlette(routes=routes, lifespan=lifespan)
    if base:
        app = Starlette(routes=[Mount(base, app=app)], lifespan=lifespan)
    headers = dict(security_headers(frame_ancestors=options.frame_ancestors, tls=options.tls))
    headers.update(options.extra_headers)
    return SecurityHeaders(app, headers)
