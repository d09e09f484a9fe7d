"""Stateful sandbox sessions over HTTP, under their own versioned prefix `/api/v3/sessions`.

A session is a long-lived sandbox (`Sandbox.open_session`): a persistent work dir, one cgroup,
and for Python and Node a REPL whose variables survive between runs. Routes:

    POST   /api/v3/sessions                      create -> 201 {id, ...}
    GET    /api/v3/sessions                      the caller's sessions
    GET    /api/v3/sessions/{id}                 one session
    POST   /api/v3/sessions/{id}/execute         {language, code, timeout?} -> NDJSON stream
    POST   /api/v3/sessions/{id}/interrupt       stop the running code
    GET    /api/v3/sessions/{id}/files?path=.    list files
    PUT    /api/v3/sessions/{id}/files/{path}    upload (raw body)
    GET    /api/v3/sessions/{id}/files/{path}    download
    DELETE /api/v3/sessions/{id}                 close and clean up

A session belongs to the principal (API key) that created it; others get 404, as if it did not
exist. With several replicas, ids read `<replica>.<token>` so a load balancer can pin every
request of a session to the replica that holds it; a misrouted request gets 421.
The service closes sessions idle past `idle_timeout` or older than `max_lifetime` (a reaper
runs every second), on top of whatever the sandbox enforces itself.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from bastion.protocol.errors import ExecError, SessionNotFound
from bastion.protocol.exec import Limits, SandboxSession, SessionSpec, StreamName
from bastion.sandbox.service.body import read_json, read_limited
from bastion.sandbox.service.context import ExecContext
from bastion.sandbox.service.guard import principal
from bastion.sandbox.service.piston import RequestError, stage_json

PREFIX = "/api/v3/sessions"
log = logging.getLogger("bastion.exec.sessions")


class Misdirected(Exception):
    """A session id names another replica: the load balancer routed it wrongly (HTTP 421)."""

    def __init__(self, sid: str, owner: str, replica: str) -> None:
        super().__init__(
            f"session {sid!r} lives on replica {owner!r}, not {replica!r}; route "
            "/api/v3/sessions/<replica>.<id> to that replica (see the README on replicas)"
        )


@dataclass(kw_only=True)
class _Entry:
    id: str
    session: SandboxSession
    owner: str
    created: float
    idle_timeout_s: float
    max_lifetime_s: float
    last_used: float
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    runs: int = 0

    def expired(self, now: float) -> bool:
        if self.lock.locked():
            return now - self.created > self.max_lifetime_s
        return (
            now - self.last_used > self.idle_timeout_s or now - self.created > self.max_lifetime_s
        )

    def json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created_at": self.created,
            "idle_timeout": self.idle_timeout_s,
            "max_lifetime": self.max_lifetime_s,
            "expires_at": min(
                self.last_used + self.idle_timeout_s, self.created + self.max_lifetime_s
            ),
            "runs": self.runs,
        }


def _number(body: dict[str, Any], name: str, default: float, maximum: float) -> float:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise RequestError(f"{name} must be a positive number of seconds, got {value!r}")
    if value > maximum:
        raise RequestError(f"{name} cannot exceed the configured limit of {maximum:g}")
    return float(value)


class Sessions:
    def __init__(self, ctx: ExecContext) -> None:
        self.ctx = ctx
        self._entries: dict[str, _Entry] = {}
        self._creating = 0

    # -- lifecycle ----------------------------------------------------------------------------

    async def reap_forever(self, interval_s: float = 1.0) -> None:
        while True:
            await asyncio.sleep(interval_s)
            await self.reap()

    async def reap(self) -> None:
        now = time.time()
        for sid in [s for s, e in self._entries.items() if e.expired(now)]:
            await self._drop(sid)

    async def close_all(self) -> None:
        for sid in list(self._entries):
            await self._drop(sid)

    async def _drop(self, sid: str) -> None:
        entry = self._entries.pop(sid, None)
        self.ctx.metrics.sessions.set(len(self._entries))
        if entry is not None:
            with contextlib.suppress(Exception):
                await entry.session.close()

    def _get(self, request: Request) -> _Entry:
        sid = request.path_params["id"]
        replica = self.ctx.config.replica
        owner, dot, _ = sid.partition(".")
        if replica and dot and owner != replica:
            raise Misdirected(sid, owner, replica)
        entry = self._entries.get(sid)
        if entry is None or entry.owner != principal(request.scope):
            raise SessionNotFound(sid)
        if entry.expired(time.time()):
            raise SessionNotFound(sid)
        return entry

    # -- routes -------------------------------------------------------------------------------

    async def create(self, request: Request) -> Response:
        cfg = self.ctx.config
        body = await read_json(request, cfg.max_body_bytes)
        if not isinstance(body, dict):
            raise RequestError("the request body must be a JSON object")
        idle = _number(body, "idle_timeout", cfg.session_idle_timeout_s, cfg.session_idle_timeout_s)
        life = _number(body, "max_lifetime", cfg.session_max_lifetime_s, cfg.session_max_lifetime_s)
        memory = body.get("memory_limit")
        if memory is not None and (
            isinstance(memory, bool) or not isinstance(memory, int) or memory <= 0
        ):
            raise RequestError("memory_limit must be a positive number of bytes")
        if len(self._entries) + self._creating >= cfg.max_sessions:
            self.ctx.metrics.rejected.labels("sessions_full").inc()
            return JSONResponse(
                {"message": f"too many open sessions ({cfg.max_sessions}); close one, retry later"},
                status_code=503,
                headers={"Retry-After": "5"},
            )
        spec = SessionSpec(memory_bytes=memory, idle_timeout_s=idle, max_lifetime_s=life)
        self._creating += 1
        try:
            session = await self.ctx.sandbox.open_session(spec)
        finally:
            self._creating -= 1
        now = time.time()
        replica = self.ctx.config.replica
        entry = _Entry(
            id=f"{replica}.{secrets.token_urlsafe(18)}" if replica else secrets.token_urlsafe(18),
            session=session,
            owner=principal(request.scope),
            created=now,
            last_used=now,
            idle_timeout_s=idle,
            max_lifetime_s=life,
        )
        self._entries[entry.id] = entry
        self.ctx.metrics.sessions.set(len(self._entries))
        return JSONResponse(entry.json(), status_code=201)

    async def index(self, request: Request) -> Response:
        me = principal(request.scope)
        mine = [e.json() for e in self._entries.values() if e.owner == me]
        return JSONResponse({"sessions": mine})

    async def show(self, request: Request) -> Response:
        return JSONResponse(self._get(request).json())

    async def delete(self, request: Request) -> Response:
        entry = self._get(request)
        await self._drop(entry.id)
        return Response(status_code=204)

    async def interrupt(self, request: Request) -> Response:
        entry = self._get(request)
        await entry.session.interrupt()
        return JSONResponse({"id": entry.id, "interrupted": True})

    async def execute(self, request: Request) -> Response:
        entry = self._get(request)
        body = await read_json(request, self.ctx.config.max_body_bytes)
        if not isinstance(body, dict):
            raise RequestError("the request body must be a JSON object {language, code}")
        language, code = body.get("language"), body.get("code")
        if not isinstance(language, str) or not language:
            raise RequestError("language is required as a string")
        if not isinstance(code, str):
            raise RequestError("code is required as a string")
        limits = self.ctx.config.limits
        timeout = body.get("timeout", limits.run_timeout)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise RequestError("timeout must be a positive number of milliseconds")
        run_limits = Limits(
            wall_time_ms=int(timeout), output_max_bytes=self.ctx.config.ws_output_max_size
        )
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()

        def on_output(stream: StreamName, data: str, /) -> None:
            queue.put_nowait({"type": "data", "stream": stream, "data": data})

        async def work() -> None:
            try:
                async with self.ctx.admission.slot(principal(request.scope)), entry.lock:
                    entry.last_used = time.time()
                    cell = await entry.session.execute(
                        language, code, limits=run_limits, on_output=on_output
                    )
                    entry.runs += 1
                    entry.last_used = time.time()
                self.ctx.metrics.stage_finished(language, "run", cell.stage)
                outputs = [
                    {"mime": o.mime, "name": o.name, "data": base64.b64encode(o.data).decode()}
                    for o in cell.outputs
                ]
                queue.put_nowait({"type": "result", **stage_json(cell.stage), "outputs": outputs})
            except ExecError as e:
                queue.put_nowait({"type": "error", "message": str(e)})
            except Exception as e:  # the stream has started: report in it, never end silently
                log.exception("session %s: execute failed", entry.id)
                message = f"internal error ({type(e).__name__}); the server log has details"
                queue.put_nowait({"type": "error", "message": message})
            finally:
                queue.put_nowait(None)

        task = asyncio.create_task(work())

        async def stream() -> AsyncIterator[bytes]:
            try:
                while (item := await queue.get()) is not None:
                    yield (json.dumps(item, separators=(",", ":")) + "\n").encode()
            finally:
                if not task.done():  # the client went away: stop its code
                    with contextlib.suppress(Exception):
                        await entry.session.interrupt()
                    task.cancel()

        return StreamingResponse(stream(), media_type="application/x-ndjson")

    async def list_files(self, request: Request) -> Response:
        entry = self._get(request)
        path = request.query_params.get("path", ".")
        files = await entry.session.list_files(path)
        entry.last_used = time.time()
        return JSONResponse({"path": path, "files": list(files)})

    async def put_file(self, request: Request) -> Response:
        entry = self._get(request)
        path = request.path_params["path"]
        data = await read_limited(request, self.ctx.config.session_file_max_bytes)
        await entry.session.put_file(path, data)
        entry.last_used = time.time()
        return JSONResponse({"path": path, "size": len(data)})

    async def get_file(self, request: Request) -> Response:
        entry = self._get(request)
        data = await entry.session.get_file(request.path_params["path"])
        entry.last_used = time.time()
        return Response(data, media_type="application/octet-stream")

    def routes(self) -> list[BaseRoute]:
        p = PREFIX
        return [
            Route(p, self.create, methods=["POST"]),
            Route(p, self.index, methods=["GET"]),
            Route(p + "/{id}", self.show, methods=["GET"]),
            Route(p + "/{id}", self.delete, methods=["DELETE"]),
            Route(p + "/{id}/execute", self.execute, methods=["POST"]),
            Route(p + "/{id}/interrupt", self.interrupt, methods=["POST"]),
            Route(p + "/{id}/files", self.list_files, methods=["GET"]),
            Route(p + "/{id}/files/{path:path}", self.put_file, methods=["PUT"]),
            Route(p + "/{id}/files/{path:path}", self.get_file, methods=["GET"]),
        ]
