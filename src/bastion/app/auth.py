"""`st.login`, `st.logout` and `st.user`: who is using this session, as Streamlit has them.

The server learns the user from a signed and encrypted cookie when the WebSocket opens and hands
the claims to the session (`AppSession.user` is the stable identity, `AppSession.user_info` the
claims). `st.login()` and `st.logout()` only ask the browser to go to the server's auth routes
(an `AuthRedirect` with a same-origin path): the script never sees a token or a secret.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlencode

from bastion.app import auth_config, context
from bastion.app.auth_config import AuthConfigError
from bastion.protocol.app import AuthRedirect

AUTH_PREFIX = "/_bastion/auth"


def _base(ctx: context.RunContext) -> str:
    base = ctx.session.runtime.config.server.base_url_path.strip("/")
    return f"/{base}" if base else ""


def login(provider: str | None = None) -> None:
    """Send the browser to log in with `provider` (a name from `[auth.<name>]`, "passwords" for
    the built-in password mode, or None for the default); it comes back to this page."""
    ctx = context.get("login")
    if provider is not None and not isinstance(provider, str):
        raise AuthConfigError(f"st.login(): `provider` must be a str or None, got {provider!r}.")
    config = auth_config.parse(ctx.session.runtime.secrets)
    if config is None:
        raise AuthConfigError(
            "st.login() needs an [auth] table in .bastion/secrets.toml (redirect_uri, "
            "cookie_secret, and an OpenID Connect provider or [auth.passwords])."
        )
    name = provider if provider is not None else config.default_provider()
    if not config.has(name):
        known = ", ".join(
            sorted([*config.providers, *([auth_config.PASSWORDS] * bool(config.passwords))])
        )
        raise AuthConfigError(f"st.login(): no provider {name!r} in [auth]; configured: {known}.")
    base = _base(ctx)
    back = f"{base}/{ctx.session.page}"
    query = urlencode({"provider": name, "next": back})
    ctx.session.push_event(AuthRedirect(path=f"{base}{AUTH_PREFIX}/login?{query}"))


def logout() -> None:
    """Forget the user: the browser goes to the logout route, which clears the cookie."""
    ctx = context.get("logout")
    ctx.session.user_info = {}
    ctx.session.push_event(AuthRedirect(path=f"{_base(ctx)}{AUTH_PREFIX}/logout"))


class UserInfoProxy(Mapping[str, Any]):
    """`st.user`: the logged-in user's claims by item or attribute, plus `is_logged_in`."""

    __slots__ = ()

    @staticmethod
    def _info() -> dict[str, Any]:
        session = context.get("user").session
        if session.user is None:
            return {"is_logged_in": False}
        return {**session.user_info, "is_logged_in": True}

    def __getitem__(self, key: str) -> Any:
        return self._info()[key]

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            return self._info()[key]
        except KeyError:
            raise AttributeError(f"st.user has no {key!r} (the provider did not send it)") from None

    def __setattr__(self, key: str, value: Any) -> None:
        raise AuthConfigError("st.user is read-only: it holds what the login provider said.")

    def __iter__(self) -> Iterator[str]:
        return iter(self._info())

    def __len__(self) -> int:
        return len(self._info())

    def __repr__(self) -> str:
        return "st.user"

    def to_dict(self) -> dict[str, Any]:
        return dict(self._info())


user = UserInfoProxy()
experimental_user = user  # Streamlit's name before st.user
