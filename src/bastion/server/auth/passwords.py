"""The built-in password mode: argon2 hashes from `[auth.passwords]`, attempts limited per client.

For small deployments with a few known users. Hashes are made by `bastion auth hash-password`
(argon2id, argon2-cffi's defaults); the clear password is never stored or logged. An unknown user
costs the same argon2 verification as a known one, so timing does not tell which names exist.
"""

from __future__ import annotations

import html
import threading
import time
from collections import deque
from collections.abc import Mapping
from functools import cache
from typing import Any

MAX_FAILURES = 5
WINDOW = 60.0
MAX_CLIENTS = 10_000


@cache
def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    return str(_hasher().hash("bastion: not a password of anyone"))


def hash_password(password: str) -> str:
    return str(_hasher().hash(password))


def check_password(passwords: Mapping[str, str], user: str, password: str) -> bool:
    from argon2.exceptions import Argon2Error, InvalidHashError

    hashed = passwords.get(user)
    try:
        ok = bool(_hasher().verify(hashed or _dummy_hash(), password))
    except (Argon2Error, InvalidHashError):
        return False
    return ok and hashed is not None


class AttemptLimiter:
    """At most `max_failures` failed logins per client in any `window` seconds."""

    def __init__(self, max_failures: int = MAX_FAILURES, window: float = WINDOW) -> None:
        self.max_failures = max_failures
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, client: str, now: float | None = None) -> float:
        """0 when the client may try now; else the seconds until it may."""
        now = time.monotonic() if now is None else now
        with self._lock:
            failures = self._failures.get(client)
            if failures is None:
                return 0.0
            while failures and now - failures[0] >= self.window:
                failures.popleft()
            if not failures:
                del self._failures[client]
                return 0.0
            if len(failures) < self.max_failures:
                return 0.0
            return self.window - (now - failures[0])

    def failed(self, client: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            if client not in self._failures and len(self._failures) >= MAX_CLIENTS:
                # Bounded memory: forget the client whose last failure is oldest.
                oldest = min(self._failures, key=lambda c: self._failures[c][-1])
                del self._failures[oldest]
            self._failures.setdefault(client, deque()).append(now)

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)


def login_page(action: str, csrf: str, next_path: str, error: str | None = None) -> str:
    """The login form: plain HTML, no script and no inline style (the CSP forbids both)."""
    e = html.escape
    message = f'<p class="error" role="alert">{e(error)}</p>' if error else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Log in</title></head>
<body><main>
<h1>Log in</h1>
{message}
<form method="post" action="{e(action)}">
<input type="hidden" name="csrf" value="{e(csrf)}">
<input type="hidden" name="next" value="{e(next_path)}">
<p><label>User name <input name="username" autocomplete="username" required></label></p>
<p><label>Password <input name="password" type="password" autocomplete="current-password"
required></label></p>
<p><button type="submit">Log in</button></p>
</form>
</main></body></html>
"""
