"""Cache keys: a cryptographic digest of a function's code and of its arguments, in full.

Streamlit hashes with MD5 and *samples* large frames and arrays (10,000 rows of a 100,000-row
frame), so two frames differing only in unsampled rows collide and the cache returns a wrong
answer. Here every byte counts: numeric columns and arrays are fed to the hash as zero-copy buffers,
other pandas columns through `pandas.util.hash_pandas_object`, Arrow data as its buffers. The hash
is BLAKE3 when the `blake3` package is installed (the `data` extra: several GB/s with SIMD, which is
what makes hashing every byte of a 100 MB argument affordable), else hashlib's blake2b; both are
cryptographic because keys may derive from viewer input, and a crafted collision would hand one
viewer another's cached result.

Types are dispatched by exact class first (a dict lookup), then by the libraries' classes, which
are looked up only if the library is already imported (hashing never imports pandas).
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import functools
import hashlib
import marshal
import pathlib
import re
import sys
import types
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from bastion.app.errors import AppError

HashFuncs = Mapping[Any, Callable[[Any], Any]]
_DIGEST = 16


class UnhashableParamError(AppError, TypeError):
    """An argument of a cached function that cannot be hashed into its cache key."""


class _Unhashable(Exception):
    def __init__(self, obj: object) -> None:
        super().__init__(type(obj).__name__)
        self.obj = obj


def code_digest(func: Callable[..., Any]) -> str:
    """A digest of what the function does: its module, name and bytecode (nested code included).

    Bytecode rather than source: no file read per rerun, and moving the function to another line
    keeps its key (line numbers are left out); editing its body changes the key."""
    h = _new_hash()
    h.update(f"{getattr(func, '__module__', '')}.{getattr(func, '__qualname__', '')}".encode())
    code = getattr(func, "__code__", None)
    if code is None:
        h.update(repr(func).encode())
    else:
        _code(h, code)
    return str(h.hexdigest())[: 2 * _DIGEST]


def _code(h: Any, code: types.CodeType) -> None:
    h.update(code.co_code)
    for name in (*code.co_names, "\x00", *code.co_varnames, "\x00", *code.co_freevars):
        h.update(name.encode("utf-8", "surrogatepass") + b"\x1f")
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            _code(h, const)
        else:
            try:
                h.update(marshal.dumps(const))
            except ValueError:
                h.update(repr(const).encode())


def args_digest(
    func_key: str,
    values: list[tuple[str, object]],
    hash_funcs: HashFuncs | None,
    func_name: str,
) -> str:
    """The key of one call: the function's key and every (parameter name, value) pair."""
    hasher = Hasher(hash_funcs)
    hasher.h.update(func_key.encode())
    for name, value in values:
        hasher.h.update(name.encode() + b"\x1e")
        try:
            hasher.update(value)
        except _Unhashable as e:
            raise UnhashableParamError(
                f"Cannot hash argument {name!r} (of type {type(e.obj).__module__}."
                f"{type(e.obj).__qualname__}) in the cached function {func_name}(). To fix: "
                f"rename the parameter to '_{name}' so the cache skips it, or pass "
                f"hash_funcs={{{type(e.obj).__qualname__}: lambda x: ...}} to the decorator to "
                "say how to hash it."
            ) from None
    return str(hasher.h.hexdigest())[: 2 * _DIGEST]


