"""Messages in both directions, the Element and Block unions, and the codecs.

A new element family lives in its own module beside this one; add its classes to `Element` (or
`Block`) here and re-export them from the package."""

from __future__ import annotations

import functools
from typing import Literal

import msgspec

from bastion.protocol.app._base import (
    PROTOCOL_VERSION,
    Path,
    QueryString,
    Token,
    WidgetId,
    WidgetValues,
    _Msg,
)
from bastion.protocol.app.blocks import (
    Column,
    Columns,
    Expander,
    Form,
    Tab,
    Tabs,
    Vertical,
)
from bastion.protocol.app.charts import ChartImage, PlotlyChart, VegaLiteChart
from bastion.protocol.app.chat import ChatInput, ChatMessage
from bastion.protocol.app.compat import ClientInfo, DateTimeInput, GraphvizChart, Pdf
from bastion.protocol.app.data import DataFrame, FetchRows, Rows
from bastion.protocol.app.embed import Frame, Html
from bastion.protocol.app.fragments import Dialog, Fragment, Popover, Status, Toast
from bastion.protocol.app.inputs import ButtonGroup, ColorPicker, DateInput, TimeInput
from bastion.protocol.app.media import (
    Audio,
    DownloadButton,
    FileUploader,
    Image,
    LinkButton,
    Logo,
    Video,
)
from bastion.protocol.app.pages import (
    AuthRedirect,
    Navigation,
    PageLink,
    PageName,
    PageNotFound,
)
from bastion.protocol.app.text import (
    Alert,
    Balloons,
    Code,
    Divider,
    DocString,
    Empty,
    ExceptionInfo,
    Heading,
    Json,
    Markdown,
    Metric,
    Progress,
    Space,
    Spinner,
    Text,
)
from bastion.protocol.app.widgets import (
    Button,
    Checkbox,
    Multiselect,
    NumberInput,
    Radio,
    Selectbox,
    SelectSlider,
    Slider,
    TextInput,
)

# --- client -> server -------------------------------------------------------------------------


class Hello(_Msg, frozen=True, tag="hello"):
    """First frame of every connection."""

    protocol: int
    resume_token: Token | None = None  # from a previous Welcome: reattach to that session
    csrf_token: Token | None = None  # issue 6: double-submit token, checked by the server
    query_string: QueryString = ""
    page: PageName = ""  # multipage: the page the URL names ("" the default); checked by the server
    client: ClientInfo | None = None  # locale, time zone, URL, theme: for st.context


class Rerun(_Msg, frozen=True, tag="rerun"):
    """Run the script again with these widget values (a widget changed, or the first run)."""

    widgets: WidgetValues = msgspec.field(default_factory=dict)
    query_string: QueryString | None = None  # the URL's query changed (back/forward navigation)
    fragment_id: Token | None = None  # rerun only this fragment (a widget inside it changed)
    page: PageName | None = None  # multipage: go to this page (a link, back/forward navigation)


class Submit(_Msg, frozen=True, tag="submit"):
    """A form was submitted: its batched widget values plus its submit button's trigger."""

    form: WidgetId
    button: WidgetId
    widgets: WidgetValues = msgspec.field(default_factory=dict)
    fragment_id: Token | None = None  # the form is inside this fragment: rerun only it


class Stop(_Msg, frozen=True, tag="stop"):
    """Stop this session's running script (never another session's)."""


ClientMsg = Hello | Rerun | Submit | Stop | FetchRows


# --- what a delta carries ----------------------------------------------------------------

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
    | Space
    | DocString
    | Button
    | Checkbox
    | Radio
    | Selectbox
    | Multiselect
    | Slider
    | SelectSlider
    | TextInput
    | NumberInput
    | VegaLiteChart
    | PlotlyChart
    | ChartImage
    | PageLink
    | Image
    | Audio
    | Video
    | FileUploader
    | DownloadButton
    | LinkButton
    | Logo
    | DateInput
    | TimeInput
    | ColorPicker
    | ButtonGroup
    | ChatInput
    | Html
    | Frame
    | DataFrame
    | DateTimeInput
    | Pdf
    | GraphvizChart
)

Block = (
    Vertical
    | Columns
    | Column
    | Expander
    | Form
    | Tabs
    | Tab
    | Fragment
    | Dialog
    | Popover
    | Status
    | ChatMessage
)


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
    # A fragment run: the ids of the fragments it reruns. Only their blocks' subtrees go stale and
    # are cleared at its end; every other node is left as it is. Empty: a full run.
    fragments: tuple[str, ...] = ()


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


Event = (
    NewElement
    | NewBlock
    | Same
    | RunStarted
    | RunFinished
    | PageConfig
    | QueryChanged
    | Navigation
    | PageNotFound
    | AuthRedirect
    | Toast
)


class Batch(_Msg, frozen=True, tag="batch"):
    """Everything one flush produced, in order."""

    events: tuple[Event, ...]


ServerMsg = Welcome | Refused | Batch | Rows


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
