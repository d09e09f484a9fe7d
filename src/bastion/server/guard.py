"""The app server's guards against cross-site and abusive clients (issue 6).

- `HostAllowList`: the Host header must name this server (DNS rebinding). IP literals are always
  accepted (a page reached by IP is same-origin with it: no rebinding is possible without a DNS
  name), as are `localhost`/`*.localhost`, the configured address, this machine's name when
  listening on every interface, and `server.allowedHosts` (`*.example.com` covers subdomains).
- `Csrf`: double-submit token. Every HTTP response that arrives without a valid token cookie sets
  one (`_bastion_csrf`, signed with a per-process key, `SameSite=Strict`); the page reads it and
  sends it back in `Hello.csrf_token` (the upload route: `X-Bastion-Csrf` header). The server
  compares the two in constant time and checks the signature, so neither a cross-site page (which
  cannot read the cookie) nor a planted cookie of the attacker's choosing passes.
- `TokenBucket`: the per-session rerun rate limit.
- `ClientCounter`: connected sessions per client address.
- `HttpGuard`: the ASGI middleware that applies Host checks, the CSRF cookie and HSTS to HTTP.
"""

from __future__ import annotations

import fnmatch
import hashlib
import hmac
import ipaddress
import secrets
import socket
import time
from collections.abc import Iterable
from http.cookies import SimpleCookie

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "_bastion_csrf"
CSRF_HEADER = "x-bastion-csrf"
HSTS = "max-age=31536000; includeSubDomains"
_WILDCARD_ADDRESSES = frozenset({"0.0.0.0", "::", ""})  # noqa: S104 - names, not a bind


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def only_host(scope: Scope) -> str | None:
    """The request's one Host header; None when it is missing or repeated (a smuggling trick:
    two layers may each believe a different one)."""
    hosts = [v for k, v in scope.get("headers", ()) if k == b"host"]
    return hosts[0].decode("latin-1") if len(hosts) == 1 else None


def host_name(host: str) -> str:
    """The name part of a Host header value (`[::1]:8501` -> `::1`), lowercased."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    if host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class HostAllowList:
    def __init__(self, allowed: Iterable[str] = (), *, address: str = "127.0.0.1") -> None:
        names = {"localhost"}
        if address in _WILDCARD_ADDRESSES:
            names.add(socket.gethostname().lower())
            names.add(socket.getfqdn().lower())
        else:
            names.add(host_name(address))
        self.exact = names | {host_name(h) for h in allowed if "*" not in h}
        self.patterns = tuple(h.strip().lower() for h in allowed if "*" in h)
        self.any = "*" in self.patterns

    def allows(self, host: str | None) -> bool:
        if not host:
            return False  # HTTP/1.1 requires it; every browser sends it
        name = host_name(host)
        if self.any or name in self.exact or _is_ip(name) or name.endswith(".localhost"):
            return True
        return any(fnmatch.fnmatchcase(name, p) for p in self.patterns)


class Csrf:
    """Signed double-submit tokens. `enabled=False` (server.enableXsrfProtection) lets all pass."""

    def __init__(self, *, enabled: bool = True, key: bytes | None = None, path: str = "/") -> None:
        self.enabled = enabled
        self._key = key or secrets.token_bytes(32)
        self.path = path or "/"

    def _sign(self, nonce: str) -> str:
        return hmac.new(self._key, nonce.encode(), hashlib.sha256).hexdigest()[:32]

    def new_token(self) -> str:
        nonce = secrets.token_urlsafe(18)
        return f"{nonce}.{self._sign(nonce)}"

    def well_formed(self, token: str | None) -> bool:
        """Minted by this server (the signature holds)."""
        if not token or len(token) > 128 or "." not in token:
            return False
        nonce, _, sig = token.partition(".")
        return hmac.compare_digest(sig.encode(), self._sign(nonce).encode())

    @staticmethod
    def cookie(scope: Scope) -> str | None:
        raw = header(scope, b"cookie")
        if not raw:
            return None
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(raw)
        except Exception:  # a malformed Cookie header is no token
            return None
        morsel = jar.get(CSRF_COOKIE)
        return morsel.value if morsel is not None else None

    def check(self, scope: Scope, submitted: str | None) -> bool:
        """The submitted token equals this request's cookie, and this server minted it."""
        if not self.enabled:
            return True
        cookie = self.cookie(scope)
        if not cookie or not submitted:
            return False
        same = hmac.compare_digest(cookie.encode(), submitted.encode())
        return same and self.well_formed(cookie)

    def check_request(self, request: Request) -> bool:
        """For HTTP routes that change state (uploads): the `X-Bastion-Csrf` header must match."""
        return self.check(request.scope, request.headers.get(CSRF_HEADER))

    def set_cookie_value(self, token: str, *, secure: bool) -> bytes:
        # Not HttpOnly: the page must read it to send it back (that is the double submit).
        value = f"{CSRF_COOKIE}={token}; Path={self.path}; SameSite=Strict"
        if secure:
            value += "; Secure"
        return value.encode("latin-1")


class TokenBucket:
    """`rate` tokens a second up to `burst`; `take()` says whether one was available."""

    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = float(max(1, burst))
        self.tokens = self.burst
        self.stamp = time.monotonic()

    def take(self, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False

    def wait_time(self) -> float:
        """Seconds until the next token."""
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / max(self.rate, 1e-6)


class ClientCounter:
    """Connected sessions per client address, capped."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._counts: dict[str, int] = {}

    def acquire(self, client: str) -> bool:
        n = self._counts.get(client, 0)
        if self.limit > 0 and n >= self.limit:
            return False
        self._counts[client] = n + 1
        return True

    def release(self, client: str) -> None:
        n = self._counts.get(client, 0) - 1
        if n > 0:
            self._counts[client] = n
        else:
            self._counts.pop(client, None)

    def count(self, client: str) -> int:
        return self._counts.get(client, 0)


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


class HttpGuard:
    """HTTP side: refuse unknown Hosts (421), set the CSRF cookie, add HSTS over HTTPS.

    HTTPS means the request's scheme as the server sees it: real TLS, or `X-Forwarded-Proto` from
    a trusted proxy (uvicorn rewrites the scheme only for `server.trustedProxies`).
    """

    def __init__(self, app: ASGIApp, hosts: HostAllowList, csrf: Csrf) -> None:
        self.app = app
        self.hosts = hosts
        self.csrf = csrf

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = only_host(scope)
        if not self.hosts.allows(host):
            if scope["type"] == "websocket":
                await receive()  # websocket.connect
                await send({"type": "websocket.close", "code": 4003, "reason": "host not allowed"})
                return
            body = (
                f"Host {host!r} is not served here. If this is your server's name, add it to "
                "server.allowedHosts (protection against DNS rebinding).\n"
            ).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 421,
                    "headers": [
                        (b"content-type", b"text/plain; charset=utf-8"),
                        (b"content-length", str(len(body)).encode()),
                        (b"cache-control", b"no-store"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        secure = scope.get("scheme") == "https"
        cookie = self.csrf.cookie(scope) if self.csrf.enabled else "-"
        fresh = (
            None
            if self.csrf.well_formed(cookie) or not self.csrf.enabled
            else self.csrf.new_token()
        )

        async def send_guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if fresh is not None:
                    headers.append(
                        (b"set-cookie", self.csrf.set_cookie_value(fresh, secure=secure))
                    )
                if secure:
                    headers.append((b"strict-transport-security", HSTS.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_guarded)
