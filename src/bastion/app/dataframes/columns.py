"""The shown columns: a source's fields with `column_config`, `column_order` and `hide_index`."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from bastion.app.dataframes.source import Source
from bastion.app.errors import InvalidArgument
from bastion.protocol.app import DataColumn

INDEX_KEY = "_index"  # Streamlit's column_config key for the index
_KINDS = {
    "text", "number", "checkbox", "selectbox", "date", "datetime", "time", "link", "progress",
    "image", "line_chart", "bar_chart", "area_chart", "list", "json",
}  # fmt: skip
_WIDTHS = ("small", "medium", "large")


def _float(v: object) -> float | None:
    if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v):
        return float(v)
    return None


def normalize_config(what: str, config: object) -> dict[str, dict[str, Any] | None]:
    if config is None:
        return {}
    if not isinstance(config, Mapping):
        raise InvalidArgument(what, "column_config", "a dict of column name -> config", config)
    out: dict[str, dict[str, Any] | None] = {}
    for name, value in config.items():
        if value is None:
            out[str(name)] = None
        elif isinstance(value, str):
            out[str(name)] = {"label": value}
        elif isinstance(value, Mapping):
            out[str(name)] = dict(value)
        else:
            raise InvalidArgument(
                what, f"column_config[{name!r}]", "a label, None, or st.column_config.*", value
            )
    return out


def shown_columns(
    what: str,
    source: Source,
    config: Mapping[str, dict[str, Any] | None],
    column_order: Iterable[object] | None,
    hide_index: bool | None,
    disabled: bool | Iterable[object] = False,
) -> tuple[DataColumn, ...]:
    disabled_names = set() if isinstance(disabled, bool) else {str(d) for d in disabled}
    all_disabled = disabled is True
    if hide_index is None:
        hide_index = _range_index(source)
    index_cols: list[DataColumn] = []
    data_cols: dict[str, DataColumn] = {}
    for i, f in enumerate(source.fields):
        key = INDEX_KEY if f.index else f.label
        if key in config and config[key] is None:
            continue
        c = config.get(key) or {}
        tc: dict[str, Any] = c.get("type_config") or {}
        kind = tc.get("type", f.kind)
        if kind not in _KINDS:
            raise InvalidArgument(what, f"column_config[{key!r}]", "a known column type", kind)
        width = c.get("width")
        if not (width in _WIDTHS or (isinstance(width, int) and not isinstance(width, bool))):
            width = None
        options = tc.get("options")
        column = DataColumn(
            field=i,
            name=key,
            label=str(c.get("label") or f.label),
            kind=kind,
            index=f.index,
            integer=f.integer,
            width=width,
            help=str(c["help"]) if c.get("help") else None,
            disabled=bool(c.get("disabled")) or all_disabled or f.label in disabled_names,
            required=bool(c.get("required")),
            format=str(tc["format"]) if tc.get("format") else None,
            min=_float(tc.get("min_value", tc.get("y_min"))),
            max=_float(tc.get("max_value", tc.get("y_max"))),
            step=_float(tc.get("step")),
            max_chars=tc.get("max_chars") if isinstance(tc.get("max_chars"), int) else None,
            options=tuple(str(o) for o in (options if options is not None else f.options)),
            display_text=str(tc["display_text"]) if tc.get("display_text") else None,
            pinned=bool(c.get("pinned")),
        )
        if f.index:
            if not hide_index:
                index_cols.append(column)
        elif key in data_cols:  # a duplicate column name: shown too (column_order names the first)
            data_cols[f"{key}\x00{i}"] = column
        else:
            data_cols[key] = column
    if column_order is not None:
        if isinstance(column_order, str):
            column_order = [column_order]
        ordered = [data_cols[str(n)] for n in column_order if str(n) in data_cols]
    else:
        ordered = list(data_cols.values())
    return (*index_cols, *ordered)


def _range_index(source: Source) -> bool:
    df = source._df
    if df is None:
        return True
    import pandas as pd

    return isinstance(df.index, pd.RangeIndex)
