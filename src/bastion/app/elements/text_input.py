"""st.text_input and st.text_area."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from bastion.app import widgets
from bastion.app.errors import InvalidArgument
from bastion.protocol.app import MAX_TEXT_VALUE, TextInput

Visibility = Literal["visible", "hidden", "collapsed"]


def _positive(kind: str, name: str, value: object) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise InvalidArgument(kind, name, "a positive int or None", value)
    return value


def _make(
    c: widgets.Common,
    value: object,
    max_chars: object,
    input_type: object,
    autocomplete: object,
    placeholder: object,
    height: object,
) -> str | None:
    text = None if value is None else value if isinstance(value, str) else str(value)
    limit = _positive(c.kind, "max_chars", max_chars)
    cap = limit if limit is not None else MAX_TEXT_VALUE
    if text is not None and len(text) > cap:
        raise InvalidArgument(c.kind, "value", f"at most max_chars={limit} characters", value)
    if input_type not in ("default", "password"):
        raise InvalidArgument(c.kind, "type", "'default' or 'password'", input_type)
    rows = _positive(c.kind, "height", height)
    nullable = text is None

    def parse(raw: object) -> str | None:
        return widgets.parse_text(raw, cap, nullable)

    w, current, shown = c.register((text, limit, input_type, placeholder), text, parse, parse)
    element = TextInput(
        **c.fields(w),
        value=shown,
        multiline=c.kind == "text_area",
        height=rows,
        max_chars=limit,
        input_type=input_type,
        placeholder="" if placeholder is None else str(placeholder),
        autocomplete=None if autocomplete is None else str(autocomplete),
    )
    c.emit(w, element)
    return current  # type: ignore[no-any-return]


def text_input(
    label: str,
    value: str | None = "",
    max_chars: int | None = None,
    key: str | int | None = None,
    type: Literal["default", "password"] = "default",
    help: str | None = None,
    autocomplete: str | None = None,
    on_change: Callable[..., Any] | None = None,
    args: tuple[Any, ...] | list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    *,
    placeholder: str | None = None,
    disabled: bool = False,
    label_visibility: Visibility = "visible",
) -> str | None:
    c = widgets.Common(
        "text_input", label, key, help, on_change, args, kwargs, disabled, label_visibility
    )
    return _make(c, value, max_chars, type, autocomplete, placeholder, None)


def text_area(
    label: str,
    value: str | None = "",
    height: int | None = None,
    max_chars: int | None = None,
    key: str | int | None = None,
    help: str | None = None,
    on_change: Callable[..., Any] | None = None,
    args: tuple[Any, ...] | list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    *,
    placeholder: str | None = None,
    disabled: bool = False,
    label_visibility: Visibility = "visible",
) -> str | None:
    c = widgets.Common(
        "text_area", label, key, help, on_change, args, kwargs, disabled, label_visibility
    )
    return _make(c, value, max_chars, "default", None, placeholder, height)