class Hasher:
    __slots__ = ("_funcs", "_seen", "h")

    def __init__(self, hash_funcs: HashFuncs | None = None) -> None:
        self.h = _new_hash()
        self._funcs = _normalize(hash_funcs) if hash_funcs else None
        self._seen: set[int] = set()

    def update(self, obj: object) -> None:
        h = self.h
        cls = type(obj)
        if self._funcs is not None:
            fn = self._custom(cls)
            if fn is not None:
                h.update(b"F")
                self.update(fn(obj))
                return
        simple = _SIMPLE.get(cls)
        if simple is not None:
            h.update(simple(obj))
            return
        if cls in (list, tuple, set, frozenset, dict) or isinstance(obj, list | tuple | Mapping):
            self._container(obj)
            return
        self._other(obj, cls)

    def _custom(self, cls: type) -> Callable[[Any], Any] | None:
        funcs = self._funcs or {}
        for klass in cls.__mro__:
            fn = funcs.get(klass) or funcs.get(f"{klass.__module__}.{klass.__qualname__}")
            if fn is not None:
                return fn
        return None

    def _container(self, obj: Any) -> None:
        ident = id(obj)
        if ident in self._seen:
            self.h.update(b"<cycle>")
            return
        self._seen.add(ident)
        h = self.h
        if isinstance(obj, Mapping):
            h.update(b"{" + type(obj).__qualname__.encode() + str(len(obj)).encode())
            for k, v in obj.items():
                self.update(k)
                h.update(b":")
                self.update(v)
            h.update(b"}")
        elif isinstance(obj, set | frozenset):
            digests = sorted(_digest_of(x, self._funcs) for x in obj)
            h.update(b"S" + str(len(digests)).encode() + b"".join(digests))
        else:
            h.update(b"[" + type(obj).__qualname__.encode() + str(len(obj)).encode())
            for x in obj:
                self.update(x)
            h.update(b"]")
        self._seen.discard(ident)

    def _other(self, obj: Any, cls: type) -> None:
        h = self.h
        module = cls.__module__.partition(".")[0]
        if module == "numpy" and _is_ndarray(obj):
            self._ndarray(obj)
        elif module == "numpy" and hasattr(obj, "dtype") and hasattr(obj, "tobytes"):
            h.update(b"npscalar" + str(obj.dtype).encode() + obj.tobytes())
        elif module == "pandas":
            self._pandas(obj)
        elif module == "pyarrow":
            self._arrow(obj)
        elif module == "polars" and hasattr(obj, "to_arrow"):
            h.update(b"polars" + cls.__qualname__.encode())
            self._arrow(obj.to_arrow())
        elif isinstance(obj, enum.Enum):
            h.update(b"enum" + cls.__qualname__.encode())
            self.update(obj.value)
        elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            h.update(b"dc" + cls.__module__.encode() + cls.__qualname__.encode())
            self.update([(f.name, getattr(obj, f.name)) for f in dataclasses.fields(obj)])
        elif isinstance(obj, re.Pattern):
            h.update(b"re" + str(obj.flags).encode())
            self.update(obj.pattern)
        elif isinstance(obj, functools.partial):
            h.update(b"partial")
            self.update((obj.func, obj.args, obj.keywords))
        elif isinstance(obj, types.FunctionType):
            h.update(b"fn" + code_digest(obj).encode())
        elif isinstance(obj, types.ModuleType | type | types.BuiltinFunctionType):
            h.update(b"named" + f"{getattr(obj, '__module__', '')}.{obj.__qualname__}".encode())
        elif isinstance(obj, str | bytes | int | float):  # subclasses of the simple types
            h.update(_SIMPLE[next(c for c in cls.__mro__ if c in _SIMPLE)](obj))
        else:
            raise _Unhashable(obj)

    def _ndarray(self, a: Any) -> None:
        h = self.h
        h.update(b"nd" + a.dtype.str.encode() + repr(a.shape).encode())
        if a.dtype.hasobject:
            self.update(a.tolist())
            return
        import numpy as np

        h.update(_buffer(np.ascontiguousarray(a)))

    def _pandas(self, obj: Any) -> None:
        import pandas as pd

        h = self.h
        if isinstance(obj, pd.DataFrame):
            h.update(b"df" + repr(obj.shape).encode())
            self._index(obj.columns)
            self._index(obj.index)
            for i in range(obj.shape[1]):
                self._column(obj.iloc[:, i])
        elif isinstance(obj, pd.Series):
            h.update(b"series")
            self.update(obj.name)
            self._index(obj.index)
            self._column(obj)
        elif isinstance(obj, pd.Index):
            self._index(obj)
        elif isinstance(obj, pd.Timestamp | pd.Timedelta | pd.Period):
            h.update(b"pdscalar" + repr(obj).encode())
        else:
            raise _Unhashable(obj)

    def _index(self, index: Any) -> None:
        import pandas as pd

        h = self.h
        if isinstance(index, pd.RangeIndex):
            h.update(b"range" + repr((index.start, index.stop, index.step, index.name)).encode())
            return
        h.update(b"index" + str(index.dtype).encode() + repr(index.names).encode())
        self._values(index.to_series(index=pd.RangeIndex(len(index))))

    def _column(self, s: Any) -> None:
        self.h.update(b"col" + str(s.dtype).encode())
        self._values(s)

    def _values(self, s: Any) -> None:
        import numpy as np
        import pandas as pd

        dtype = s.dtype
        if isinstance(dtype, np.dtype) and not dtype.hasobject:
            self.h.update(_buffer(np.ascontiguousarray(s.to_numpy())))
            return
        try:
            hashed = pd.util.hash_pandas_object(s, index=False, categorize=False)
        except (TypeError, ValueError):  # unhashable cells (lists, dicts): one by one
            self.update(s.tolist())
            return
        self.h.update(_buffer(np.ascontiguousarray(hashed.to_numpy())))

    def _arrow(self, obj: Any) -> None:
        import pyarrow as pa

        h = self.h
        if isinstance(obj, pa.RecordBatch):
            obj = pa.Table.from_batches([obj])
        if isinstance(obj, pa.Table):
            h.update(b"arrow-table" + str(obj.schema).encode() + str(obj.num_rows).encode())
            for column in obj.columns:
                self._arrow(column)
        elif isinstance(obj, pa.ChunkedArray):
            h.update(b"chunked" + str(obj.type).encode() + str(len(obj)).encode())
            for chunk in obj.chunks:
                self._arrow(chunk)
        elif isinstance(obj, pa.DictionaryArray):
            # buffers() leaves the dictionary out: equal indices over other words must differ
            h.update(b"dict-array" + str(obj.type).encode())
            self._arrow(obj.indices)
            self._arrow(obj.dictionary)
        elif isinstance(obj, pa.Array):
            # Buffers may hold bytes outside a slice or under nulls: equal arrays can then hash
            # differently (a spurious miss), never the reverse.
            h.update(b"array" + str(obj.type).encode() + repr((obj.offset, len(obj))).encode())
            for buf in obj.buffers():
                h.update(b"|" if buf is None else memoryview(buf))
        elif isinstance(obj, pa.Scalar):
            h.update(b"arrow-scalar" + str(obj.type).encode())
            self.update(obj.as_py())
        else:
            raise _Unhashable(obj)


