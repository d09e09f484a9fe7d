"""Composition root for `bastion run`: one app script, its runtime, the ASGI app, the listener."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import sys
from collections.abc import AsyncIterator, Callable
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
from bastion.server.media_route import MediaRoute
from bastion.server.upload_route import CsrfCheck, UploadRoute

log = logging.getLogger("bastion.server")

EXPIRE_INTERVAL = 5.0


def create_app(
    runtime: Runtime,
    *,
    static_root: Path | None = None,
    upload_csrf_check: CsrfCheck | None = None,
) -> Any:
    """The ASGI application serving `runtime`'s app. `upload_csrf_check` is the CSRF hook of
    the upload route (see `upload_route.CsrfCheck`)."""
    server = runtime.config.server
    base = "/" + server.base_url_path.strip("/") if server.base_url_path.strip("/") else ""
    auth = AuthRoutes(runtime, base)
    endpoint = StreamEndpoint(
        runtime,
        allowed_origins=server.allowed_origins,
        flush_delay=server.flush_interval_ms / 1000,
        identify=auth.identify,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        expirer = asyncio.create_task(_expire_forever(runtime))
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

    extra: list[BaseRoute] = [
        Mount("/_bastion/media", app=MediaRoute(runtime.media)),
        Mount(
            "/_bastion/upload",
            app=UploadRoute(
                runtime.uploads,
                allowed_origins=server.allowed_origins,
                csrf_check=upload_csrf_check,
            ),
        ),
    ]
    if server.enable_static_serving:
        extra.append(Mount(STATIC_PREFIX, app=AppStatic(Path(runtime.script.directory) / "static")))
    options = HttpOptions(base_url_path=server.base_url_path)
    if static_root is not None:
        options.static_root = static_root
    return build_app(
        # A class instance, not a function: Starlette mounts it as raw ASGI, without its
        # WebSocket wrapper and exception middleware.
        stream=WebSocketRoute(STREAM_PATH, endpoint),
        options=options,
        lifespan=lifespan,
        extra_routes=[*extra, *auth.routes()],
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


async def _expire_forever(runtime: Runtime) -> None:
    while True:
        await asyncio.sleep(EXPIRE_INTERVAL)
        try:
            runtime.expire()
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
) -> None:
    """Run the app server in the foreground until interrupted."""
    script = Script(path=script_path, magic=config.runner.magic_enabled)
    sys.argv = [str(script_path), *(script_args or [])]
    runtime = Runtime(script, config)
    app = create_app(runtime)
    server = config.server
    sock = listen.bind(server.address, server.port)
    port = sock.getsockname()[1]
    url = app_url(server.address, port, server.base_url_path)

    def started() -> None:
        if on_started is not None:
            on_started(url)

    # The frame cap is enforced by uvicorn while reading, and again by the endpoint.
    listen.run(app, sock, on_started=started, ws_max_size=server.max_message_size * 1024 * 1024)
