"""Sealed cookies: the login identity, and the short-lived state of a login in progress.

A sealed value is Fernet (AES-128-CBC, then HMAC-SHA256 over everything: encrypted *and*
authenticated) under a key derived with HKDF-SHA256 from `[auth] cookie_secret`, one key per
purpose, so a login-flow cookie can never be replayed as an identity cookie. The payload carries
its own expiry, checked on top of Fernet's timestamp. A value that fails any check (tampered,
another secret, expired, another purpose) reads as no value at all.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

IDENTITY_COOKIE = "_bastion_user"
FLOW_COOKIE = "_bastion_auth_flow"
MAX_COOKIE_BYTES = 3800  # browsers keep 4096 per cookie, name and attributes included
# Claims about the token itself rather than the user: not kept in the cookie, not in st.user.
MAX_TTL = 366 * 24 * 3600
_TOKEN_CLAIMS = frozenset({"nonce", "at_hash", "c_hash", "azp", "sid", "auth_time", "acr", "amr"})


@dataclass(frozen=True)
class Identity:
    user: str  # stable: "<provider>:<sub>" (or "passwords:<name>"); what resumes are bound to
    claims: Mapping[str, Any]
    expires: int


class Sealer:
    def __init__(self, secret: str, purpose: str) -> None:
        from cryptography.fernet import Fernet
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        key = HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=b"bastion-auth-cookie",
            info=f"bastion {purpose} v1".encode(),
        ).derive(secret.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

        self.max_ttl = MAX_TTL

    def seal(self, payload: Mapping[str, Any], ttl: int, now: float | None = None) -> str:
        now = time.time() if now is None else now
        body = json.dumps({**payload, "exp": int(now) + ttl}, separators=(",", ":")).encode()
        return self._fernet.encrypt_at_time(body, int(now)).decode()

    def unseal(self, token: str, now: float | None = None) -> dict[str, Any] | None:
        from cryptography.fernet import InvalidToken

        now = time.time() if now is None else now
        try:
            # Fernet's own timestamp check is a backstop; the payload's expiry is the real one.
            body = self._fernet.decrypt_at_time(token.encode(), self.max_ttl, int(now))
            payload = json.loads(body)
        except (InvalidToken, ValueError, UnicodeError):
            return None
        if not isinstance(payload, dict) or not isinstance(payload.get("exp"), int):
            return None
        if payload["exp"] <= now:
            return None
        return payload


class IdentityCookie:
    def __init__(self, secret: str, max_age: int) -> None:
        self._sealer = Sealer(secret, "identity")
        self.max_age = max_age

    def seal(self, user: str, claims: Mapping[str, Any], now: float | None = None) -> str:
        kept = {k: v for k, v in claims.items() if k not in _TOKEN_CLAIMS}
        value = self._sealer.seal({"u": user, "c": kept}, self.max_age, now)
        if len(value) > MAX_COOKIE_BYTES:
            # Too many claims for one cookie: keep the ones apps use.
            small = {
                k: kept[k] for k in ("iss", "sub", "email", "email_verified", "name") if k in kept
            }
            value = self._sealer.seal({"u": user, "c": small}, self.max_age, now)
        return value

    def open(self, value: str | None, now: float | None = None) -> Identity | None:
        if not value:
            return None
        payload = self._sealer.unseal(value, now)
        if payload is None:
            return None
        user, claims = payload.get("u"), payload.get("c")
        if not isinstance(user, str) or not isinstance(claims, dict):
            return None
        return Identity(user=user, claims=claims, expires=payload["exp"])


def read_cookie(header: str | None, name: str) -> str | None:
    """One cookie's value from a Cookie header (None when absent or the header is malformed)."""
    if not header:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except Exception:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel is not None else None
