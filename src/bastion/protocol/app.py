"""The app WebSocket protocol: every message between a browser tab and its app session.

This module is the single source of truth for the app wire format. The frontend's TypeScript
types are generated from it, and every inbound frame is decoded against it with validation
(`decode_client`), which is the WebSocket input validation: unknown message types, missing or
mistyped fields, oversized strings and lists are rejected before any app code sees them.

Wire format: one JSON object per WebSocket text frame, tagged by its `"type"` field. Elements and
blocks are tagged the same way. Field names are snake_case on both sides.

Message flow::

    client                                   server
      | -- Hello{protocol, resume_token?} ---> |   first frame, always
      | <-- Welcome{protocol, resume_token} -- |   or Refused{code, message} and the socket closes
      | -- Rerun{widgets, query_string?} ----> |   always next, after a new or resumed Welcome
      | <-- Batch[RunStarted, Delta..., ...] - |   one frame per flush (a few ms apart at most)
      | <-- Batch[..., Delta..., RunFinished]  |
      | -- Rerun{widgets: {id: value}} ------> |   a widget changed (outside a form)
      | -- Submit{form, button, widgets} ----> |   a form was submitted (its batched values)
      | -- Stop{} ---------------------------> |   stop the running script
      | <-- Batch[RunStarted, ...] ----------- |   a new run interrupts the old one: the old run
      |                                        |   ends with RunFinished{status: "rerun"} first

After a resumed Welcome the server sends nothing more of a run that was in progress: the client's
first Rerun starts a fresh one, and a resumed session keeps its widget state, so that Rerun may
carry no widgets at all.

Deltas are addressed by a position path, as in Streamlit's ``delta_path``: ``[root, i, j, ...]``
where ``root`` is 0 for the main area and 1 for the sidebar, and each following index is the
position inside the enclosing block. A block (columns, expander, form, ...) is a node whose
children are addressed by extending its path.

Rendering rules the client must follow:

- ``NewElement`` puts an element at ``path``; if a block was there, the block and its children go.
- ``NewBlock`` puts a block at ``path``; if a block was already there, its children are kept
  (they are re-addressed by the deltas that follow, and cleared at the end of the run if not).
- ``Same`` marks the node already at ``path`` as written by this run, unchanged: the server sends it
  instead of an element or block identical to the one it sent at that path before.
- Every node carries the run that last wrote it. During a run, nodes not yet written by it are
  stale (shown faded). On ``RunFinished`` with a status other than ``"rerun"``, every node this run
  did not write is removed. On ``"rerun"`` (the run was interrupted by a newer one) nothing is
  removed: the next run's deltas replace it.

Widget identity and values: each widget element has an ``id``. The client reports a widget's new
value as ``widgets[id] = value`` in the next ``Rerun`` (only values that changed since the last
message are required; the server keeps the rest). Values by widget type: button and
form_submit_button ``true`` (a one-shot trigger), checkbox/toggle ``bool``, radio and selectbox
the option index or ``null``, multiselect a list of option indices, slider a list of one or two
numbers, select_slider a list of one or two option indices, text_input/text_area a string or
``null``, number_input a number or ``null``. The server validates every value against the widget's
definition (type, bounds, option membership, length, disabled) and ignores invalid ones. A widget
element's ``value`` fields are authoritative: the client adopts them whenever it receives the
element again (this is how ``st.session_state`` writes reach the browser).

Security contract for the client: fields named ``*_html`` hold HTML the server rendered from
markdown and sanitized with an allow-list; the client inserts them as HTML and never parses
markdown. Every other string is plain text and must be inserted as text, never as HTML.
Secrets never appear in any message.
"""

from __future__ import annotations

import functools
from typing import Annotated, Final, Literal

import msgspec

PROTOCOL_VERSION: Final = 1
"""Bumped on any incompatible change. Additive changes (new optional fields, new message, element
or block types) keep the version: clients ignore element types they do not know."""

# Limits on inbound data: generous for real use, small enough that a hostile client cannot make
# the server hold much. The server enforces a frame size cap before decoding as well.
MAX_WIDGET_ID: Final = 256
MAX_WIDGETS_PER_MESSAGE: Final = 10_000
MAX_TEXT_VALUE: Final = 1_000_000
MAX_LIST_VALUE: Final = 100_000
MAX_QUERY_STRING: Final = 16_384
MAX_TOKEN: Final = 512

