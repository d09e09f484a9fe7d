"""Data elements (st.dataframe, st.data_editor, st.table) and the lazy row fetch.

A dataframe element carries the column descriptions, the row count, and only its *first chunk* of
rows; the browser asks for more as the user scrolls:

    C→S {"type":"fetch_rows","request":7,"data_id":"d3f…","start":4000,"stop":4200,
         "sort_column":2,"ascending":false}
    S→C {"type":"rows","request":7,"data_id":"d3f…","start":4000,"stop":4200,"num_rows":10000000,
         "arrow":"<base64 Arrow IPC stream>","positions":true}

Rows travel as an Arrow IPC stream (one record batch), base64 inside the JSON text frame: the
socket stays one text protocol and a 200-row chunk is a few kB. Column `i` of the batch is
field `i` of the element's `DataColumn.field`; cells are booleans, numbers (64-bit integers as
BigInt), UTF-8 text (dates and times as ISO text, lists and chart data as JSON text) or null. With
`positions`, the batch has one more, last, column: the original row position of each row (the
view is sorted), which selections and edits use.

`sort_column` (a field number) sorts the whole frame on the server before slicing, so a sorted
view of ten million rows still sends one chunk; the sort order is computed once per column and
direction and cached with the data.

Every inbound field is bounded by the schema below and checked again by the session: the
`data_id` must name data this session's current page shows (ids are random per element and per
run, and live in the session's own store, so one session can never read another's), `start` and
`stop` must lie within the frame, and one request returns at most `MAX_FETCH_ROWS` rows. A bad
request gets a `rows` reply with `error` set; it never closes the socket.
"""

from __future__ import annotations

from typing import Annotated, Final, Literal

import msgspec

from bastion.protocol.app._base import _El, _Msg

MAX_FETCH_ROWS: Final = 5_000
MAX_DATA_ID: Final = 64
MAX_FIELDS: Final = 100_000

DataId = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_DATA_ID, pattern="^[0-9a-f]+$")]
RowIndex = Annotated[int, msgspec.Meta(ge=0, le=2**53)]
RequestId = Annotated[int, msgspec.Meta(ge=0, le=2**31)]
FieldIndex = Annotated[int, msgspec.Meta(ge=0, lt=MAX_FIELDS)]

ColumnKind = Literal[
    "text",
    "number",
    "checkbox",
    "selectbox",
    "date",
    "datetime",
    "time",
    "link",
    "progress",
    "image",
    "line_chart",
    "bar_chart",
    "area_chart",
    "list",
    "json",
]
SelectionMode = Literal["single-row", "multi-row", "single-column", "multi-column"]


class DataColumn(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One shown column: where its cells are in a chunk and how to show and edit them."""

    field: int  # the Arrow column of a chunk holding this column's cells
    name: str  # the column's name in the frame (edits and selections use it); plain text
    label: str  # the header; plain text
    kind: ColumnKind = "text"
    index: bool = False  # an index column (hide_index hides these)
    integer: bool = False  # number columns: integers only
    width: Literal["small", "medium", "large"] | int | None = None
    help: str | None = None  # plain text (a tooltip)
    disabled: bool = False
    required: bool = False
    format: str | None = None  # printf-style for numbers ("%.2f", "%d"), or a strftime pattern
    min: float | None = None
    max: float | None = None
    step: float | None = None
    max_chars: int | None = None
    options: tuple[str, ...] = ()  # selectbox columns: the allowed values, as text
    display_text: str | None = None  # link columns: shown instead of the URL
    pinned: bool = False


class DataFrame(_El, frozen=True, tag="dataframe"):
    """st.dataframe, st.data_editor and st.table: a virtualized grid over lazily fetched rows."""

    data_id: str
    num_rows: int
    columns: tuple[DataColumn, ...]  # in display order (column_order applied)
    first: str  # base64 Arrow IPC stream: rows [0, first_rows) in the frame's own order
    first_rows: int
    mode: Literal["dataframe", "editor", "table"] = "dataframe"
    height: int | None = None
    width: int | None = None
    use_container_width: bool = True
    sortable: bool = True
    # A widget (selectable dataframe, data_editor): its id and state.
    id: str | None = None
    selection_mode: tuple[SelectionMode, ...] = ()
    selected_rows: tuple[int, ...] = ()
    selected_columns: tuple[str, ...] = ()
    num_rows_mode: Literal["fixed", "dynamic"] = "fixed"
    edits_json: str | None = None  # data_editor: the accepted edits, Streamlit's shape, as JSON
    form_id: str | None = None
    disabled: bool = False
    key: str | None = None


class FetchRows(_Msg, frozen=True, tag="fetch_rows"):
    """Rows [start, stop) of a dataframe this page shows, optionally sorted by one column."""

    request: RequestId
    data_id: DataId
    start: RowIndex
    stop: RowIndex
    sort_column: FieldIndex | None = None
    ascending: bool = True


class Rows(_Msg, frozen=True, tag="rows"):
    """The answer to one `FetchRows` (same `request`)."""

    request: int
    data_id: str
    start: int
    stop: int
    num_rows: int
    arrow: str = ""  # base64 Arrow IPC stream
    positions: bool = False  # the last Arrow column holds original row positions
    error: str | None = None
