"""Login configuration: the `[auth]` table of the app's secrets.toml, as Streamlit reads it.

    [auth]
    redirect_uri = "https://app.example.com/oauth2callback"   # or .../_bastion/auth/callback
    cookie_secret = "a long random string"
    client_id = "..."                        # the default OpenID Connect provider (optional)
    client_secret = "..."
    server_metadata_url = "https://accounts.example.com/.well-known/openid-configuration"
    client_kwargs = { scope = "openid email profile" }          # optional

    [auth.google]                            # named providers: st.login("google")
    client_id = "..."
    client_secret = "..."
    server_metadata_url = "..."

    [auth.passwords]                         # the simple built-in mode: st.login("passwords")
    alice = "$argon2id$v=19$m=65536,t=3,p=4$..."   # from `bastion auth hash-password`

Pure parsing, no I/O: the server's auth routes and `st.login()` both use it. The secrets it holds
(cookie_secret, client_secret, password hashes) stay on the server.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bastion.app.errors import AppError

PASSWORDS = "passwords"
DEFAULT = "default"
MIN_COOKIE_SECRET = 16
CALLBACK_SUFFIXES = ("/oauth2callback", "/_bastion/auth/callback")


class AuthConfigError(AppError):
    """The `[auth]` secrets are missing or wrong; the message names the field and the fix."""


@dataclass(frozen=True)
class OidcProvider:
    name: str
    client_id: str
    client_secret: str = field(repr=False)
    server_metadata_url: str
    scope: str = "openid email profile"
    extra_params: Mapping[str, str] = field(default_factory=dict)  # e.g. prompt, hd


@dataclass(frozen=True)
class AuthConfig:
    cookie_secret: str = field(repr=False)
    redirect_uri: str | None
    providers: Mapping[str, OidcProvider]
    passwords: Mapping[str, str] = field(default_factory=dict, repr=False)
    cookie_max_age: int = 7 * 24 * 3600

    def default_provider(self) -> str:
        if DEFAULT in self.providers:
            return DEFAULT
        if self.passwords:
            return PASSWORDS
        if len(self.providers) == 1:
            return next(iter(self.providers))
        raise AuthConfigError(
            "st.login(): several providers are configured and none is the default: name one, "
            f"e.g. st.login({next(iter(self.providers), 'name')!r})."
        )

    def has(self, provider: str) -> bool:
        return provider in self.providers or (provider == PASSWORDS and bool(self.passwords))


def _text(table: Mapping[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise AuthConfigError(
            f"secrets.toml: `{where}.{key}` is missing or empty; set it to a non-empty string."
        )
    return value


def _provider(name: str, table: Mapping[str, Any], where: str) -> OidcProvider:
    kwargs = table.get("client_kwargs", {})
    if not isinstance(kwargs, Mapping):
        raise AuthConfigError(f"secrets.toml: `{where}.client_kwargs` must be a table.")
    scope = str(kwargs.get("scope", "openid email profile"))
    if "openid" not in scope.split():
        raise AuthConfigError(
            f"secrets.toml: `{where}.client_kwargs.scope` must include 'openid' (OpenID Connect)."
        )
    url = _text(table, "server_metadata_url", where)
    if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise AuthConfigError(
            f"secrets.toml: `{where}.server_metadata_url` must be an https URL (plain http only "
            "on loopback, for tests)."
        )
    extra = {str(k): str(v) for k, v in kwargs.items() if k not in ("scope", "code_challenge")}
    return OidcProvider(
        name=name,
        client_id=_text(table, "client_id", where),
        client_secret=_text(table, "client_secret", where),
        server_metadata_url=url,
        scope=scope,
        extra_params=extra,
    )


def parse(secrets: Mapping[str, Any]) -> AuthConfig | None:
    """The login configuration, or None when the secrets have no `[auth]` table."""
    auth = secrets.get("auth")
    if auth is None:
        return None
    if not isinstance(auth, Mapping):
        raise AuthConfigError("secrets.toml: `auth` must be a table ([auth]).")
    cookie_secret = _text(auth, "cookie_secret", "auth")
    if len(cookie_secret) < MIN_COOKIE_SECRET:
        raise AuthConfigError(
            f"secrets.toml: `auth.cookie_secret` is {len(cookie_secret)} characters; use at least "
            f"{MIN_COOKIE_SECRET} random ones (python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))')."
        )
    providers: dict[str, OidcProvider] = {}
    if "client_id" in auth:
        providers[DEFAULT] = _provider(DEFAULT, auth, "auth")
    passwords: dict[str, str] = {}
    for name, value in auth.items():
        if not isinstance(value, Mapping) or name == "client_kwargs":
            continue
        if name == PASSWORDS:
            for user, hashed in value.items():
                if not isinstance(hashed, str) or not hashed.startswith("$argon2"):
                    raise AuthConfigError(
                        f"secrets.toml: `auth.passwords.{user}` must be an argon2 hash; make one "
                        "with `bastion auth hash-password`, never write the password itself."
                    )
                passwords[str(user)] = hashed
        else:
            providers[str(name)] = _provider(str(name), value, f"auth.{name}")
    redirect_uri: str | None = None
    if providers:
        redirect_uri = _text(auth, "redirect_uri", "auth")
        if not redirect_uri.rstrip("/").endswith(CALLBACK_SUFFIXES):
            raise AuthConfigError(
                "secrets.toml: `auth.redirect_uri` must end with /oauth2callback (or "
                f"/_bastion/auth/callback), got {redirect_uri!r}."
            )
    if not providers and not passwords:
        raise AuthConfigError(
            "secrets.toml: [auth] names no provider: add client_id, client_secret and "
            "server_metadata_url (OpenID Connect), or an [auth.passwords] table."
        )
    max_age = auth.get("cookie_max_age", 7 * 24 * 3600)
    if isinstance(max_age, bool) or not isinstance(max_age, int) or max_age <= 0:
        raise AuthConfigError("secrets.toml: `auth.cookie_max_age` must be a positive int (s).")
    return AuthConfig(
        cookie_secret=cookie_secret,
        redirect_uri=redirect_uri,
        providers=providers,
        passwords=passwords,
        cookie_max_age=max_age,
    )