WidgetId = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_WIDGET_ID)]
Token = Annotated[str, msgspec.Meta(max_length=MAX_TOKEN)]
QueryString = Annotated[str, msgspec.Meta(max_length=MAX_QUERY_STRING)]
Number = int | float
WidgetValue = (
    bool
    | int
    | float
    | Annotated[str, msgspec.Meta(max_length=MAX_TEXT_VALUE)]
    | Annotated[list[Number], msgspec.Meta(max_length=MAX_LIST_VALUE)]
    | None
)
WidgetValues = Annotated[
    dict[WidgetId, WidgetValue], msgspec.Meta(max_length=MAX_WIDGETS_PER_MESSAGE)
]
Path = tuple[int, ...]

ROOT_MAIN: Final = 0
ROOT_SIDEBAR: Final = 1


class _Msg(msgspec.Struct, frozen=True, kw_only=True, tag_field="type", forbid_unknown_fields=True):
    pass


# --- client -> server -------------------------------------------------------------------------


class Hello(_Msg, frozen=True, tag="hello"):
    """First frame of every connection."""

    protocol: int
    resume_token: Token | None = None  # from a previous Welcome: reattach to that session
    csrf_token: Token | None = None  # issue 6: double-submit token, checked by the server
    query_string: QueryString = ""


class Rerun(_Msg, frozen=True, tag="rerun"):
    """Run the script again with these widget values (a widget changed, or the first run)."""

    widgets: WidgetValues = {}
    query_string: QueryString | None = None  # the URL's query changed (back/forward navigation)
    fragment_id: Token | None = None  # reserved for fragments (issue 5)


class Submit(_Msg, frozen=True, tag="submit"):
    """A form was submitted: its batched widget values plus its submit button's trigger."""

    form: WidgetId
    button: WidgetId
    widgets: WidgetValues = {}


class Stop(_Msg, frozen=True, tag="stop"):
    """Stop this session's running script (never another session's)."""


ClientMsg = Hello | Rerun | Submit | Stop


# --- elements (server -> client) --------------------------------------------------------------


class _El(msgspec.Struct, frozen=True, kw_only=True, tag_field="type", omit_defaults=True):
    pass


class Heading(_El, frozen=True, tag="heading"):
    level: Literal["title", "header", "subheader"]
    body_html: str
    anchor: str | None = None
    help_html: str | None = None
    divider: str | None = None  # a colour name, for `divider=` on header/subheader


class Markdown(_El, frozen=True, tag="markdown"):
    body_html: str
    kind: Literal["markdown", "caption", "latex"] = "markdown"
    help_html: str | None = None


class Text(_El, frozen=True, tag="text"):
    body: str  # plain text, shown preformatted
    help_html: str | None = None


class Code(_El, frozen=True, tag="code"):
    body: str  # plain text
    language: str | None = None
    line_numbers: bool = False
    wrap_lines: bool = False


class Json(_El, frozen=True, tag="json"):
    body: str  # a JSON document, already serialized; the client pretty-prints it as text
    expanded: bool | int = True


class Divider(_El, frozen=True, tag="divider"):
    pass


class Metric(_El, frozen=True, tag="metric"):
    label_html: str
    value: str
    delta: str | None = None
    delta_color: Literal["normal", "inverse", "off"] = "normal"
    delta_direction: Literal["up", "down", "none"] = "none"
    help_html: str | None = None
    label_visibility: Literal["visible", "hidden", "collapsed"] = "visible"
    border: bool = False


class Alert(_El, frozen=True, tag="alert"):
    kind: Literal["success", "info", "warning", "error"]
    body_html: str
    icon: str | None = None  # a single emoji, plain text


class ExceptionInfo(_El, frozen=True, tag="exception"):
    exc_type: str
    message: str
    traceback: tuple[str, ...] = ()  # empty unless the server shows error details
    error_id: str | None = None  # quoted in the server log, for production mode


class Spinner(_El, frozen=True, tag="spinner"):
    text_html: str
    show_time: bool = False


class Progress(_El, frozen=True, tag="progress"):
    value: int  # 0..100
    text_html: str | None = None


class Balloons(_El, frozen=True, tag="balloons"):
    nonce: int  # differs per run so that balloons fly again when the script asks again


class Empty(_El, frozen=True, tag="empty"):
    """A placeholder (`st.empty()`): renders nothing and holds a position."""


LabelVisibility = Literal["visible", "hidden", "collapsed"]


class Button(_El, frozen=True, tag="button"):
    id: str
    label_html: str
    kind: Literal["primary", "secondary", "tertiary"] = "secondary"
    form_submit: bool = False  # a form's submit button: sends Submit, not Rerun
    form_id: str | None = None
    help_html: str | None = None
    disabled: bool = False
    use_container_width: bool = False
    icon: str | None = None
    key: str | None = None


class Checkbox(_El, frozen=True, tag="checkbox"):
    id: str
    label_html: str
    value: bool
    style: Literal["checkbox", "toggle"] = "checkbox"
    form_id: str | None = None
    help_html: str | None = None
    disabled: bool = False
    label_visibility: LabelVisibility = "visible"
    key: str | None = None


