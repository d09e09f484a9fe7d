"""st.dataframe, st.table and st.data_editor: a frame shown as a lazily fetched, virtualized grid.

The element holds a fresh data id, the columns, the row count and the first chunk of rows only; the
browser fetches the rest (see `bastion.protocol.app.data`). No O(rows) work happens here: the
source is registered with the session's store as it is, and only the first chunk is converted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any, Literal

from bastion.app import column_config as column_config
from bastion.app import context, widgets
from bastion.app.container import DeltaGenerator, current, next_path
from bastion.app.dataframes import edits as edits_mod
from bastion.app.dataframes.columns import normalize_config, shown_columns
from bastion.app.dataframes.source import Source, from_data, ipc_base64
from bastion.app.errors import InvalidArgument
from bastion.app.state import InvalidValue
from bastion.protocol.app import DataColumn, DataFrame, SelectionMode

FIRST_ROWS = 100
MAX_FIRST_CELLS = 4_000
MAX_TABLE_ROWS = 2_000  # st.table is static: it sends its rows at once, up to this many
_MODES = ("single-row", "multi-row", "single-column", "multi-column")


class AttrDict(dict[str, Any]):
    """Streamlit's selection state: a dict whose keys read as attributes too."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _first_rows(source: Source, columns: int, cap: int) -> int:
    per_cell = max(10, MAX_FIRST_CELLS // max(1, columns))
    return min(source.num_rows, cap, per_cell)


def _emit(
    what: str,
    source: Source,
    columns: tuple[DataColumn, ...],
    first_rows: int,
    fields: dict[str, Any],
    w: Any = None,
    source_view: object = None,
) -> DeltaGenerator:
    """Register the source under a new id and write the element (with the first chunk)."""
    ctx = context.get(what)
    dg = current(ctx)
    path = next_path(ctx, dg)
    data_id = ctx.session.data.register(path, source)
    first = ipc_base64(source.chunk(0, first_rows))
    element = DataFrame(
        data_id=data_id,
        num_rows=source.num_rows,
        columns=columns,
        first=first,
        first_rows=first_rows,
        **fields,
    )
    from bastion.app.container import _encode

    view = (w, source) if source_view is None else source_view
    ctx.session.write_node(ctx, path, _encode(element), False, view, None if w is None else w.id)
    return DeltaGenerator(dg._path, locked=path, form_id=dg.form_id)


def _size(what: str, width: object, height: object, use_container_width: object) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if height is not None and height != "auto":
        if isinstance(height, bool) or not isinstance(height, int) or height < 0:
            raise InvalidArgument(what, "height", "a number of pixels or 'auto'", height)
        out["height"] = height
    if width == "content":
        out["use_container_width"] = False
    elif isinstance(width, int) and not isinstance(width, bool):
        out["width"] = width
        out["use_container_width"] = False
    elif width not in (None, "stretch"):
        raise InvalidArgument(what, "width", "'stretch', 'content' or a number of pixels", width)
    if use_container_width is not None:
        out["use_container_width"] = bool(use_container_width)
    return out


def _selection_modes(what: str, mode: object) -> tuple[SelectionMode, ...]:
    modes = [mode] if isinstance(mode, str) else list(mode)  # type: ignore[call-overload]
    for m in modes:
        if m not in _MODES:
            raise InvalidArgument(what, "selection_mode", " or ".join(map(repr, _MODES)), m)
    if "single-row" in modes and "multi-row" in modes:
        raise InvalidArgument(what, "selection_mode", "one row mode", mode)
    if "single-column" in modes and "multi-column" in modes:
        raise InvalidArgument(what, "selection_mode", "one column mode", mode)
    return tuple(modes)


def dataframe(
    data: Any = None,
    width: int | str | None = None,
    height: int | str | None = None,
    *,
    use_container_width: bool | None = None,
    hide_index: bool | None = None,
    column_order: Iterable[str] | None = None,
    column_config: dict[str, Any] | None = None,
    key: str | int | None = None,
    on_select: Literal["ignore", "rerun"] | Callable[..., Any] = "ignore",
    selection_mode: SelectionMode | Iterable[SelectionMode] = "multi-row",
    row_height: int | None = None,
) -> Any:
    what = "dataframe"
    context.get(what)
    source = from_data(what, data)
    config = normalize_config(what, column_config)
    columns = shown_columns(what, source, config, column_order, hide_index)
    fields = _size(what, width, height, use_container_width)
    first = _first_rows(source, len(source.fields), FIRST_ROWS)
    if on_select == "ignore":
        return _emit(what, source, columns, first, fields)
    if not (on_select == "rerun" or callable(on_select)):
        raise InvalidArgument(what, "on_select", "'ignore', 'rerun' or a callable", on_select)
    modes = _selection_modes(what, selection_mode)
    c = widgets.Common(
        what, "", key, None, on_select if callable(on_select) else None, None, None, False,
        callback_param="on_select",
    )  # fmt: skip
    names = {col.name for col in columns if not col.index}
    n = source.num_rows

    def parse(raw: object) -> dict[str, list[Any]]:
        if not isinstance(raw, dict) or not set(raw) <= {"rows", "columns"}:
            raise InvalidValue("expected {rows: [...], columns: [...]}")
        rows = raw.get("rows", [])
        cols = raw.get("columns", [])
        if not isinstance(rows, list) or not isinstance(cols, list):
            raise InvalidValue("rows and columns must be lists")
        row_mode = "multi-row" in modes or "single-row" in modes
        col_mode = "multi-column" in modes or "single-column" in modes
        if (rows and not row_mode) or (cols and not col_mode):
            raise InvalidValue("selection of a kind this dataframe does not allow")
        for r in rows:
            if isinstance(r, bool) or not isinstance(r, int) or not 0 <= r < n:
                raise InvalidValue(f"row {r!r} is not a row of the frame")
        for name in cols:
            if name not in names:
                raise InvalidValue(f"column {name!r} is not shown")
        if len(set(rows)) != len(rows) or len(set(cols)) != len(cols):
            raise InvalidValue("duplicate selection")
        if ("single-row" in modes and len(rows) > 1) or (
            "single-column" in modes and len(cols) > 1
        ):
            raise InvalidValue("more than one selected in single selection mode")
        return {"rows": sorted(rows), "columns": list(cols)}

    def check(value: object) -> dict[str, list[Any]]:
        if isinstance(value, dict) and "selection" in value:
            value = value["selection"]
        return parse(dict(value) if isinstance(value, dict) else value)

    default: dict[str, list[Any]] = {"rows": [], "columns": []}
    identity = (tuple(col.name for col in columns), n, modes)
    w, value, shown = c.register(identity, default, parse, check)
    fields.update(
        id=w.id,
        selection_mode=modes,
        selected_rows=tuple(shown["rows"]),
        selected_columns=tuple(shown["columns"]),
        form_id=c.form_id,
        key=c.key,
    )
    _emit(what, source, columns, first, fields, w)
    return AttrDict(
        selection=AttrDict(rows=list(value["rows"]), columns=list(value["columns"]), cells=[])
    )


def table(data: Any = None) -> DeltaGenerator:
    """A static table: every row (up to `MAX_TABLE_ROWS`) at once, no sorting, no scrolling."""
    what = "table"
    context.get(what)
    source = from_data(what, data)
    columns = shown_columns(what, source, {}, None, None)
    first = min(source.num_rows, MAX_TABLE_ROWS)
    return _emit(what, source, columns, first, {"mode": "table", "sortable": False})


def data_editor(
    data: Any,
    width: int | str | None = None,
    height: int | str | None = None,
    *,
    use_container_width: bool | None = None,
    hide_index: bool | None = None,
    column_order: Iterable[str] | None = None,
    column_config: dict[str, Any] | None = None,
    num_rows: Literal["fixed", "dynamic"] = "fixed",
    disabled: bool | Iterable[str] = False,
    key: str | int | None = None,
    on_change: Callable[..., Any] | None = None,
    args: tuple[Any, ...] | list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    row_height: int | None = None,
) -> Any:
    what = "data_editor"
    context.get(what)
    if num_rows not in ("fixed", "dynamic"):
        raise InvalidArgument(what, "num_rows", "'fixed' or 'dynamic'", num_rows)
    source = from_data(what, data)
    config = normalize_config(what, column_config)
    columns = shown_columns(what, source, config, column_order, hide_index, disabled)
    fields = _size(what, width, height, use_container_width)
    c = widgets.Common(what, "", key, None, on_change, args, kwargs, disabled is True)
    rules = edits_mod.EditRules(columns, source.num_rows, num_rows == "dynamic")
    identity = (tuple((col.name, col.kind) for col in columns), source.num_rows, num_rows)
    w, value, shown = c.register(identity, edits_mod.empty(), rules.parse, rules.check)
    fields.update(
        mode="editor",
        id=w.id,
        num_rows_mode=num_rows,
        edits_json=json.dumps(shown, default=_iso),
        form_id=c.form_id,
        disabled=c.disabled,
        key=c.key,
        sortable=False,  # edits address rows by position; a sorted view would confuse them
    )
    first = _first_rows(source, len(source.fields), FIRST_ROWS)
    _emit(what, source, columns, first, fields, w)
    if not any(value.values()):
        return data
    df = source._df if source._df is not None else None
    return edits_mod.apply(source.kind, source.original, df, value)


def _iso(v: Any) -> str:
    if hasattr(v, "isoformat"):
        return str(v.isoformat())
    return str(v)


experimental_data_editor = data_editor
