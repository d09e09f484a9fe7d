"""Text elements: title, header, subheader, markdown, caption, text, code, divider."""

from __future__ import annotations

import re
from typing import Literal

from bastion.app import markup
from bastion.app.container import DeltaGenerator, emit
from bastion.app.errors import InvalidArgument
from bastion.app.widgets import help_html
from bastion.protocol.app import Code, Divider, Heading, Markdown, Text

_DIVIDER_COLORS = ("blue", "green", "orange", "red", "violet", "gray", "grey", "rainbow")


def _text(kind: str, body: object, param: str = "body") -> str:
    if isinstance(body, str):
        return body
    if body is None or isinstance(body, bytes):
        raise InvalidArgument(kind, param, "a str", body, "Pass text, e.g. str(value).")
    return str(body)  # Streamlit accepts any object here and shows its str()


def _anchor(kind: str, anchor: object, body: str) -> str | None:
    if anchor is False:
        return None
    if anchor is None:
        slug = re.sub(r"[^\w\- ]", "", body.lower()).strip().replace(" ", "-")
        return slug or None
    if not isinstance(anchor, str):
        raise InvalidArgument(kind, "anchor", "a str, None or False", anchor)
    return anchor


def _divider(kind: str, divider: object) -> str | None:
    if divider is False or divider is None:
        return None
    if divider is True:
        return "auto"
    if divider not in _DIVIDER_COLORS:
        raise InvalidArgument(kind, "divider", f"a bool or one of {_DIVIDER_COLORS}", divider)
    return str(divider)


def _heading(
    level: Literal["title", "header", "subheader"],
    body: object,
    anchor: object,
    help: object,
    divider: object = False,
) -> DeltaGenerator:
    text = _text(level, body)
    element = Heading(
        level=level,
        body_html=markup.inline(text),
        anchor=_anchor(level, anchor, text),
        help_html=help_html(help, level),
        divider=_divider(level, divider),
    )
    return emit(level, element, text)


def title(
    body: object, anchor: str | Literal[False] | None = None, *, help: str | None = None
) -> DeltaGenerator:
    return _heading("title", body, anchor, help)


def header(
    body: object,
    anchor: str | Literal[False] | None = None,
    *,
    help: str | None = None,
    divider: bool | str = False,
) -> DeltaGenerator:
    return _heading("header", body, anchor, help, divider)


def subheader(
    body: object,
    anchor: str | Literal[False] | None = None,
    *,
    help: str | None = None,
    divider: bool | str = False,
) -> DeltaGenerator:
    return _heading("subheader", body, anchor, help, divider)


def markdown(
    body: object, unsafe_allow_html: bool = False, *, help: str | None = None
) -> DeltaGenerator:
    text = _text("markdown", body)
    element = Markdown(
        body_html=markup.markdown(text, bool(unsafe_allow_html)),
        help_html=help_html(help, "markdown"),
    )
    return emit("markdown", element, text)


def caption(
    body: object, unsafe_allow_html: bool = False, *, help: str | None = None
) -> DeltaGenerator:
    text = _text("caption", body)
    element = Markdown(
        body_html=markup.markdown(text, bool(unsafe_allow_html)),
        kind="caption",
        help_html=help_html(help, "caption"),
    )
    return emit("caption", element, text)


def text(body: object, *, help: str | None = None) -> DeltaGenerator:
    value = _text("text", body)
    return emit("text", Text(body=value, help_html=help_html(help, "text")), value)


def code(
    body: object,
    language: str | None = "python",
    *,
    line_numbers: bool = False,
    wrap_lines: bool = False,
) -> DeltaGenerator:
    value = _text("code", body)
    if language is not None and not isinstance(language, str):
        raise InvalidArgument("code", "language", "a str or None", language)
    element = Code(
        body=value, language=language, line_numbers=bool(line_numbers), wrap_lines=bool(wrap_lines)
    )
    return emit("code", element, value)


def divider() -> DeltaGenerator:
    return emit("divider", Divider(), "---")
