"""AppTest accessors for st.dataframe, st.table and st.data_editor.

Rows are read the way the browser reads them: a `FetchRows` answered by the session's store
(validated the same way) and decoded from the Arrow IPC it returns. Edits and selections are sent
as the browser sends them, in the next `run()`.
"""

from __future__ import annotations

import base64
import datetime as dt
import itertools
from typing import TYPE_CHECKING, Any

from bastion.app.testing.elements import Element, Widget
from bastion.protocol.app import DataFrame, FetchRows, Rows

if TYPE_CHECKING:
    from bastion.app.testing.app_test import AppTest
    from bastion.app.testing.tree import Node

_requests = itertools.count(1)


def decode_rows(rows: Rows) -> Any:
    """A `rows` reply (or an element's first chunk) as a pyarrow Table."""
    import pyarrow as pa

    if rows.error:
        raise ValueError(f"fetch_rows refused: {rows.error}")
    return pa.ipc.open_stream(base64.b64decode(rows.arrow)).read_all()


class _Grid:
    """What every data element offers: columns, row count, rows fetched as the browser does."""

    _node: Node
    root: AppTest
    proto: DataFrame

    @property
    def columns(self) -> list[str]:
        """The shown column labels, in display order (index columns first)."""
        return [c.label for c in self.proto.columns]

    @property
    def num_rows(self) -> int:
        return self.proto.num_rows

    def fetch(
        self, start: int, stop: int, *, sort: str | None = None, ascending: bool = True
    ) -> Rows:
        """Send one `FetchRows` for this element (sorted by the column labelled `sort`)."""
        sort_column = None
        if sort is not None:
            sort_column = next(c.field for c in self.proto.columns if c.label == sort)
        msg = FetchRows(
            request=next(_requests),
            data_id=self.proto.data_id,
            start=start,
            stop=stop,
            sort_column=sort_column,
            ascending=ascending,
        )
        return self.root.session.data.answer(msg)

    def rows(
        self, start: int = 0, stop: int | None = None, *, sort: str | None = None,
        ascending: bool = True,
    ) -> list[tuple[Any, ...]]:  # fmt: skip
        """Rows [start, stop) as shown: one tuple of cells per row, in display column order."""
        stop = self.num_rows if stop is None else stop
        table = decode_rows(self.fetch(start, stop, sort=sort, ascending=ascending))
        cols = [table.column(c.field).to_pylist() for c in self.proto.columns]
        return list(zip(*cols, strict=True)) if cols else [() for _ in range(table.num_rows)]

    def positions(self, start: int, stop: int, *, sort: str, ascending: bool = True) -> list[int]:
        """The original row positions of a sorted view's rows."""
        table = decode_rows(self.fetch(start, stop, sort=sort, ascending=ascending))
        return [int(v) for v in table.column(table.num_columns - 1).to_pylist()]

    def first_chunk(self) -> list[tuple[Any, ...]]:
        """The rows the element itself carries (no fetch)."""
        import pyarrow as pa

        table = pa.ipc.open_stream(base64.b64decode(self.proto.first)).read_all()
        cols = [table.column(c.field).to_pylist() for c in self.proto.columns]
        return list(zip(*cols, strict=True))

    @property
    def value(self) -> Any:
        """All rows as a pandas DataFrame with the shown labels (fetched in chunks)."""
        import pandas as pd

        out: list[tuple[Any, ...]] = []
        for start in range(0, self.num_rows, 5000):
            out.extend(self.rows(start, min(self.num_rows, start + 5000)))
        return pd.DataFrame(out, columns=self.columns)


class Dataframe(_Grid, Element):
    type = "dataframe"

    def __init__(self, node: Node, root: AppTest) -> None:
        Element.__init__(self, node, root)


class Table(_Grid, Element):
    type = "table"

    def __init__(self, node: Node, root: AppTest) -> None:
        Element.__init__(self, node, root)


class SelectableDataframe(_Grid, Widget):
    """A dataframe with `on_select`: also a widget (`at.dataframe` lists it too)."""

    type = "dataframe"

    @property
    def selection(self) -> dict[str, list[Any]]:
        return dict(Widget.value.fget(self))  # type: ignore[attr-defined]

    def select_rows(self, rows: list[int]) -> SelectableDataframe:
        current = self.selection
        self.set_value({"rows": list(rows), "columns": current.get("columns", [])})
        return self

    def select_columns(self, columns: list[str]) -> SelectableDataframe:
        current = self.selection
        self.set_value({"rows": current.get("rows", []), "columns": list(columns)})
        return self


class DataEditor(_Grid, Widget):
    type = "data_editor"

    @property
    def edits(self) -> dict[str, Any]:
        """The accepted edits (Streamlit's shape), or the pending ones before `run()`."""
        return dict(Widget.value.fget(self))  # type: ignore[attr-defined]

    def _pending(self) -> dict[str, Any]:
        e = self.edits
        return {
            "edited_rows": {str(k): dict(v) for k, v in e["edited_rows"].items()},
            "added_rows": [dict(r) for r in e["added_rows"]],
            "deleted_rows": list(e["deleted_rows"]),
        }

    def edit(self, row: int, column: str, value: Any) -> DataEditor:
        e = self._pending()
        e["edited_rows"].setdefault(str(row), {})[column] = value
        self.set_value(e)
        return self

    def add_row(self, cells: dict[str, Any]) -> DataEditor:
        e = self._pending()
        e["added_rows"].append(dict(cells))
        self.set_value(e)
        return self

    def delete_rows(self, rows: list[int]) -> DataEditor:
        e = self._pending()
        e["deleted_rows"] = sorted(set(e["deleted_rows"]) | set(rows))
        self.set_value(e)
        return self

    def wire_value(self, value: Any) -> Any:
        return _wire(value)


def _wire(v: Any) -> Any:
    if isinstance(v, dt.datetime | dt.date | dt.time):
        return v.isoformat()
    if isinstance(v, dict):
        return {str(k): _wire(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_wire(x) for x in v]
    return v


def classify(el: DataFrame) -> type[Element]:
    if el.mode == "table":
        return Table
    if el.mode == "editor":
        return DataEditor
    return SelectableDataframe if el.id is not None else Dataframe


BY_ELEMENT: dict[type, type[Element]] = {}  # DataFrame nodes go through `classify` below
TYPES: dict[str, tuple[type[Element], ...]] = {
    "dataframe": (Dataframe, SelectableDataframe),
    "table": (Table,),
    "data_editor": (DataEditor,),
}
