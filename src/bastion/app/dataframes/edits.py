"""data_editor edits: Streamlit's shape, validated cell by cell, and applied to the input.

The browser sends ``{"edited_rows": {"<row>": {"<column>": value}}, "added_rows": [{...}],
"deleted_rows": [row, ...]}`` (rows are positions in the input). Nothing it sends is trusted: the
shape is checked (anything else is rejected whole), then each cell is checked against its column
(type, bounds, options, length, disabled, required); an invalid cell is dropped and the rest
kept. Rows can only be added or deleted with ``num_rows="dynamic"``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

from bastion.app.state import InvalidValue
from bastion.protocol.app import DataColumn

MAX_ADDED_ROWS = 10_000
EMPTY: dict[str, Any] = {"edited_rows": {}, "added_rows": [], "deleted_rows": []}
_INVALID = object()


def empty() -> dict[str, Any]:
    return {"edited_rows": {}, "added_rows": [], "deleted_rows": []}


class EditRules:
    def __init__(self, columns: Sequence[DataColumn], num_rows: int, dynamic: bool) -> None:
        self.columns = {c.name: c for c in columns if not c.index}
        self.num_rows = num_rows
        self.dynamic = dynamic

    def parse(self, raw: object) -> dict[str, Any]:
        """A wire value -> the accepted edits (invalid cells dropped). Bad shape: InvalidValue."""
        if not isinstance(raw, dict) or not set(raw) <= set(EMPTY):
            raise InvalidValue("expected {edited_rows, added_rows, deleted_rows}")
        edited = raw.get("edited_rows", {})
        added = raw.get("added_rows", [])
        deleted = raw.get("deleted_rows", [])
        if not isinstance(edited, dict) or not isinstance(added, list):
            raise InvalidValue("edited_rows must be an object and added_rows a list")
        if not isinstance(deleted, list):
            raise InvalidValue("deleted_rows must be a list")
        out = empty()
        for row_key, cells in edited.items():
            row = _row(row_key, self.num_rows)
            if row is None or not isinstance(cells, dict):
                continue
            clean = self._cells(cells)
            if clean:
                out["edited_rows"][row] = clean
        if self.dynamic:
            for cells in added[:MAX_ADDED_ROWS]:
                if isinstance(cells, dict):
                    out["added_rows"].append(self._cells(cells, added=True))
            rows = {r for r in (_row(d, self.num_rows) for d in deleted) if r is not None}
            out["deleted_rows"] = sorted(rows)
        return out

    def _cells(self, cells: Mapping[str, Any], added: bool = False) -> dict[str, Any]:
        clean: dict[str, Any] = {}
        for name, value in cells.items():
            column = self.columns.get(name)
            if column is None or (column.disabled and not added):
                continue
            checked = check_cell(column, value)
            if checked is not _INVALID:
                clean[name] = checked
        return clean

    def check(self, value: object) -> dict[str, Any]:
        """A session_state write: the same rules (keys may be ints already)."""
        if not isinstance(value, Mapping):
            raise InvalidValue("expected a dict of edits")
        wire = {
            "edited_rows": {str(k): dict(v) for k, v in dict(value.get("edited_rows", {})).items()},
            "added_rows": [dict(r) for r in value.get("added_rows", [])],
            "deleted_rows": list(value.get("deleted_rows", [])),
        }
        return self.parse(_to_wire(wire))


def _to_wire(v: Any) -> Any:
    if isinstance(v, dt.datetime | dt.date | dt.time):
        return v.isoformat()
    if isinstance(v, dict):
        return {k: _to_wire(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_to_wire(x) for x in v]
    return v


def _row(key: object, n: int) -> int | None:
    if isinstance(key, bool):
        return None
    if isinstance(key, str) and key.isdigit() and len(key) < 20:
        key = int(key)
    if isinstance(key, int) and 0 <= key < n:
        return key
    return None


def check_cell(column: DataColumn, value: object) -> Any:
    """One edited cell -> its Python value, or `_INVALID`."""
    if value is None:
        return _INVALID if column.required else None
    kind = column.kind
    if kind == "checkbox":
        return value if isinstance(value, bool) else _INVALID
    if kind in ("number", "progress"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return _INVALID
        if isinstance(value, float) and not math.isfinite(value):
            return _INVALID
        if column.integer:
            if isinstance(value, float) and not value.is_integer():
                return _INVALID
            value = int(value)
        if (column.min is not None and value < column.min) or (
            column.max is not None and value > column.max
        ):
            return _INVALID
        return value
    if kind in ("text", "link"):
        if not isinstance(value, str):
            return _INVALID
        if column.max_chars is not None and len(value) > column.max_chars:
            return _INVALID
        if kind == "link" and value and not safe_url(value):
            return _INVALID
        return value
    if kind == "selectbox":
        return value if isinstance(value, str) and value in column.options else _INVALID
    if kind in ("date", "datetime", "time"):
        if not isinstance(value, str) or len(value) > 64:
            return _INVALID
        try:
            if kind == "date":
                return dt.date.fromisoformat(value)
            if kind == "datetime":
                return dt.datetime.fromisoformat(value)
            return dt.time.fromisoformat(value)
        except ValueError:
            return _INVALID
    return _INVALID  # lists, charts, images, JSON: not editable


def safe_url(url: str) -> bool:
    lower = url.strip().lower()
    return lower.startswith(("http://", "https://", "mailto:"))


# --- applying --------------------------------------------------------------------------------


def apply(kind: str, original: Any, df: Any, edits: Mapping[str, Any]) -> Any:
    """The input with the edits applied, of the input's own type."""
    import pandas as pd

    if kind == "arrow" or kind == "polars":
        df = original_to_pandas(original)
    out = df.copy()
    for row, cells in edits["edited_rows"].items():
        for name, value in cells.items():
            j = _column_position(out, name)
            if j is not None:
                out.iloc[row, j] = _coerce(out.dtypes.iloc[j], value)
    if edits["deleted_rows"]:
        out = out.drop(index=out.index[edits["deleted_rows"]])
    if edits["added_rows"]:
        names = {str(c): c for c in out.columns}
        added = pd.DataFrame(
            [{names[k]: v for k, v in r.items() if k in names} for r in edits["added_rows"]],
            columns=out.columns,
        )
        out = pd.concat([out, added], ignore_index=isinstance(out.index, pd.RangeIndex))
    return back_to(kind, original, out)