class Radio(_El, frozen=True, tag="radio"):
    id: str
    label_html: str
    options_html: tuple[str, ...]
    index: int | None
    horizontal: bool = False
    captions_html: tuple[str, ...] = ()
    form_id: str | None = None
    help_html: str | None = None
    disabled: bool = False
    label_visibility: LabelVisibility = "visible"
    key: str | None = None


class Selectbox(_El, frozen=True, tag="selectbox"):
    id: str
    label_html: str
    options: tuple[str, ...]  # plain text
    index: int | None
    placeholder: str = ""
    form_id: str | None = None
    help_html: str | None = None
    disabled: bool = False
    label_visibility: LabelVisibility = "visible"
    key: str | None = None


class Multiselect(_El, frozen=True, tag="multiselect"):
    id: str
    label_html: str
    options: tuple[str, ...]
    indices: tuple[int, ...]
    max_selections: int | None = None
    placeholder: str = ""
    form_id: str | None = None
    help_html: str | None = None
    disabled: bool = False
    label_visibility: LabelVisibility = "visible"
    key: str | None = None


class Slider(_El, frozen=True, tag="slider"):
    id: str
    label_html: str
    data_type: Literal["int", "float"]
    min: float
    max: float
    step: float
    value: tuple[float, ...]  # one value, or two for a range
    format: str | None = None  # printf-style, e.g. "%d" or "%.2f"
    form_id: str | None = None
    help_html: str | None = None
    disabled: bool = False
    label_visibility: LabelVisibility = "visible"
    key: str | None = None


class SelectSlider(_El, frozen=True, tag="select_slider"):
    id: str
    label_html: str
    options: tuple[str, ...]
    value: tuple[int, ...]  # option indices: one, or two for a range
    form_id: str | None = None
    help_html: str | None = None
    disabled: bool = False
    label_visibility: LabelVisibility = "visible"
    key: str | None = None


class TextInput(_El, frozen=True, tag="text_input"):
    id: str
    label_html: str
    value: str | None
    multiline: bool = False  # True for text_area
    height: int | None = None
    max_chars: int | None = None
    input_type: Literal["default", "password"] = "default"
    placeholder: str = ""
    autocomplete: str | None = None
    form_id: str | None = None
    help_html: str | None = None
    disabled: bool = False
    label_visibility: LabelVisibility = "visible"
    key: str | None = None


class NumberInput(_El, frozen=True, tag="number_input"):
    id: str
    label_html: str
    data_type: Literal["int", "float"]
    value: float | None
    step: float
    min: float | None = None
    max: float | None = None
    format: str | None = None
    placeholder: str = ""
    form_id: str | None = None
    help_html: str | None = None
    disabled: bool = False
    label_visibility: LabelVisibility = "visible"
    key: str | None = None


Element = (
    Heading
    | Markdown
    | Text
    | Code
    | Json
    | Divider
    | Metric
    | Alert
    | ExceptionInfo
    | Spinner
    | Progress
    | Balloons
    | Empty
    | Button
    | Checkbox
    | Radio
    | Selectbox
    | Multiselect
    | Slider
    | SelectSlider
    | TextInput
    | NumberInput
)

# --- blocks -----------------------------------------------------------------------------------

Gap = Literal["small", "medium", "large"]


class Vertical(_El, frozen=True, tag="vertical"):
    """`st.container()`, and the implicit root of main and sidebar."""

    border: bool = False
    height: int | None = None
    key: str | None = None


class Columns(_El, frozen=True, tag="columns"):
    """A horizontal row; its children are `Column` blocks."""

    gap: Gap = "small"


class Column(_El, frozen=True, tag="column"):
    weight: float
    gap: Gap = "small"
    vertical_alignment: Literal["top", "center", "bottom"] = "top"
    border: bool = False


class Expander(_El, frozen=True, tag="expander"):
    label_html: str
    expanded: bool = False
    icon: str | None = None


class Form(_El, frozen=True, tag="form"):
    form_id: str
    clear_on_submit: bool = False
    enter_to_submit: bool = True
    border: bool = True


class Tabs(_El, frozen=True, tag="tabs"):
    """A tab bar; its children are `Tab` blocks, one per label."""

    labels_html: tuple[str, ...]


class Tab(_El, frozen=True, tag="tab"):
    label_html: str


Block = Vertical | Columns | Column | Expander | Form | Tabs | Tab

# --- server -> client -------------------------------------------------------------------------


