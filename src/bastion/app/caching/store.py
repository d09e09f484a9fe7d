"""Where cached values live: one `Caches` per app `Runtime` (no module globals), reached from a
script through its run context (`ctx.session.runtime.caches`).

Each decorated function has a `FunctionCache` (found by its code digest, so the new function object
each rerun creates finds the same entries) holding entries in LRU order, with `ttl` and
`max_entries`. `cache_data` entries also count against one memory bound for the whole app
(`runner.maxCacheSize`, MB): past it, the least recently used entries of any function go.
`cache_resource` entries are shared objects, bounded only by their own settings; evicting one
calls its `on_release` hook (outside any lock: it is user code).

Concurrency: a table lock guards the entries (held for dict operations only), and a lock per
(function, key) makes concurrent callers of the same missing entry wait for the first to compute
it; locks live in a WeakValueDictionary, so keys nobody waits on cost nothing.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from bastion.app.caching.disk import DiskStore

Kind = Literal["data", "resource"]


class Entry:
    __slots__ = ("created", "expires", "ops", "size", "value")

    def __init__(
        self, value: Any, ops: list[Any], created: float, expires: float | None, size: int
    ) -> None:
        self.value = value
        self.ops = ops
        self.created = created
        self.expires = expires
        self.size = size


class FunctionCache:
    def __init__(self, caches: Caches, kind: Kind, key: str, name: str) -> None:
        self.caches = caches
        self.kind = kind
        self.key = key
        self.name = name
        self.ttl: float | None = None
        self.max_entries: int | None = None
        self.on_release: Callable[[Any], object] | None = None
        self.entries: OrderedDict[str, Entry] = OrderedDict()
        self._key_locks: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()

    def get(self, value_key: str) -> Entry | None:
        released: list[Entry] = []
        with self.caches.lock:
            entry = self.entries.get(value_key)
            if entry is not None:
                if entry.expires is not None and self.caches.clock() >= entry.expires:
                    released.append(self._drop(value_key))
                    entry = None
                else:
                    self.entries.move_to_end(value_key)
                    if self.kind == "data":
                        self.caches.touch(self, value_key)
        self._release(released)
        return entry

    def put(self, value_key: str, value: Any, ops: list[Any], size: int) -> Entry:
        now = self.caches.clock()
        entry = Entry(value, ops, now, None if self.ttl is None else now + self.ttl, size)
        released: list[Entry] = []
        with self.caches.lock:
            old = self.entries.pop(value_key, None)
            if old is not None:
                released.append(old)
                self.caches.forget(self, value_key, old)
            self.entries[value_key] = entry
            if self.kind == "data":
                released += self.caches.account(self, value_key, size)
            while self.max_entries is not None and len(self.entries) > self.max_entries:
                oldest = next(iter(self.entries))
                released.append(self._drop(oldest))
        self._release(released)
        return entry

    def key_lock(self, value_key: str) -> Any:
        with self.caches.lock:
            lock = self._key_locks.get(value_key)
            if lock is None:
                lock = threading.Lock()
                self._key_locks[value_key] = lock
            return lock

    def clear(self, value_key: str | None = None) -> None:
        with self.caches.lock:
            keys = list(self.entries) if value_key is None else [value_key]
            released = [self._drop(k) for k in keys if k in self.entries]
        self._release(released)

    def _drop(self, value_key: str) -> Entry:  # under caches.lock
        entry = self.entries.pop(value_key)
        self.caches.forget(self, value_key, entry)
        return entry

    def _release(self, entries: list[Entry]) -> None:
        hook = self.on_release
        if hook is None or self.kind != "resource":
            return
        for entry in entries:
            try:
                hook(entry.value)
            except Exception:  # a failing release hook must not break the caller's run
                import logging

                logging.getLogger("bastion.app.cache").exception(
                    "on_release of %s failed", self.name
                )


class Caches:
    """Every cache of one app. `clock` is injectable (tests of ttl); `clear_all` is the operator's
    hook: no message a browser can send reaches it."""

    def __init__(
        self,
        *,
        max_bytes: int = 1024 * 1024 * 1024,
        clock: Callable[[], float] = time.monotonic,
        disk_dir: Path | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.max_bytes = max_bytes
        self.disk_dir = disk_dir
        self.data_bytes = 0
        self._functions: dict[tuple[Kind, str], FunctionCache] = {}
        self._lru: OrderedDict[tuple[FunctionCache, str], int] = OrderedDict()
        self._disk: DiskStore | None = None

    def function(self, kind: Kind, key: str, name: str) -> FunctionCache:
        with self.lock:
            fc = self._functions.get((kind, key))
            if fc is None:
                fc = self._functions[(kind, key)] = FunctionCache(self, kind, key, name)
            return fc

    def functions(self, kind: Kind | None = None) -> list[FunctionCache]:
        with self.lock:
            return [fc for (k, _), fc in self._functions.items() if kind in (None, k)]

    @property
    def disk(self) -> DiskStore:
        with self.lock:
            if self._disk is None or self._disk.directory != self.disk_dir:
                if self.disk_dir is None:
                    raise RuntimeError("this app has no disk cache folder")
                self._disk = DiskStore(self.disk_dir)
            return self._disk

    # --- the memory bound (cache_data), under self.lock --------------------------------------

    def account(self, fc: FunctionCache, value_key: str, size: int) -> list[Entry]:
        self._lru[(fc, value_key)] = size
        self.data_bytes += size
        dropped: list[Entry] = []
        while self.data_bytes > self.max_bytes and self._lru:
            (victim, vkey), _ = next(iter(self._lru.items()))
            dropped.append(victim._drop(vkey))
        return dropped

    def touch(self, fc: FunctionCache, value_key: str) -> None:
        self._lru.move_to_end((fc, value_key))

    def forget(self, fc: FunctionCache, value_key: str, entry: Entry) -> None:
        if self._lru.pop((fc, value_key), None) is not None:
            self.data_bytes -= entry.size

    # --- clearing ------------------------------------------------------------------------------

    def clear_all(self, kind: Kind | None = None, *, disk: bool = True) -> None:
        """Drop every entry (of one kind, or all), releasing resources; with `disk`, also the
        persisted cache_data files."""
        for fc in self.functions(kind):
            fc.clear()
        if disk and kind in (None, "data") and self.disk_dir is not None:
            self.disk.remove()
