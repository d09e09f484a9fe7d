"""The auth routes (under the app's base URL path) and the WebSocket's identify hook.

    GET  /_bastion/auth/login?provider=&next=   start a login: OIDC authorize redirect, or the
                                                password page
    GET  /_bastion/auth/callback, /oauth2callback
                                                the provider's redirect back: state, code, tokens
    GET  /_bastion/auth/logout                  clear the identity cookie
    GET  /_bastion/auth/password                the password mode's login form
    POST /_bastion/auth/password                check a password (CSRF token, attempt limit)

What a login in progress needs (state, nonce, PKCE verifier, provider, where to go back) lives
in a sealed cookie of its own that expires in 10 minutes; each state is accepted once. `next`
is only ever a path of this app: anything else (another host, a scheme, `//`) goes to the app's
root, so the login routes are no open redirect.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bastion.app import auth_config
from bastion.app.auth_config import AuthConfig, AuthConfigError
from bastion.server.auth.cookie import (
    FLOW_COOKIE,
    IDENTITY_COOKIE,
    Identity,
    IdentityCookie,
    Sealer,
    read_cookie,
)

if TYPE_CHECKING:
    from starlette.types import Scope

    from bastion.app import Runtime
    from bastion.server.auth.oidc import OidcClient

log = logging.getLogger("bastion.auth")

PREFIX = "/_bastion/auth"
FLOW_TTL = 600
CSRF_COOKIE = "_bastion_auth_csrf"
MAX_FORM_BYTES = 8192
MAX_NEXT = 2048


def safe_next(value: object, base: str) -> str:
    """`value` if it is a path inside this app, else the app's root (no open redirect)."""
    root = base + "/"
    if (
        not isinstance(value, str)
        or len(value) > MAX_NEXT
        or not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value)
        or not (value == base or value.startswith(root))
    ):
        return root
    return value