class Theme(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    base: Literal["light", "dark"] | None = None
    primary_color: str | None = None
    background_color: str | None = None
    secondary_background_color: str | None = None
    text_color: str | None = None
    font: str | None = None


class Welcome(_Msg, frozen=True, tag="welcome"):
    protocol: int
    server_version: str
    resume_token: str  # single use: send it in the next Hello to reattach after a drop
    resumed: bool = False  # True when this connection reattached to an existing session
    theme: Theme = Theme()
    max_message_bytes: int = 0  # the server's inbound frame cap (0: unspecified)


class Refused(_Msg, frozen=True, tag="refused"):
    """The connection cannot go on (protocol mismatch, bad token...). The server then closes."""

    code: Literal["protocol", "invalid", "forbidden", "overloaded", "expired"]
    message: str


class NewElement(_Msg, frozen=True, tag="element"):
    path: Path
    element: Element


class NewBlock(_Msg, frozen=True, tag="block"):
    path: Path
    block: Block


class Same(_Msg, frozen=True, tag="same"):
    """The node at `path` is identical to what this client already holds; keep it."""

    path: Path


class RunStarted(_Msg, frozen=True, tag="started"):
    run: int  # increases by one per run of this session


RunStatus = Literal["ok", "error", "rerun", "stopped", "compile_error"]


class RunFinished(_Msg, frozen=True, tag="finished"):
    run: int
    status: RunStatus


class PageConfig(_Msg, frozen=True, tag="page_config"):
    title: str | None = None
    icon: str | None = None  # an emoji or a short text; plain text
    layout: Literal["centered", "wide"] | None = None
    initial_sidebar_state: Literal["auto", "expanded", "collapsed"] | None = None


class QueryChanged(_Msg, frozen=True, tag="query"):
    """The script changed `st.query_params`: the client updates its URL (no reload)."""

    query_string: str


Event = NewElement | NewBlock | Same | RunStarted | RunFinished | PageConfig | QueryChanged


class Batch(_Msg, frozen=True, tag="batch"):
    """Everything one flush produced, in order."""

    events: tuple[Event, ...]


ServerMsg = Welcome | Refused | Batch


# --- codecs -----------------------------------------------------------------------------------


@functools.cache
def _client_decoder() -> msgspec.json.Decoder[ClientMsg]:
    return msgspec.json.Decoder(ClientMsg)


@functools.cache
def _server_decoder() -> msgspec.json.Decoder[ServerMsg]:
    return msgspec.json.Decoder(ServerMsg)


class ProtocolError(ValueError):
    """An inbound frame that does not follow this schema. The message names the field."""


def decode_client(frame: bytes | str) -> ClientMsg:
    """Decode and validate one client frame; raise `ProtocolError` naming the bad field."""
    try:
        return _client_decoder().decode(frame)
    except msgspec.ValidationError as e:
        raise ProtocolError(f"invalid message: {e}") from None
    except msgspec.DecodeError as e:
        raise ProtocolError(f"malformed frame: {e}") from None


def decode_server(frame: bytes | str) -> ServerMsg:
    """Decode one server frame (used by AppTest and tests, which play the client)."""
    return _server_decoder().decode(frame)


def encode(msg: ServerMsg | ClientMsg | Element | Block) -> bytes:
    return msgspec.json.encode(msg)


def json_schema() -> dict[str, object]:
    """The JSON Schema of both directions; the frontend's TypeScript types are generated from it."""
    (client, server), components = msgspec.json.schema_components((ClientMsg, ServerMsg))
    return {
        "protocol": PROTOCOL_VERSION,
        "client": client,
        "server": server,
        "$defs": components,
    }


__all__ = [
    "PROTOCOL_VERSION",
    "ROOT_MAIN",
    "ROOT_SIDEBAR",
    "Alert",
    "Balloons",
    "Batch",
    "Block",
    "Button",
    "Checkbox",
    "ClientMsg",
    "Code",
    "Column",
    "Columns",
    "Divider",
    "Element",
    "Empty",
    "Event",
    "ExceptionInfo",
    "Expander",
    "Form",
    "Heading",
    "Hello",
    "Json",
    "Markdown",
    "Metric",
    "Multiselect",
    "NewBlock",
    "NewElement",
    "NumberInput",
    "PageConfig",
    "Progress",
    "ProtocolError",
    "QueryChanged",
    "Radio",
    "Refused",
    "Rerun",
    "RunFinished",
    "RunStarted",
    "Same",
    "SelectSlider",
    "Selectbox",
    "ServerMsg",
    "Slider",
    "Spinner",
    "Stop",
    "Submit",
    "Tab",
    "Tabs",
    "Text",
    "TextInput",
    "Theme",
    "Vertical",
    "Welcome",
    "decode_client",
    "decode_server",
    "encode",
    "json_schema",
]
