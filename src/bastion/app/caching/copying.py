"""What `st.cache_data` hands back on a hit: a copy, made natively and without pickle.

Streamlit stores `pickle.dumps(value)` and unpickles on every hit: a full serialization round trip
per call, and pickle in the data path. Here the value is kept as the object itself and copied:
pandas objects with `copy()` (under pandas' copy-on-write, the default from 3.0, a shallow copy is
already independent: writes to either side copy first, so a hit costs no data copy at all), numpy
arrays with `ndarray.copy()`, Arrow tables and arrays not at all (they are immutable), plain data
with a recursive copy that shares immutable leaves, and anything else with `copy.deepcopy`.
"""

from __future__ import annotations

import copy
import datetime
import decimal
import sys
import uuid
from typing import Any

from bastion.app.errors import AppError


class UncopyableValueError(AppError, TypeError):
    """A cache_data return value that cannot be copied (a lock, a connection, a generator...)."""


_IMMUTABLE = frozenset(
    {
        type(None),
        bool,
        int,
        float,
        complex,
        str,
        bytes,
        range,
        datetime.date,
        datetime.datetime,
        datetime.time,
        datetime.timedelta,
        decimal.Decimal,
        uuid.UUID,
    }
)


def copy_value(value: Any) -> Any:
    cls = type(value)
    if cls in _IMMUTABLE:
        return value
    if cls is list:
        return [copy_value(x) for x in value]
    if cls is dict:
        return {k: copy_value(v) for k, v in value.items()}
    if cls is tuple:
        return tuple(copy_value(x) for x in value)
    module = cls.__module__.partition(".")[0]
    if module == "pandas" and hasattr(value, "copy"):
        return value.copy(deep=not _copy_on_write())
    if module == "numpy" and hasattr(value, "copy") and not getattr(value.dtype, "hasobject", True):
        return value.copy()
    if module == "pyarrow" and cls.__name__ in _ARROW_IMMUTABLE:
        return value
    if module == "polars" and hasattr(value, "clone"):
        return value.clone()  # polars frames are immutable; clone is O(1)
    return copy.deepcopy(value)


_ARROW_IMMUTABLE = frozenset(
    {"Table", "RecordBatch", "ChunkedArray", "Schema", "Field", "DataType", "Buffer"}
)


def check_copyable(value: Any, func_name: str) -> Any:
    """A first copy, made when the value is stored; raises a clear error for uncopyable values."""
    try:
        return copy_value(value)
    except Exception as e:
        raise UncopyableValueError(
            f"st.cache_data cannot copy the value returned by {func_name}() "
            f"({type(value).__module__}.{type(value).__qualname__}: {e}). cache_data returns a "
            "fresh copy on every call; for objects that should be shared rather than copied "
            "(database connections, ML models, locks), use @st.cache_resource instead."
        ) from None


def _copy_on_write() -> bool:
    pd = sys.modules.get("pandas")
    if pd is None:
        return False
    if int(pd.__version__.partition(".")[0]) >= 3:
        return True
    try:
        return bool(pd.get_option("mode.copy_on_write") is True)
    except Exception:
        return False


def size_of(value: Any, _budget: list[int] | None = None) -> int:
    """An estimate of the bytes a value holds (for the cache's memory bound). Cheap: frames and
    arrays by their buffers, containers walked up to a bounded number of items."""
    budget = _budget if _budget is not None else [10_000]
    budget[0] -= 1
    cls = type(value)
    module = cls.__module__.partition(".")[0]
    if module == "pandas":
        try:
            usage = value.memory_usage(index=True, deep=False)
            return int(usage.sum() if hasattr(usage, "sum") else usage)
        except Exception:
            return sys.getsizeof(value)
    if module in ("numpy", "pyarrow") and hasattr(value, "nbytes"):
        return int(value.nbytes)
    if module == "polars" and hasattr(value, "estimated_size"):
        return int(value.estimated_size())
    size = sys.getsizeof(value)
    if budget[0] <= 0:
        return size
    if cls is dict:
        for k, v in value.items():
            size += size_of(k, budget) + size_of(v, budget)
            if budget[0] <= 0:
                break
    elif cls in (list, tuple, set, frozenset):
        for x in value:
            size += size_of(x, budget)
            if budget[0] <= 0:
                break
    return size
