"""Tabular sources: any supported input as a frame that can be sliced, sorted and sent in chunks.

Nothing here is O(rows) on the first render beyond what the input already costs: a pandas frame is
kept as it is and only the rows of a requested chunk are converted to Arrow; a pyarrow table (and
polars, through its zero-copy `to_arrow`) is sliced. Sorting computes one permutation per column
and direction with pyarrow on first use, and keeps the last few.

Chunk cells are normalized to what the browser reads simply: booleans, 64-bit integers, doubles,
UTF-8 text (temporal values as ISO text, nested values as JSON) and nulls.

pandas, numpy and pyarrow are imported here, lazily: importing bastion never pays for them.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bastion.app.errors import InvalidArgument
from bastion.protocol.app import ColumnKind

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

SORT_CACHE = 2  # permutations kept per source (each is 8 bytes per row)


@dataclass(slots=True)
class Field:
    """One column of the source (an index level or a data column), as chunks carry it."""

    name: Any  # the original column name (or index name)
    label: str
    kind: ColumnKind
    index: bool = False
    integer: bool = False
    options: tuple[Any, ...] = ()  # categorical: its categories


@dataclass(slots=True)
class Source:
    """A frame to show: `fields` in chunk order, `num_rows`, and how to cut chunks."""

    kind: str  # "pandas", "arrow", "polars", "numpy", "list", "dict", "styler"
    original: Any
    fields: list[Field]
    num_rows: int
    _df: Any = None  # pandas backend
    _table: Any = None  # arrow backend
    _sorts: OrderedDict[tuple[int, bool], Any] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- chunks -------------------------------------------------------------------------------

    def chunk(self, start: int, stop: int, order: Any = None) -> pa.Table:
        """Rows [start, stop) of the frame (of the permutation `order` when sorted)."""
        import pyarrow as pa

        stop = max(start, min(stop, self.num_rows))
        positions = None if order is None else order[start:stop]
        arrays = []
        if self._df is not None:
            df = self._df
            part = df.iloc[start:stop] if positions is None else df.iloc[positions]
            n_index = sum(1 for f in self.fields if f.index)
            for i in range(n_index):
                arrays.append(_normalize(_index_level(part.index, i)))
            for j in range(len(self.fields) - n_index):
                arrays.append(_normalize(_series_to_arrow(part.iloc[:, j])))
        else:
            table = self._table
            part = table.slice(start, stop - start) if positions is None else table.take(positions)
            arrays = [_normalize(part.column(i)) for i in range(part.num_columns)]
        names = [str(i) for i in range(len(arrays))]
        if positions is not None:
            arrays.append(pa.array(positions, type=pa.int64()))
            names.append("__row")
        return pa.Table.from_arrays(arrays, names=names)

    def sort_order(self, field_index: int, ascending: bool) -> Any:
        """The permutation that sorts the frame by one field (nulls last); cached."""
        import pyarrow as pa
        import pyarrow.compute as pc

        key = (field_index, ascending)
        with self._lock:
            cached = self._sorts.get(key)
            if cached is not None:
                self._sorts.move_to_end(key)
                return cached
            if self._df is not None:
                df = self._df
                n_index = sum(1 for f in self.fields if f.index)
                if field_index < n_index:
                    column = _index_level(df.index, field_index)
                else:
                    column = _series_to_arrow(df.iloc[:, field_index - n_index])
            else:
                column = self._table.column(field_index)
            column = _sortable(column)
            order = pc.sort_indices(
                pa.table({"k": column}),
                sort_keys=[("k", "ascending" if ascending else "descending", "at_end")],
            ).to_numpy()
            self._sorts[key] = order
            while len(self._sorts) > SORT_CACHE:
                self._sorts.popitem(last=False)
            return order


def ipc_base64(table: pa.Table) -> str:
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return base64.b64encode(sink.getvalue().to_pybytes()).decode("ascii")


# --- conversion of inputs ---------------------------------------------------------------------


def from_data(what: str, data: object) -> Source:
    """Wrap a supported input; raise `InvalidArgument` naming the types we take."""
    module = type(data).__module__.split(".")[0]
    name = type(data).__name__
    if data is None:
        import pandas as pd

        return _from_pandas("pandas", data, pd.DataFrame())
    if module == "pandas":
        import pandas as pd

        if name == "Styler":
            return _from_pandas("styler", data, data.data)  # type: ignore[attr-defined]
        if isinstance(data, pd.Series):
            return _from_pandas("pandas", data, data.to_frame())
        if isinstance(data, pd.Index):
            return _from_pandas("pandas", data, data.to_frame(index=False))
        if isinstance(data, pd.DataFrame):
            return _from_pandas("pandas", data, data)
    if module == "pyarrow":
        import pyarrow as pa

        if isinstance(data, pa.RecordBatch):
            return _from_arrow("arrow", data, pa.Table.from_batches([data]))
        if isinstance(data, pa.Table):
            return _from_arrow("arrow", data, data)
        if isinstance(data, pa.Array | pa.ChunkedArray):
            return _from_arrow("arrow", data, pa.table({"value": data}))
    if module == "polars" and hasattr(data, "to_arrow"):
        table = data.to_arrow()
        if name == "Series":
            import pyarrow as pa

            table = pa.table({getattr(data, "name", "") or "value": table})
        return _from_arrow("polars", data, table)
    if module == "numpy":
        import numpy as np
        import pandas as pd

        if isinstance(data, np.ndarray):
            if data.ndim > 2:
                raise InvalidArgument(what, "data", "a 1- or 2-dimensional array", data.shape)
            return _from_pandas("numpy", data, pd.DataFrame(data))
    if isinstance(data, dict | list | tuple | set | frozenset | range):
        import pandas as pd

        try:
            if isinstance(data, dict):
                if data and all(not _is_listlike(v) for v in data.values()):
                    frame = pd.DataFrame({"value": list(data.values())}, index=list(data.keys()))
                else:
                    frame = pd.DataFrame(data)
            else:
                items = list(data)
                frame = (
                    pd.DataFrame(items)
                    if items and all(isinstance(i, dict | list | tuple) for i in items)
                    else pd.DataFrame({"value": items})
                )
        except (ValueError, TypeError) as e:
            raise InvalidArgument(what, "data", "a table-shaped dict or list", data, str(e)) from e
        return _from_pandas("dict" if isinstance(data, dict) else "list", data, frame)
    raise InvalidArgument(
        what,
        "data",
        "a pandas DataFrame/Series/Styler, a polars DataFrame, a pyarrow Table/RecordBatch, a "
        "numpy array, a dict or a list",
        data,
    )


def _is_listlike(v: object) -> bool:
    return isinstance(v, list | tuple) or type(v).__module__.split(".")[0] in ("numpy", "pandas")


def _label(name: object) -> str:
    if isinstance(name, tuple):
        return " / ".join(str(n) for n in name)
    return "" if name is None else str(name)


def _from_pandas(kind: str, original: object, df: pd.DataFrame) -> Source:
    import pandas as pd

    fields: list[Field] = []
    index = df.index
    levels = index.nlevels
    for i in range(levels):
        level = index.get_level_values(i) if levels > 1 else index
        fields.append(_field_for_pandas(level.dtype, index.names[i], True, level[:100]))
    for j in range(df.shape[1]):
        column = df.iloc[:, j]
        fields.append(_field_for_pandas(column.dtype, df.columns[j], False, column.iloc[:100]))
    del pd
    return Source(kind=kind, original=original, fields=fields, num_rows=len(df), _df=df)


def _field_for_pandas(dtype: Any, name: object, index: bool, head: Any) -> Field:
    import pandas as pd
    from pandas.api import types as pt

    label = _label(name)
    if isinstance(dtype, pd.CategoricalDtype):
        return Field(name, label, "selectbox", index, options=tuple(dtype.categories))
    if pt.is_bool_dtype(dtype):
        return Field(name, label, "checkbox", index)
    if pt.is_integer_dtype(dtype):
        return Field(name, label, "number", index, integer=True)
    if pt.is_float_dtype(dtype) or pt.is_complex_dtype(dtype):
        return Field(name, label, "number", index)
    if pt.is_datetime64_any_dtype(dtype):
        return Field(name, label, "datetime", index)
    if dtype == object:  # noqa: E721 - a numpy dtype compares with ==
        kind = _kind_of_values(head)
        return Field(name, label, kind, index)
    return Field(name, label, "text", index)


def _kind_of_values(head: Any) -> ColumnKind:
    sample = next((v for v in head if v is not None and not _is_nan(v)), None)
    if isinstance(sample, bool):
        return "checkbox"
    if isinstance(sample, dt.datetime):
        return "datetime"
    if isinstance(sample, dt.date):
        return "date"
    if isinstance(sample, dt.time):
        return "time"
    if isinstance(sample, list | tuple) or type(sample).__name__ == "ndarray":
        return "list"
    if isinstance(sample, dict):
        return "json"
    return "text"


def _is_nan(v: object) -> bool:
    return isinstance(v, float) and math.isnan(v)


def _from_arrow(kind: str, original: object, table: pa.Table) -> Source:
    fields = [_field_for_arrow(f.type, f.name) for f in table.schema]
    return Source(
        kind=kind, original=original, fields=fields, num_rows=table.num_rows, _table=table
    )


def _field_for_arrow(t: pa.DataType, name: str) -> Field:
    import pyarrow as pa

    if pa.types.is_dictionary(t):
        return Field(name, name, "text")
    if pa.types.is_boolean(t):
        return Field(name, name, "checkbox")
    if pa.types.is_integer(t):
        return Field(name, name, "number", integer=True)
    if pa.types.is_floating(t) or pa.types.is_decimal(t):
        return Field(name, name, "number")
    if pa.types.is_timestamp(t):
        return Field(name, name, "datetime")
    if pa.types.is_date(t):
        return Field(name, name, "date")
    if pa.types.is_time(t):
        return Field(name, name, "time")
    if pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t):
        return Field(name, name, "list")
    if pa.types.is_struct(t) or pa.types.is_map(t):
        return Field(name, name, "json")
    return Field(name, name, "text")


# --- cells ------------------------------------------------------------------------------------


def _index_level(index: Any, i: int) -> pa.Array:
    level = index.get_level_values(i) if index.nlevels > 1 else index
    return _series_to_arrow(level)


def _series_to_arrow(values: Any) -> pa.Array:
    import pyarrow as pa

    try:
        return pa.array(values, from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return pa.array([None if v is None else _text(v) for v in values], type=pa.string())


def _sortable(column: Any) -> Any:
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    t = column.type
    if pa.types.is_dictionary(t):
        return column.dictionary_decode()
    if pa.types.is_nested(t) or pa.types.is_null(t):
        return pc.cast(_normalize(column), pa.string())
    return column


def _normalize(column: Any) -> pa.Array:
    """A column as one of the few cell types the browser reads (see the protocol module)."""
    import pyarrow as pa

    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    t = column.type
    if pa.types.is_dictionary(t):
        return _normalize(column.dictionary_decode())
    if pa.types.is_boolean(t) or pa.types.is_null(t):
        return column
    if pa.types.is_integer(t):
        if t == pa.uint64():
            return column.cast(pa.float64())
        return column.cast(pa.int64())
    if pa.types.is_floating(t) or pa.types.is_decimal(t):
        return column.cast(pa.float64())
    if pa.types.is_string(t):
        return column
    if pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return column.cast(pa.string())
    values = column.to_pylist()
    return pa.array([None if v is None else _text(v) for v in values], type=pa.string())


def _text(v: object) -> str:
    if isinstance(v, dt.datetime | dt.date | dt.time):
        return v.isoformat()
    if isinstance(v, str):
        return v
    if isinstance(v, bytes):
        return f"<{len(v)} bytes>"
    if isinstance(v, list | tuple | dict) or type(v).__name__ == "ndarray":
        return json.dumps(_plain(v), default=str, allow_nan=False)
    return str(v)


def _plain(v: Any) -> Any:
    if type(v).__name__ == "ndarray":
        v = v.tolist()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    return v
