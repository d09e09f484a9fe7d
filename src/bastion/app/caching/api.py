"""`st.cache_data` and `st.cache_resource`: Streamlit's decorators and semantics.

    @st.cache_data                      # or @st.cache_data(ttl="1h", max_entries=100, ...)
    def load(url, _conn): ...           # `_conn` is not part of the key
    load.clear()                        # this function's entries; load.clear(url) just one
    st.cache_data.clear()               # every cache_data entry of this app

`cache_data` returns a copy on every call (see copying.py), `cache_resource` the one shared object.
Called outside a running script (no app, a thread of your own), a cached function simply runs:
caches belong to an app's runtime, and there is none to hold the result.
"""

from __future__ import annotations

import datetime
import functools
import inspect
import logging
import re
import time
from collections.abc import Callable
from typing import Any, Generic, ParamSpec, TypeVar, overload

from bastion.app import context
from bastion.app.caching import copying, hashing, replay
from bastion.app.caching.store import Caches, Entry, FunctionCache, Kind
from bastion.app.context import RunContext
from bastion.app.errors import InvalidArgument

log = logging.getLogger("bastion.app.cache")
P = ParamSpec("P")
R = TypeVar("R")
TTL = float | int | datetime.timedelta | str | None

_UNITS = {
    "ms": 0.001,
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hr": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
    "w": 604800,
    "week": 604800,
}
_TTL_PART = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*", re.I)


def parse_ttl(kind: str, ttl: object) -> float | None:
    """Seconds, a timedelta, or text such as "1h", "30m", "1d 12h", "90 seconds"; None: forever."""
    if ttl is None:
        return None
    if isinstance(ttl, datetime.timedelta):
        seconds = ttl.total_seconds()
    elif isinstance(ttl, int | float) and not isinstance(ttl, bool):
        seconds = float(ttl)
    elif isinstance(ttl, str):
        text = ttl.strip().lower()
        if text in ("inf", "infinity", "none", "never"):
            return None
        seconds, pos = 0.0, 0
        for m in _TTL_PART.finditer(text):
            unit = m.group(2)
            if unit not in _UNITS and unit.endswith("s"):
                unit = unit[:-1]
            if m.start() != pos or unit not in _UNITS:
                break
            seconds += float(m.group(1)) * _UNITS[unit]
            pos = m.end()
        if not text or pos != len(text):
            raise InvalidArgument(
                kind, "ttl", 'a duration such as "30s", "10m", "1h", "1d 12h"', ttl
            )
    else:
        raise InvalidArgument(kind, "ttl", "seconds, a timedelta, a str like '1h', or None", ttl)
    if seconds != seconds or seconds <= 0:
        raise InvalidArgument(kind, "ttl", "a positive duration", ttl)
    return None if seconds == float("inf") else seconds


class _Spec:
    __slots__ = (
        "hash_funcs",
        "kind",
        "max_entries",
        "on_release",
        "persist",
        "show_spinner",
        "ttl",
        "validate",
    )

    def __init__(
        self,
        kind: Kind,
        ttl: TTL,
        max_entries: int | None,
        show_spinner: bool | str,
        persist: object,
        hash_funcs: hashing.HashFuncs | None,
        validate: Callable[[Any], bool] | None,
        on_release: Callable[[Any], object] | None,
    ) -> None:
        api = f"cache_{kind}"
        self.kind = kind
        self.ttl = parse_ttl(api, ttl)
        if max_entries is not None and (
            isinstance(max_entries, bool) or not isinstance(max_entries, int) or max_entries < 1
        ):
            raise InvalidArgument(api, "max_entries", "a positive int or None", max_entries)
        self.max_entries = max_entries
        if not isinstance(show_spinner, bool | str):
            raise InvalidArgument(api, "show_spinner", "True, False or a message", show_spinner)
        self.show_spinner = show_spinner
        if persist not in (None, False, True, "disk"):
            raise InvalidArgument(api, "persist", '"disk", True, False or None', persist)
        self.persist = persist in (True, "disk")
        if hash_funcs is not None and not isinstance(hash_funcs, dict):
            raise InvalidArgument(api, "hash_funcs", "a dict of {type: function}", hash_funcs)
        self.hash_funcs = hash_funcs or None
        for name, fn in (("validate", validate), ("on_release", on_release)):
            if fn is not None and not callable(fn):
                raise InvalidArgument(api, name, "a callable or None", fn)
        self.validate = validate
        self.on_release = on_release


