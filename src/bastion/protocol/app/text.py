"""Output elements: text, data display, status."""

from __future__ import annotations

from typing import Literal

import msgspec

from bastion.protocol.app._base import _El


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
    kind: Literal["balloons", "snow"] = "balloons"  # `st.snow()` is the same celebration, falling


class Empty(_El, frozen=True, tag="empty"):
    """A placeholder (`st.empty()`): renders nothing and holds a position."""


class Space(_El, frozen=True, tag="space"):
    """`st.space()`: vertical room, in rem (`small` 0.75, `medium` 2.5, `large` 4.25) or pixels."""

    size: Literal["small", "medium", "large"] | int = "small"


class DocMember(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    name: str
    type_name: str = ""
    value: str = ""  # a one-line summary: the member's repr or its docstring's first line


class DocString(_El, frozen=True, tag="docstring"):
    """`st.help(obj)`: what an object is. Every field is plain text."""

    name: str = ""
    type_name: str = ""
    signature: str = ""
    doc: str = ""
    value: str = ""  # the repr, for objects that are not callables, classes or modules
    members: tuple[DocMember, ...] = ()
