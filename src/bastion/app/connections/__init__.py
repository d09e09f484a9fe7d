"""`st.connection(name, type=...)`: a connection object configured from `[connections.<name>]` in
the app's secrets, created once per app with `st.cache_resource` semantics (shared by every
session, one creation under concurrency). Only the SQL type exists (SQLAlchemy, extra `sql`)."""

from __future__ import annotations

import datetime
from typing import Any

from bastion.app import context
from bastion.app.caching.api import cache_resource
from bastion.app.connections.sql import SQLConnection as SQLConnection
from bastion.app.errors import AppError, InvalidArgument

TYPES: dict[str, type[SQLConnection]] = {"sql": SQLConnection}


class ConnectionTypeError(AppError):
    pass


def connection(
    name: str,
    type: str | type[SQLConnection] | None = None,
    max_entries: int | None = None,
    ttl: float | datetime.timedelta | str | None = None,
    **kwargs: Any,
) -> SQLConnection:
    if not isinstance(name, str) or not name:
        raise InvalidArgument("connection", "name", "a non-empty str", name)
    ctx = context.get("connection")
    secrets = ctx.session.runtime.secrets
    section: dict[str, Any] = {}
    try:
        section = dict(secrets["connections"][name])
    except (KeyError, TypeError):
        section = {}
    kind = type if type is not None else section.get("type", name if name in TYPES else None)
    if isinstance(kind, str):
        cls = TYPES.get(kind)
        if cls is None:
            raise ConnectionTypeError(
                f"st.connection({name!r}): unknown type {kind!r}. Known types: "
                f"{', '.join(sorted(TYPES))}; or pass a connection class as type=."
            )
    elif kind is None:
        raise ConnectionTypeError(
            f"st.connection({name!r}) needs a type: pass type='sql', or set "
            f'type = "sql" under [connections.{name}] in .bastion/secrets.toml.'
        )
    else:
        cls = kind
    factory = cache_resource(max_entries=max_entries, ttl=ttl, show_spinner=False)(_create)
    conn: SQLConnection = factory(name, cls, dict(sorted(section.items())), kwargs)
    return conn


def _create(
    name: str, cls: type[SQLConnection], secrets: dict[str, Any], kwargs: dict[str, Any]
) -> SQLConnection:
    return cls(name, secrets, **kwargs)
