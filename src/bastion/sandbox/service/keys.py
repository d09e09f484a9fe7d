"""API keys, hashed at rest in SQLite.

A key reads `bst_<id>_<secret>`: the id finds the row, the 256-bit secret is checked against its
SHA-256 in constant time. The secret is random, so a fast hash is enough (no password stretching
needed) and the database alone never yields a usable key. Revocation takes effect on the next
request: nothing is cached, and each operation opens the file afresh, so a database mounted
read-only from a Kubernetes Secret is picked up when the Secret changes.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

PREFIX: Final = "bst"

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    secret_sha256 TEXT NOT NULL,
    created_at REAL NOT NULL,
    revoked_at REAL,
    rate_per_second REAL,
    burst INTEGER
)
"""


@dataclass(frozen=True, kw_only=True)
class ApiKey:
    id: str
    name: str
    created_at: float
    revoked_at: float | None
    rate_per_second: float | None  # None: the service default
    burst: int | None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_key(presented: str) -> tuple[str, str] | None:
    parts = presented.strip().split("_")
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], parts[2]


def from_authorization(header: str | None) -> str | None:
    """Accept emkc-style `Authorization: <key>` (piston_rs) and `Authorization: Bearer <key>`."""
    if not header:
        return None
    scheme, _, rest = header.strip().partition(" ")
    if scheme.lower() == "bearer" and rest:
        return rest.strip()
    return header.strip()


class KeyStore:
    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        if read_only:
            if not path.is_file():
                raise FileNotFoundError(f"API key database {path} does not exist")
            return
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with self._connect() as db:
            db.execute(_SCHEMA)
        path.chmod(0o600)

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        if self.read_only:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, isolation_level=None)
        else:
            db = sqlite3.connect(self.path, isolation_level=None, timeout=5.0)
        try:
            yield db
        finally:
            db.close()

    def close(self) -> None:
        """Nothing stays open between operations; kept for symmetry with callers' `finally`."""

    def create(
        self, name: str, *, rate_per_second: float | None = None, burst: int | None = None
    ) -> tuple[ApiKey, str]:
        """Store a new key; the plain key is returned once and never stored."""
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32).replace("_", "-")
        now = time.time()
        with self._connect() as db:
            db.execute(
                "INSERT INTO api_keys VALUES (?, ?, ?, ?, NULL, ?, ?)",
                (key_id, name, _digest(secret), now, rate_per_second, burst),
            )
        key = ApiKey(
            id=key_id,
            name=name,
            created_at=now,
            revoked_at=None,
            rate_per_second=rate_per_second,
            burst=burst,
        )
        return key, f"{PREFIX}_{key_id}_{secret}"

    def list(self) -> list[ApiKey]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT id, name, created_at, revoked_at, rate_per_second, burst FROM api_keys"
                " ORDER BY created_at"
            ).fetchall()
        return [
            ApiKey(
                id=r[0],
                name=r[1],
                created_at=r[2],
                revoked_at=r[3],
                rate_per_second=r[4],
                burst=r[5],
            )
            for r in rows
        ]

    def revoke(self, key_id: str) -> bool:
        with self._connect() as db:
            cur = db.execute(
                "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (time.time(), key_id),
            )
        return cur.rowcount == 1

    def verify(self, presented: str) -> ApiKey | None:
        parsed = parse_key(presented)
        if parsed is None:
            return None
        key_id, secret = parsed
        with self._connect() as db:
            row = db.execute(
                "SELECT id, name, created_at, revoked_at, rate_per_second, burst, secret_sha256"
                " FROM api_keys WHERE id = ?",
                (key_id,),
            ).fetchone()
        # Hash even when the id is unknown so timing does not tell ids apart.
        expected = row[6] if row else _digest("")
        ok = hmac.compare_digest(_digest(secret), expected)
        if row is None or not ok or row[3] is not None:
            return None
        return ApiKey(
            id=row[0],
            name=row[1],
            created_at=row[2],
            revoked_at=row[3],
            rate_per_second=row[4],
            burst=row[5],
        )