class CachedFunc(Generic[P, R]):
    """A cached function: call it as the original; `.clear()` drops its entries."""

    def __init__(self, func: Callable[P, R], spec: _Spec) -> None:
        functools.update_wrapper(self, func)
        self._func = func
        self._spec = spec
        self._name = getattr(func, "__qualname__", repr(func))
        self._key = hashing.code_digest(func)
        self._sig: inspect.Signature | None = None

    def __repr__(self) -> str:
        return f"<st.cache_{self._spec.kind} {self._name}>"

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            return self
        call: Callable[..., Any] = self
        return functools.partial(call, instance)  # `self` is hashed: name it `_self` to skip

    def _value_key(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
        if self._sig is None:
            self._sig = inspect.signature(self._func)
        bound = self._sig.bind(*args, **kwargs)
        bound.apply_defaults()
        values = [(k, v) for k, v in bound.arguments.items() if not k.startswith("_")]
        return hashing.args_digest(self._key, values, self._spec.hash_funcs, self._name)

    def _cache(self, ctx: RunContext) -> FunctionCache:
        caches = runtime_caches(ctx)
        fc = caches.function(self._spec.kind, self._key, self._name)
        fc.ttl, fc.max_entries = self._spec.ttl, self._spec.max_entries
        fc.on_release = self._spec.on_release
        return fc

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        ctx = context.peek()
        if ctx is None:
            return self._func(*args, **kwargs)
        ctx.check()
        fc = self._cache(ctx)
        value_key = self._value_key(args, kwargs)
        entry = self._lookup(fc, value_key)
        if entry is None:
            lock = fc.key_lock(value_key)
            while not lock.acquire(timeout=0.05):
                ctx.check()  # waiting for another session's computation stays interruptible
            try:
                entry = self._lookup(fc, value_key)
                if entry is None:
                    fresh: R = self._compute(ctx, fc, value_key, args, kwargs)
                    return fresh
            finally:
                lock.release()
        if entry.ops:
            replay.replay(ctx, entry.ops)
        value: R = copying.copy_value(entry.value) if self._spec.kind == "data" else entry.value
        return value

    def _lookup(self, fc: FunctionCache, value_key: str) -> Entry | None:
        entry = fc.get(value_key)
        spec = self._spec
        if entry is not None and spec.validate is not None and not spec.validate(entry.value):
            fc.clear(value_key)
            return None
        if entry is None and spec.persist:
            try:
                found = fc.caches.disk.read(fc.key, value_key)
            except OSError as e:
                log.warning("cache_data(persist='disk') of %s: %s", self._name, e)
                found = None
            if found is not None:
                value, ops, created = found
                if spec.ttl is None or time.time() - created < spec.ttl:
                    size = copying.size_of(value)
                    return fc.put(value_key, value, [tuple(op) for op in ops], size)
        return entry

    def _compute(
        self,
        ctx: RunContext,
        fc: FunctionCache,
        value_key: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> Any:
        from bastion.app.container import current

        spinner = self._spec.show_spinner
        handle = None
        if spinner and not ctx.in_callback:
            from bastion.app.elements.status import spinner as make_spinner

            text = spinner if isinstance(spinner, str) else f"Running `{self._name}(...)`."
            handle = make_spinner(text)
            handle.__enter__()
        recorder = replay.Recorder(current(ctx), self._name)
        ctx.recorders.append(recorder)
        try:
            value = self._func(*args, **kwargs)
        finally:
            ctx.recorders.remove(recorder)
            if handle is not None:
                handle.__exit__(None, None, None)
        if self._spec.kind == "data":
            stored = copying.check_copyable(value, self._name)
            size = copying.size_of(stored)
            fc.put(value_key, stored, recorder.ops, size)
            if self._spec.persist:
                try:
                    fc.caches.disk.write(fc.key, value_key, stored, recorder.ops, time.time())
                except OSError as e:  # an unwritable or untrusted folder: memory only
                    log.warning("cache_data(persist='disk') of %s: %s", self._name, e)
        else:
            fc.put(value_key, value, recorder.ops, 0)
        return value

    def clear(self, *args: Any, **kwargs: Any) -> None:
        """Drop this function's entries; with arguments, only the entry for those arguments."""
        ctx = context.get(f"cache_{self._spec.kind}.clear")
        fc = self._cache(ctx)
        if args or kwargs:
            key = self._value_key(args, kwargs)
            fc.clear(key)
            if self._spec.persist:
                fc.caches.disk.path_for(fc.key, key).unlink(missing_ok=True)
        else:
            fc.clear()
            if self._spec.persist:
                fc.caches.disk.remove(fc.key)


def runtime_caches(ctx: RunContext) -> Caches:
    caches: Caches = ctx.session.runtime.caches
    return caches


class _CacheAPI:
    kind: Kind

    def clear(self) -> None:
        """Clear every `cache_{kind}` entry of this app (the running script's own caches)."""
        runtime_caches(context.get(f"cache_{self.kind}.clear")).clear_all(self.kind)


class CacheDataAPI(_CacheAPI):
    kind: Kind = "data"

    @overload
    def __call__(self, func: Callable[P, R]) -> CachedFunc[P, R]: ...
    @overload
    def __call__(
        self,
        func: None = None,
        *,
        ttl: TTL = None,
        max_entries: int | None = None,
        show_spinner: bool | str = True,
        persist: bool | str | None = None,
        hash_funcs: hashing.HashFuncs | None = None,
    ) -> Callable[[Callable[P, R]], CachedFunc[P, R]]: ...
    def __call__(
        self,
        func: Callable[..., Any] | None = None,
        *,
        ttl: TTL = None,
        max_entries: int | None = None,
        show_spinner: bool | str = True,
        persist: bool | str | None = None,
        hash_funcs: hashing.HashFuncs | None = None,
    ) -> Any:
        spec = _Spec("data", ttl, max_entries, show_spinner, persist, hash_funcs, None, None)
        if func is None:
            return lambda f: CachedFunc(f, spec)
        return CachedFunc(func, spec)


class CacheResourceAPI(_CacheAPI):
    kind: Kind = "resource"

    @overload
    def __call__(self, func: Callable[P, R]) -> CachedFunc[P, R]: ...
    @overload
    def __call__(
        self,
        func: None = None,
        *,
        ttl: TTL = None,
        max_entries: int | None = None,
        show_spinner: bool | str = True,
        validate: Callable[[Any], bool] | None = None,
        hash_funcs: hashing.HashFuncs | None = None,
        on_release: Callable[[Any], object] | None = None,
    ) -> Callable[[Callable[P, R]], CachedFunc[P, R]]: ...
    def __call__(
        self,
        func: Callable[..., Any] | None = None,
        *,
        ttl: TTL = None,
        max_entries: int | None = None,
        show_spinner: bool | str = True,
        validate: Callable[[Any], bool] | None = None,
        hash_funcs: hashing.HashFuncs | None = None,
        on_release: Callable[[Any], object] | None = None,
    ) -> Any:
        spec = _Spec(
            "resource", ttl, max_entries, show_spinner, None, hash_funcs, validate, on_release
        )
        if func is None:
            return lambda f: CachedFunc(f, spec)
        return CachedFunc(func, spec)


cache_data = CacheDataAPI()
cache_resource = CacheResourceAPI()