def _digest_of(obj: object, funcs: Any) -> bytes:
    hasher = Hasher()
    hasher._funcs = funcs
    hasher.update(obj)
    return bytes(hasher.h.digest())


@functools.cache
def _hash_factory() -> Callable[[], Any]:
    try:
        import blake3
    except ImportError:
        return functools.partial(hashlib.blake2b, digest_size=_DIGEST)
    return blake3.blake3


def _new_hash() -> Any:
    return _hash_factory()()


def _buffer(a: Any) -> memoryview:
    """A zero-copy byte view of a contiguous array (hashlib reads it without a copy)."""
    return memoryview(a).cast("B")


def _is_ndarray(obj: object) -> bool:
    np = sys.modules.get("numpy")
    return np is not None and isinstance(obj, np.ndarray)


def _normalize(funcs: HashFuncs) -> dict[Any, Callable[[Any], Any]]:
    out: dict[Any, Callable[[Any], Any]] = {}
    for k, fn in funcs.items():
        if not callable(fn):
            raise TypeError(f"hash_funcs[{k!r}] must be a callable, got {type(fn).__name__}")
        out[k] = fn
    return out


def _str(x: str) -> bytes:
    b = x.encode("utf-8", "surrogatepass")
    return b"s" + str(len(b)).encode() + b":" + b


def _bytes(x: bytes | bytearray | memoryview) -> bytes:
    b = bytes(x)
    return b"b" + str(len(b)).encode() + b":" + b


_SIMPLE: dict[type, Callable[[Any], bytes]] = {
    type(None): lambda _: b"N",
    bool: lambda x: b"T" if x else b"F",
    int: lambda x: b"i" + str(x).encode() + b";",
    float: lambda x: b"f" + x.hex().encode() + b";",
    complex: lambda x: b"c" + repr(x).encode() + b";",
    str: _str,
    bytes: _bytes,
    bytearray: _bytes,
    memoryview: _bytes,
    datetime.datetime: lambda x: b"dt" + x.isoformat().encode() + str(x.fold).encode(),
    datetime.date: lambda x: b"d" + x.isoformat().encode(),
    datetime.time: lambda x: b"t" + x.isoformat().encode(),
    datetime.timedelta: lambda x: b"td" + repr((x.days, x.seconds, x.microseconds)).encode(),
    decimal.Decimal: lambda x: b"dec" + str(x).encode() + b";",
    uuid.UUID: lambda x: b"uuid" + x.bytes,
    pathlib.PurePosixPath: lambda x: b"path" + _str(str(x)),
    pathlib.PosixPath: lambda x: b"path" + _str(str(x)),
    range: lambda x: b"range" + repr((x.start, x.stop, x.step)).encode(),
    type(Ellipsis): lambda _: b"...",
}
