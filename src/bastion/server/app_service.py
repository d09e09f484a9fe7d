"""Composition root for `bastion run`: one app script, its runtime, the ASGI app, the listener."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import sys
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, WebSocketRoute

from bastion.app import AppConfig, Runtime, Script
from bastion.server import listen
from bastion.server.app_server import STREAM_PATH, HttpOptions, build_app
from bastion.server.app_socket import StreamEndpoint
from bastion.server.app_static import STATIC_PREFIX, AppStatic
from bastion.server.auth.routes import AuthRoutes
from bastion.server.frames import frame_routes
from bastion.server.guard import CSRF_HEADER, Csrf, HostAllowList, header
from bastion.server.headers import frame_ancestors_value
from bastion.server.media_route import MediaRoute
from bastion.server.upload_route import UploadRoute

log = logging.getLogger("bastion.server")

EXPIRE_INTERVAL = 5.0


def create_app(
    runtime: Runtime,
    *,
    static_root: Path | None = None,
) -> Any:
    """The ASGI application serving `runtime`'s app."""
    server = runtime.config.server
    base = "/" + server.base_url_path.strip("/") if server.base_url_path.strip("/") else ""
    hosts = HostAllowList(server.allowed_hosts, address=server.address)
    csrf = Csrf(enabled=server.enable_xsrf_protection, path=base + "/")
    auth = AuthRoutes(runtime, base)
    endpoint = StreamEndpoint(
        runtime,
        allowed_origins=server.allowed_origins,
        flush_delay=server.flush_interval_ms / 1000,
        hosts=hosts,
        csrf=csrf,
        identify=auth.identify,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        expirer = asyncio.create_task(_expire_forever(runtime, endpoint))
        # Listening first, warming second: health answers at once, and the first page's run does
        # not pay for importing the element modules, the markdown renderer and compiling.
        warming = asyncio.create_task(asyncio.to_thread(warm_up, runtime))
        try:
            yield
        finally:
            expirer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await expirer
            with contextlib.suppress(Exception):
                await warming
            await asyncio.to_thread(runtime.shutdown, 1.0)

    media_routes: list[BaseRoute] = [
        Mount("/_bastion/media", app=MediaRoute(runtime.media)),
        Mount(
            "/_bastion/upload",
            app=UploadRoute(
                runtime.uploads,
                allowed_origins=server.allowed_origins,
                # Double submit, as the WebSocket's Hello: the header must equal the cookie.
                csrf_check=lambda scope: csrf.check(scope, header(scope, CSRF_HEADER.encode())),
            ),
        ),
    ]
    if server.enable_static_serving:
        media_routes.append(
            Mount(STATIC_PREFIX, app=AppStatic(Path(runtime.script.directory) / "static"))
        )
    options = HttpOptions(
        base_url_path=server.base_url_path,
        frame_ancestors=frame_ancestors_value(server.frame_ancestors),
        hosts=hosts,
        csrf=csrf,
    )
    if static_root is not None:
        options.static_root = static_root
    return build_app(
        # A class instance, not a function: Starlette mounts it as raw ASGI, without its
        # WebSocket wrapper and exception middleware.
        stream=WebSocketRoute(STREAM_PATH, endpoint),
        options=options,
        lifespan=lifespan,
        routes=[*frame_routes(runtime.frames), *media_routes, *auth.routes()],
    )


def warm_up(runtime: Runtime) -> None:
    """Import what every run needs and compile the script, then freeze it all out of the GC.

    Objects alive after startup (modules, config, compiled script) are never garbage; freezing them
    keeps every later collection small. No run ever forces a full collection.
    """
    try:
        import bastion
        from bastion.app import markup

        for name in dir(bastion):
            getattr(bastion, name)
        markup.markdown("**warm**")
        markup.inline("*warm*")
        runtime.script.code()
    except Exception:  # a broken script shows its error in the page; warming is best effort
        log.debug("warm-up failed", exc_info=True)
    gc.collect()
    gc.freeze()


async def _expire_forever(runtime: Runtime, endpoint: StreamEndpoint) -> None:
    """The guards' real timer: disconnected sessions past their TTL, idle connections."""
    interval = min(
        EXPIRE_INTERVAL,
        max(0.05, runtime.config.server.disconnected_session_ttl / 4),
        max(0.05, (runtime.config.server.idle_session_timeout or EXPIRE_INTERVAL) / 4),
    )
    while True:
        await asyncio.sleep(interval)
        try:
            runtime.expire()
            endpoint.close_idle()
        except Exception:  # a bug here must not stop expiry for good
            log.exception("session expiry failed")


def app_url(host: str, port: int, base_url_path: str = "") -> str:
    shown = "localhost" if host in ("127.0.0.1", "::1", "localhost") else host
    if ":" in shown:
        shown = f"[{shown}]"
    base = "/" + base_url_path.strip("/") if base_url_path.strip("/") else ""
    return f"http://{shown}:{port}{base}/"


def serve(
    script_path: str | os.PathLike[str],
    config: AppConfig,
    *,
    script_args: list[str] | None = None,
    on_started: Callable[[str], None] | None = None,
    services: Mapping[str, Any] | None = None,
) -> None:
    """Run the app server in the foreground until interrupted. `services`: objects the
    composition root hands the script (see `Runtime.services`)."""
    script = Script(path=script_path, magic=config.runner.magic_enabled)
    sys.argv = [str(script_path), *(script_args or [])]
    runtime = Runtime(script, config, services=services)
    app = create_app(runtime)
    server = config.server
    sock = listen.bind(server.address, server.port)
    port = sock.getsockname()[1]
    url = app_url(server.address, port, server.base_url_path)
    if server.ssl_cert_file:
        url = "https" + url[4:]

    def started() -> None:
        if on_started is not None:
            on_started(url)

    # The frame cap is enforced by uvicorn while reading, and again by the endpoint.
    listen.run(
        app,
        sock,
        on_started=started,
        ws_max_size=server.max_message_size * 1024 * 1024,
        trusted_proxies=server.trusted_proxies,
        ssl_certfile=server.ssl_cert_file,
        ssl_keyfile=server.ssl_key_file,
    )
