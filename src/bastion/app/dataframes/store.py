"""A session's shown frames, and the answers to the browser's `FetchRows`.

Each dataframe element registers its source here under a fresh random id; the element carries the
id and its first chunk. The store is per session, so a client can only fetch what its own page
shows. An id lives while its element does: a newer element at the same path replaces it, and a
complete run drops the ids of paths it did not write (the same rule the client applies to its
tree).

Fetches are answered off the event loop, one at a time per session, by a worker that drains a
short queue: a client that floods requests makes its own answers late (the oldest pending
requests are dropped beyond `MAX_PENDING`), never the server busy with more than one fetch for it.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

import msgspec

from bastion.protocol.app import MAX_FETCH_ROWS, FetchRows, Path, Rows

if TYPE_CHECKING:
    from bastion.app.dataframes.source import Source

log = logging.getLogger("bastion.app")
MAX_PENDING = 8


class DataStore:
    def __init__(self, submit: Callable[[Callable[[], None]], None]) -> None:
        self._submit = submit
        self._lock = threading.Lock()
        self._sources: dict[str, Source] = {}
        self._by_path: dict[Path, str] = {}
        self._pending: deque[tuple[FetchRows, Callable[[bytes], None]]] = deque()
        self._draining = False

    def __len__(self) -> int:
        return len(self._sources)

    def register(self, path: Path, source: Source) -> str:
        data_id = secrets.token_hex(8)
        with self._lock:
            old = self._by_path.get(path)
            if old is not None:
                self._sources.pop(old, None)
            self._by_path[path] = data_id
            self._sources[data_id] = source
        return data_id

    def source(self, data_id: str) -> Source | None:
        with self._lock:
            return self._sources.get(data_id)

    def prune(self, written: set[Path]) -> None:
        """A complete run ended: forget the frames of elements it did not write."""
        with self._lock:
            for path in [p for p in self._by_path if p not in written]:
                self._sources.pop(self._by_path.pop(path), None)

    def clear(self) -> None:
        with self._lock:
            self._sources.clear()
            self._by_path.clear()

    # --- fetches ----------------------------------------------------------------------------

    def request(self, msg: FetchRows, send: Callable[[bytes], None]) -> None:
        """Queue one fetch; the answer is sent later from a worker thread. Never blocks."""
        with self._lock:
            self._pending.append((msg, send))
            while len(self._pending) > MAX_PENDING:
                self._pending.popleft()
            if self._draining:
                return
            self._draining = True
        self._submit(self._drain)

    def _drain(self) -> None:
        while True:
            with self._lock:
                if not self._pending:
                    self._draining = False
                    return
                msg, send = self._pending.popleft()
            try:
                reply = self.answer(msg)
            except Exception:
                log.exception("fetch_rows failed")
                reply = _error(msg, 0, "the rows could not be read")
            send(msgspec.json.encode(reply))

    def answer(self, msg: FetchRows) -> Rows:
        """Validate one fetch against this session's data and cut the chunk."""
        from bastion.app.dataframes.source import ipc_base64

        source = self.source(msg.data_id)
        if source is None:
            return _error(msg, 0, "unknown data_id: not shown by this session (any more)")
        n = source.num_rows
        if msg.stop < msg.start:
            return _error(msg, n, f"stop ({msg.stop}) is before start ({msg.start})")
        if msg.start > n:
            return _error(msg, n, f"start ({msg.start}) is past the last row ({n})")
        if msg.stop - msg.start > MAX_FETCH_ROWS:
            return _error(msg, n, f"at most {MAX_FETCH_ROWS} rows per request")
        order = None
        if msg.sort_column is not None:
            if msg.sort_column >= len(source.fields):
                return _error(msg, n, f"sort_column {msg.sort_column} is not a column")
            order = source.sort_order(msg.sort_column, msg.ascending)
        stop = min(msg.stop, n)
        table = source.chunk(msg.start, stop, order)
        return Rows(
            request=msg.request,
            data_id=msg.data_id,
            start=msg.start,
            stop=stop,
            num_rows=n,
            arrow=ipc_base64(table),
            positions=order is not None,
        )


def _error(msg: FetchRows, n: int, text: str) -> Rows:
    return Rows(
        request=msg.request,
        data_id=msg.data_id,
        start=msg.start,
        stop=msg.start,
        num_rows=n,
        error=text,
    )
