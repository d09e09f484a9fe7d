"""The exec service as one Starlette app: Piston v2 routes (twice: `/api/v2` and emkc's
`/api/v2/piston`), sessions under `/api/v3/sessions`, health, metrics and the OpenAPI document.

It sees the engine only through `bastion.protocol.exec.Sandbox`; the composition root
(`bastion.server.exec_cli`) hands it the real one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bastion._version import __version__
from bastion.protocol.errors import (
    ExecError,
    InvalidJob,
    SandboxUnavailable,
    SessionNotFound,
)
from bastion.protocol.exec import Sandbox
from bastion.sandbox.service import openapi
from bastion.sandbox.service.admission import QueueFull
from bastion.sandbox.service.body import MalformedJSON, read_json
from bastion.sandbox.service.config import ServiceConfig
from bastion.sandbox.service.context import ClientGone, ExecContext, until_disconnect
from bastion.sandbox.service.guard import Guard, principal
from bastion.sandbox.service.health import Health
from bastion.sandbox.service.keys import KeyStore
from bastion.sandbox.service.metrics import CONTENT_TYPE, Metrics
from bastion.sandbox.service.packages import Catalog, Packages, catalog_from_runtimes
from bastion.sandbox.service.piston import RequestError, parse_job, result_json, runtimes_json
from bastion.sandbox.service.ratelimit import RateLimiter, retry_after
from bastion.sandbox.service.sessions import Misdirected, Sessions
from bastion.sandbox.service.ws import connect

log = logging.getLogger("bastion.exec")


def _ctx(request: Request) -> ExecContext:
    ctx: ExecContext = request.app.state.exec
    return ctx


async def banner(request: Request) -> Response:
    return JSONResponse({"message": f"Bastion {__version__} (Piston v2 compatible)"})


async def runtimes(request: Request) -> Response:
    return JSONResponse(runtimes_json(_ctx(request).runtimes()))


async def execute(request: Request) -> Response:
    ctx = _ctx(request)
    body = await read_json(request, ctx.config.max_body_bytes)
    try:
        parsed = parse_job(body, ctx.runtimes(), ctx.config.limits)
    except RequestError:
        ctx.metrics.rejected.labels("invalid").inc()
        raise
    key = principal(request.scope)
    try:
        result = await until_disconnect(request.receive, lambda: ctx.run(parsed.job, key))
    except ClientGone:
        return Response(status_code=499)  # nobody reads it; keeps the access log honest
    return JSONResponse(result_json(result))


async def packages_list(request: Request) -> Response:
    return JSONResponse(_ctx(request).packages.listing())


async def packages_install(request: Request) -> Response:
    ctx = _ctx(request)
    body = await read_json(request, ctx.config.max_body_bytes)
    return JSONResponse(await ctx.packages.install(body))


async def packages_uninstall(request: Request) -> Response:
    ctx = _ctx(request)
    body = await read_json(request, ctx.config.max_body_bytes)
    return JSONResponse(ctx.packages.uninstall(body))


async def health(request: Request) -> Response:
    report = await request.app.state.health.check()
    return JSONResponse(report.body, status_code=200 if report.ok else 503)


async def metrics(request: Request) -> Response:
    return Response(_ctx(request).metrics.render(), media_type=CONTENT_TYPE)


async def openapi_json(request: Request) -> Response:
    return JSONResponse(openapi.document())


def piston_routes(base: str) -> list[BaseRoute]:
    return [
        Route(f"{base}/runtimes", runtimes, methods=["GET"]),
        Route(f"{base}/execute", execute, methods=["POST"]),
        WebSocketRoute(f"{base}/connect", connect),
        Route(f"{base}/packages", packages_list, methods=["GET"]),
        Route(f"{base}/packages", packages_install, methods=["POST"]),
        Route(f"{base}/packages", packages_uninstall, methods=["DELETE"]),
    ]


# -- errors: always a JSON `message`, never a traceback or an empty 500 --------------------------


def _message(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"message": message}, status_code=status, headers=headers)


async def _on_request_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, RequestError):  # pragma: no cover - registered for this type only
        raise exc
    if isinstance(exc, MalformedJSON):
        return JSONResponse({"stack": exc.stack, "message": exc.message}, status_code=400)
    return _message(exc.status, exc.message)


async def _on_exec_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, InvalidJob):
        return _message(400, exc.message)
    if isinstance(exc, SessionNotFound):
        return _message(404, str(exc))
    if isinstance(exc, SandboxUnavailable):
        return _message(503, str(exc), {"Retry-After": "30"})
    log.error("exec error on %s: %s", request.url.path, exc)
    return _message(500, str(exc) or type(exc).__name__)


async def _on_queue_full(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, QueueFull):  # pragma: no cover
        raise exc
    _ctx(request).metrics.rejected.labels("queue_full").inc()
    return _message(503, str(exc), {"Retry-After": retry_after(exc.retry_after_s)})


async def _on_http(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):  # pragma: no cover
        raise exc
    if exc.status_code in (404, 405):
        return _message(404, "Not Found")  # Express answers an unmatched method with 404 too
    return _message(exc.status_code, exc.detail)


async def _on_misdirected(request: Request, exc: Exception) -> Response:
    return _message(421, str(exc))


async def _on_crash(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return _message(500, f"internal error ({type(exc).__name__}); the server log has details")


class ReplicaHeader:
    """Tag every response with the replica that served it (for pinning and debugging)."""

    def __init__(self, app: ASGIApp, *, replica: str) -> None:
        self.app = app
        self.header = (b"x-bastion-replica", replica.encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def tagged(message: Message) -> None:
            if message["type"] in ("http.response.start", "websocket.accept"):
                message = {**message, "headers": [*message.get("headers", []), self.header]}
            await send(message)

        await self.app(scope, receive, tagged if scope["type"] != "lifespan" else send)


# -- the app ---------------------------------------------------------------------------------


def create_app(
    sandbox: Sandbox,
    config: ServiceConfig | None = None,
    *,
    keys: KeyStore | None = None,
    catalog: Catalog | None = None,
    state_dir: Path | None = None,
) -> Starlette:
    """Build the service around a sandbox. `catalog` lists runtime packages (default: what the
    sandbox provides); `state_dir` keeps package choices across restarts."""
    cfg = config or ServiceConfig()
    metrics_ = Metrics()
    packages = Packages(
        catalog or catalog_from_runtimes(sandbox.runtimes),
        sandbox.run,
        state_dir / "packages.json" if state_dir else None,
    )
    ctx = ExecContext(sandbox=sandbox, config=cfg, metrics=metrics_, packages=packages)
    sessions = Sessions(ctx)
    health_ = Health(ctx)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        reaper = asyncio.create_task(sessions.reap_forever())
        try:
            yield
        finally:
            reaper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reaper
            await sessions.close_all()

    routes: list[BaseRoute] = [
        Route("/", banner, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        Route("/openapi.json", openapi_json, methods=["GET"]),
        *piston_routes("/api/v2"),
        *piston_routes("/api/v2/piston"),
        *sessions.routes(),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(Guard, config=cfg, keys=keys, limiter=RateLimiter(), metrics=metrics_)
        ],
        exception_handlers={
            RequestError: _on_request_error,
            ExecError: _on_exec_error,
            QueueFull: _on_queue_full,
            Misdirected: _on_misdirected,
            HTTPException: _on_http,
            Exception: _on_crash,
        },
        lifespan=lifespan,
    )
    if cfg.replica:
        app.add_middleware(ReplicaHeader, replica=cfg.replica)
    app.state.exec = ctx
    app.state.health = health_
    app.state.sessions = sessions
    return app
