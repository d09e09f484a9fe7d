"""Authentication and rate limiting, as one ASGI middleware in front of every route.

With keys required, every route except `GET /` and `GET /health` needs a valid key; the
WebSocket handshake is refused the same way (HTTP 401/429 before the upgrade). Each request
records its principal (`key:<id>` or `addr:<client ip>`) in the scope for fairness and sessions.
"""

from __future__ import annotations

import json
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bastion.sandbox.service.config import ServiceConfig
from bastion.sandbox.service.keys import KeyStore, from_authorization
from bastion.sandbox.service.metrics import Metrics
from bastion.sandbox.service.ratelimit import RateLimiter, retry_after

PRINCIPAL: Final = "bastion.principal"
_PUBLIC: Final = frozenset({"/", "/health"})
_UNMETERED: Final = frozenset({"/", "/health", "/metrics", "/openapi.json"})


def principal(scope: Scope) -> str:
    value = scope.get(PRINCIPAL)
    return value if isinstance(value, str) else "anonymous"


class Guard:
    def __init__(
        self,
        app: ASGIApp,
        *,
        config: ServiceConfig,
        keys: KeyStore | None,
        limiter: RateLimiter,
        metrics: Metrics,
    ) -> None:
        if config.require_keys and keys is None:
            raise ValueError("keys are required but no key store was given")
        self.app = app
        self.config = config
        self.keys = keys
        self.limiter = limiter
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        client = scope.get("client") or ("unknown", 0)
        who = f"addr:{client[0]}"
        rate, burst = self.config.anonymous_rate_per_second, self.config.burst
        presented = from_authorization(headers.get("authorization"))
        if presented is None:
            presented = headers.get("x-api-key")
        if self.config.require_keys and path not in _PUBLIC:
            key = self.keys.verify(presented) if (self.keys and presented) else None
            if key is None:
                self.metrics.rejected.labels("unauthorized").inc()
                reason = "is invalid or revoked" if presented else "is missing"
                await _refuse(
                    scope,
                    send,
                    401,
                    f"an API key is required and {reason}; send 'Authorization: Bearer <key>' "
                    "(create one with `bastion exec keys create`)",
                    {"www-authenticate": 'Bearer realm="bastion-exec"'},
                )
                return
            who = f"key:{key.id}"
            rate = (
                key.rate_per_second
                if key.rate_per_second is not None
                else self.config.rate_per_second
            )
            burst = key.burst if key.burst is not None else self.config.burst
        scope[PRINCIPAL] = who
        if path not in _UNMETERED and rate > 0:
            wait = self.limiter.acquire(who, rate, burst)
            if wait > 0:
                self.metrics.rejected.labels("rate_limited").inc()
                after = retry_after(wait)
                await _refuse(
                    scope,
                    send,
                    429,
                    f"rate limit of {rate:g} requests/s (burst {burst}) exceeded; "
                    f"retry after {after} s",
                    {"retry-after": after},
                )
                return
        await self.app(scope, receive, send)


async def _refuse(
    scope: Scope, send: Send, status: int, message: str, extra: dict[str, str]
) -> None:
    body = json.dumps({"message": message}).encode()
    headers = [(b"content-type", b"application/json; charset=utf-8")]
    headers += [(b"content-length", str(len(body)).encode())]
    headers += [(k.encode(), v.encode()) for k, v in extra.items()]
    start: Message
    if scope["type"] == "websocket":
        # The denial-response extension lets the client see the status and reason; servers
        # without it get a plain close, which handshakes as 403.
        if "websocket.http.response" in scope.get("extensions", {}):
            await send(
                {"type": "websocket.http.response.start", "status": status, "headers": headers}
            )
            await send({"type": "websocket.http.response.body", "body": body})
        else:
            await send({"type": "websocket.close", "code": 1008, "reason": message[:120]})
        return
    start = {"type": "http.response.start", "status": status, "headers": headers}
    await send(start)
    await send({"type": "http.response.body", "body": body})