class AuthRoutes:
    def __init__(self, runtime: Runtime, base: str, *, tls: bool = False) -> None:
        self.runtime = runtime
        self.base = base  # "" or "/some/base"
        self.tls = tls
        self._lock = threading.Lock()
        self._config: AuthConfig | None = None
        self._config_error: str | None = None
        self._loaded = False
        self._identity: IdentityCookie | None = None
        self._flow: Sealer | None = None
        self._clients: dict[str, OidcClient] = {}
        self._used_states: dict[str, float] = {}
        from bastion.server.auth.passwords import AttemptLimiter

        self.limiter = AttemptLimiter()

    # --- configuration -------------------------------------------------------------------------

    def config(self) -> AuthConfig | None:
        """The [auth] configuration, parsed once found. Until then every call looks again (a
        few stats while no secrets file exists), so a secrets file written after the server
        started, or one without [auth] at first, is picked up."""
        with self._lock:
            if self._loaded:
                return self._config
            secrets = self.runtime.secrets
            try:
                config = auth_config.parse(secrets)
            except AuthConfigError as exc:
                if self._config_error != str(exc):
                    log.error("login is off: %s", exc)
                self._config_error = str(exc)
                return None
            if config is None:
                return None
            self._config = config
            self._identity = IdentityCookie(config.cookie_secret, config.cookie_max_age)
            self._flow = Sealer(config.cookie_secret, "login-flow")
            self._loaded = True
            return config

    def identify(self, scope: Scope) -> Identity | None:
        """The user a request or WebSocket handshake carries in its identity cookie, if valid."""
        if self.config() is None or self._identity is None:
            return None
        header = None
        for key, value in scope.get("headers", ()):
            if key == b"cookie":
                header = value.decode("latin-1")
                break
        return self._identity.open(read_cookie(header, IDENTITY_COOKIE))

    def _client(self, config: AuthConfig, provider: str) -> OidcClient:
        from bastion.server.auth.oidc import OidcClient

        client = self._clients.get(provider)
        if client is None:
            client = OidcClient(config.providers[provider], config.redirect_uri or "")
            self._clients[provider] = client
        return client

    # --- helpers ---------------------------------------------------------------------------------

    def _secure(self, request: Request) -> bool:
        return self.tls or request.url.scheme == "https"

    def _cookie_path(self) -> str:
        return self.base + "/"

    def _set_identity(
        self, response: Response, request: Request, user: str, claims: dict[str, object]
    ) -> None:
        sealer = self._identity
        if sealer is None:  # only called after config() found a configuration
            raise RuntimeError("login is not configured")
        response.set_cookie(
            IDENTITY_COOKIE,
            sealer.seal(user, claims),
            max_age=sealer.max_age,
            path=self._cookie_path(),
            secure=self._secure(request),
            httponly=True,
            samesite="lax",
        )

    def _fail(self, status: int, message: str) -> Response:
        log.warning("login refused: %s", message)
        return PlainTextResponse(
            f"Login failed: {message}\n\nGo back to the app and start again.",
            status_code=status,
            headers={"Cache-Control": "no-store"},
        )

    def _off(self) -> Response:
        message = self._config_error or "this app has no [auth] table in its secrets.toml"
        return PlainTextResponse(f"Login is not configured: {message}", status_code=404)

    def _prune_states(self, now: float) -> None:
        for state in [s for s, exp in self._used_states.items() if exp <= now]:
            del self._used_states[state]

    # --- routes ----------------------------------------------------------------------------------

    async def login(self, request: Request) -> Response:
        config = self.config()
        if config is None or self._flow is None:
            return self._off()
        provider = request.query_params.get("provider") or config.default_provider()
        next_path = safe_next(request.query_params.get("next"), self.base)
        if not config.has(provider):
            return self._fail(400, f"no login provider named {provider[:64]!r}")
        if provider == auth_config.PASSWORDS:
            query = urlencode({"next": next_path})
            return RedirectResponse(f"{self.base}{PREFIX}/password?{query}", status_code=303)
        state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
        verifier += secrets.token_urlsafe(32)  # 86 characters: within RFC 7636's 43..128
        from bastion.server.auth.oidc import LoginError

        try:
            url = await self._client(config, provider).authorization_url(state, nonce, verifier)
        except (LoginError, OSError) as exc:
            return self._fail(502, f"cannot reach the login provider ({exc})")
        except Exception as exc:  # httpx errors
            return self._fail(502, f"cannot reach the login provider ({type(exc).__name__})")
        flow = {"s": state, "n": nonce, "v": verifier, "p": provider, "next": next_path}
        response = RedirectResponse(url, status_code=303, headers={"Cache-Control": "no-store"})
        response.set_cookie(
            FLOW_COOKIE,
            self._flow.seal(flow, FLOW_TTL),
            max_age=FLOW_TTL,
            path=self._cookie_path(),
            secure=self._secure(request),
            httponly=True,
            samesite="lax",  # the provider's redirect back is a cross-site top-level GET
        )
        return response

    async def callback(self, request: Request) -> Response:
        config = self.config()
        if config is None or self._flow is None:
            return self._off()
        flow = self._flow.unseal(request.cookies.get(FLOW_COOKIE) or "")
        if flow is None:
            return self._fail(400, "no login in progress in this browser (or it expired)")
        state = request.query_params.get("state", "")
        if not state or not hmac.compare_digest(state.encode(), str(flow.get("s", "")).encode()):
            return self._fail(400, "the state does not match this browser's login")
        now = time.time()
        with self._lock:
            self._prune_states(now)
            if state in self._used_states:
                return self._fail(400, "this login was already completed (replayed callback)")
            self._used_states[state] = now + FLOW_TTL
        if "error" in request.query_params:
            return self._fail(400, f"the provider said {request.query_params['error'][:100]!r}")
        code = request.query_params.get("code")
        provider = str(flow.get("p", ""))
        if not code or provider not in config.providers:
            return self._fail(400, "the provider's answer has no code")
        from bastion.server.auth.oidc import LoginError

        client = self._client(config, provider)
        try:
            tokens = await client.exchange(code, str(flow["v"]))
            claims = await client.verify_id_token(tokens["id_token"], str(flow["n"]))
        except LoginError as exc:
            return self._fail(400, str(exc))
        except Exception as exc:
            return self._fail(502, f"cannot reach the login provider ({type(exc).__name__})")
        response = RedirectResponse(
            safe_next(flow.get("next"), self.base),
            status_code=303,
            headers={"Cache-Control": "no-store"},
        )
        self._set_identity(response, request, f"{provider}:{claims['sub']}", claims)
        response.delete_cookie(FLOW_COOKIE, path=self._cookie_path())
        log.info("login: %s:%s", provider, claims.get("sub"))
        return response

    async def logout(self, request: Request) -> Response:
        response = RedirectResponse(
            self.base + "/", status_code=303, headers={"Cache-Control": "no-store"}
        )
        response.delete_cookie(
            IDENTITY_COOKIE, path=self._cookie_path(), httponly=True, samesite="lax"
        )
        return response

    def _password_form(
        self, request: Request, next_path: str, error: str | None, status: int
    ) -> Response:
        from bastion.server.auth.passwords import login_page

        token = request.cookies.get(CSRF_COOKIE) or ""
        if len(token) != 43:
            token = secrets.token_urlsafe(32)
        action = f"{self.base}{PREFIX}/password"
        response = HTMLResponse(
            login_page(action, token, next_path, error),
            status_code=status,
            headers={"Cache-Control": "no-store"},
        )
        response.set_cookie(
            CSRF_COOKIE,
            token,
            path=f"{self.base}{PREFIX}/",
            secure=self._secure(request),
            httponly=True,
            samesite="strict",
        )
        return response

    async def password(self, request: Request) -> Response:
        config = self.config()
        if config is None or not config.passwords:
            return self._off()
        if request.method == "GET":
            next_path = safe_next(request.query_params.get("next"), self.base)
            return self._password_form(request, next_path, None, 200)
        from bastion.server.app_socket import origin_allowed

        origin = request.headers.get("origin")
        if not origin_allowed(origin, request.headers.get("host"), request.url.scheme, ()):
            return self._fail(403, "the form was posted from another site")
        client = request.client.host if request.client else "?"
        wait = self.limiter.retry_after(client)
        if wait:
            response = self._password_form(
                request, self.base + "/", f"Too many attempts: wait {int(wait) + 1} s.", 429
            )
            response.headers["Retry-After"] = str(int(wait) + 1)
            return response
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_FORM_BYTES:
                return self._fail(413, "the form is too large")
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        next_path = safe_next(form.get("next"), self.base)
        cookie = request.cookies.get(CSRF_COOKIE) or ""
        field = form.get("csrf", "")
        if not cookie or not hmac.compare_digest(cookie.encode(), field.encode()):
            return self._fail(403, "the form's token does not match (reload the login page)")
        user, password = form.get("username", ""), form.get("password", "")
        from bastion.server.auth.passwords import check_password

        ok = bool(user) and await asyncio.to_thread(
            check_password, config.passwords, user, password
        )
        if not ok:
            self.limiter.failed(client)
            log.warning("password login failed for a user from %s", client)
            return self._password_form(request, next_path, "Wrong user name or password.", 401)
        self.limiter.succeeded(client)
        response = RedirectResponse(
            next_path, status_code=303, headers={"Cache-Control": "no-store"}
        )
        self._set_identity(response, request, f"passwords:{user}", {"sub": user, "name": user})
        log.info("login: passwords:%s", user)
        return response

    def routes(self) -> list[BaseRoute]:
        return [
            Route(f"{PREFIX}/login", self.login, methods=["GET"]),
            Route(f"{PREFIX}/callback", self.callback, methods=["GET"]),
            Route("/oauth2callback", self.callback, methods=["GET"]),  # Streamlit's redirect_uri
            Route(f"{PREFIX}/logout", self.logout, methods=["GET"]),
            Route(f"{PREFIX}/password", self.password, methods=["GET", "POST"]),
        ]


Identify = Callable[["Scope"], Identity | None]