def _column_position(df: Any, name: str) -> int | None:
    for j, c in enumerate(df.columns):
        if str(c) == name:
            return j
    return None


def _coerce(dtype: Any, value: Any) -> Any:
    from pandas.api import types as pt

    if value is None:
        return None
    if pt.is_datetime64_any_dtype(dtype) and isinstance(value, dt.date):
        import pandas as pd

        return pd.Timestamp(value)
    return value


def original_to_pandas(original: Any) -> Any:
    import pyarrow as pa

    if isinstance(original, pa.RecordBatch):
        return original.to_pandas()
    if isinstance(original, pa.Table):
        return original.to_pandas()
    return original.to_pandas()  # polars


def back_to(kind: str, original: Any, out: Any) -> Any:
    if kind == "arrow":
        import pyarrow as pa

        table = pa.Table.from_pandas(out, preserve_index=False)
        return table.to_batches()[0] if isinstance(original, pa.RecordBatch) else table
    if kind == "polars":
        import polars as pl

        return pl.from_pandas(out)
    if kind == "numpy":
        return out.to_numpy()
    if kind == "list":
        if original and all(isinstance(r, dict) for r in original):
            return out.to_dict(orient="records")
        return out.to_numpy().tolist()
    if kind == "dict":
        return {str(k): list(v) for k, v in out.to_dict(orient="list").items()}
    if kind == "styler":
        return out
    return out
