"""The SQL connection: SQLAlchemy underneath (optional extra `sql`), Streamlit's API on top.

    conn = st.connection("sql")                          # [connections.sql] url = "sqlite:///x.db"
    df = conn.query("select * from t where a > :a", params={"a": 1}, ttl="10m")
    with conn.session as s: s.execute(...); s.commit()

`query` results are cached with `st.cache_data` semantics (a copy per call; keyed by the SQL,
the parameters and the connection's name). Credentials stay on the server: the URL's password is
never shown (SQLAlchemy masks it in every repr), and nothing of it is sent to a browser.
"""

from __future__ import annotations

import datetime
import threading
from typing import Any

from bastion.app.errors import AppError

_URL_PARTS = ("drivername", "username", "password", "host", "port", "database", "query")


class SQLConnectionError(AppError):
    pass


class SQLConnection:
    def __init__(self, connection_name: str, secrets: dict[str, Any], **kwargs: Any) -> None:
        try:
            import sqlalchemy  # noqa: F401
        except ImportError:
            raise SQLConnectionError(
                "st.connection(type='sql') needs SQLAlchemy: pip install 'bastion[sql]'"
            ) from None
        self._name = connection_name
        self._config = {**secrets, **kwargs}
        self._lock = threading.Lock()
        self._engine: Any = None
        self._engine_or_raise()

    def __repr__(self) -> str:
        return f"<SQLConnection {self._name!r} {self._engine_or_raise().url!r}>"

    def _url(self) -> Any:
        import sqlalchemy

        config = self._config
        if "url" in config:
            return sqlalchemy.engine.make_url(str(config["url"]))
        dialect = config.get("dialect")
        if not dialect:
            raise SQLConnectionError(
                f"st.connection({self._name!r}): no `url` and no `dialect` in "
                f"[connections.{self._name}] (or keyword arguments). Give url = "
                '"sqlite:///data.db" or dialect/host/port/database/username/password.'
            )
        driver = config.get("driver")
        return sqlalchemy.engine.URL.create(
            drivername=f"{dialect}+{driver}" if driver else str(dialect),
            username=config.get("username"),
            password=config.get("password"),
            host=config.get("host"),
            port=int(config["port"]) if config.get("port") else None,
            database=config.get("database"),
            query=dict(config.get("query") or {}),
        )

    def _engine_or_raise(self) -> Any:
        with self._lock:
            if self._engine is None:
                import sqlalchemy

                options = dict(self._config.get("create_engine_kwargs") or {})
                self._engine = sqlalchemy.create_engine(self._url(), **options)
            return self._engine

    @property
    def engine(self) -> Any:
        """The SQLAlchemy Engine."""
        return self._engine_or_raise()

    @property
    def driver(self) -> str:
        return str(self.engine.driver)

    @property
    def session(self) -> Any:
        """A new SQLAlchemy Session on this connection's engine (use it as a context manager)."""
        from sqlalchemy.orm import Session

        return Session(self.engine)

    def connect(self) -> Any:
        return self.engine.connect()

    def reset(self) -> None:
        """Dispose of the engine (and its pooled connections); the next use makes a new one."""
        with self._lock:
            engine, self._engine = self._engine, None
        if engine is not None:
            engine.dispose()

    def query(
        self,
        sql: str,
        *,
        show_spinner: bool | str = "Running `st.connection(...).query(...)`.",
        ttl: float | int | datetime.timedelta | str | None = None,
        index_col: str | list[str] | None = None,
        chunksize: int | None = None,
        params: Any = None,
        **kwargs: Any,
    ) -> Any:
        """Run a read query; return a pandas DataFrame, cached like `st.cache_data`."""
        from bastion.app.caching.api import cache_data

        if not isinstance(sql, str):
            raise TypeError(f"query(): `sql` must be a str, got {type(sql).__name__}")

        def _query(
            sql: str,
            index_col: Any,
            chunksize: int | None,
            params: Any,
            name: str,
            kwargs: dict[str, Any],
            _self: SQLConnection,
        ) -> Any:
            import pandas as pd
            from sqlalchemy import text

            with _self.engine.connect() as conn:
                return pd.read_sql(
                    text(sql),
                    conn,
                    index_col=index_col,
                    chunksize=chunksize,
                    params=params,
                    **kwargs,
                )

        _query.__qualname__ = f"SQLConnection.query.<{self._name}>"
        cached = cache_data(show_spinner=show_spinner, ttl=ttl)(_query)
        return cached(sql, index_col, chunksize, params, self._name, kwargs, self)
