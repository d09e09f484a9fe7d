"""st.text_input and st.text_area."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from bastion.app import markup, widgets
from bastion.app.container import emit
from bastion.app.errors import InvalidArgument
from bastion.app.state import InvalidValue, Widget
from bastion.protocol.app import MAX_TEXT_VALUE, TextInput


def _make(
    kind: str,
    label: object,
    value: object,
    max_chars: object,
    key: object,
    input_type: object,
    help: object,
    autocomplete: object,
    on_change: Any,
    args: Any,
    kwargs: Any,
    placeholder: object,
    disabled: bool,
    label_visibility: object,
    height: object,
) -> str | None:
    ctx, form_id = widgets.start(kind)
    text = widgets.check_label(kind, label)
    user_key = widgets.check_key(kind, key)
    if value is not None and not isinstance(value, str):
        value = str(value)
    if max_chars is not None and (
        isinstance(max_chars, bool) or not isinstance(max_chars, int) or max_chars < 1
    ):
        raise InvalidArgument(kind, "max_chars", "a positive int or None", max_chars)
    limit = max_chars if max_chars is not None else MAX_TEXT_VALUE
    if value is not None and len(value) > limit:
        raise InvalidArgument(kind, "value", f"at most max_chars={max_chars} characters", value)
    if input_type not in ("default", "password"):
        raise InvalidArgument(kind, "type", "'default' or 'password'", input_type)
    if height is not None and (
        isinstance(height, bool) or not isinstance(height, int) or height < 1
    ):
        raise InvalidArgument(kind, "height", "a positive int (pixels) or None", height)
    allow_none = value is None

    def parse(raw: object) -> str | None:
        return widgets.parse_text(raw, limit, allow_none)

    def check(v: object) -> str | None:
        if v is None and allow_none:
            return None
        if not isinstance(v, str):
            raise InvalidValue(f"expected a str, got {v!r}")
        return widgets.parse_text(v, limit, allow_none)

    callback, cargs, ckwargs = widgets.check_callback(
        kind, on_change, args, kwargs, form_id, "on_change"
    )
    visibility = widgets.check_visibility(kind, label_visibility)
    wid = widgets.widget_id(
        kind, user_key, form_id, (text, value, max_chars, input_type, help, placeholder)
    )
    w = Widget(
        id=wid,
        kind=kind,
        label=text,
        key=user_key,
        default=value,
        parse=parse,
        check=check,
        form_id=form_id,
        disabled=bool(disabled),
        on_change=callback,
        args=cargs,
        kwargs=ckwargs,
    )
    current, shown = widgets.register(ctx, w)
    emit(
        kind,
        TextInput(
            id=wid,
            label_html=markup.inline(text),
            value=shown,
            multiline=kind == "text_area",
            height=height,
            max_chars=max_chars,
            input_type=input_type,
            placeholder="" if placeholder is None else str(placeholder),
            autocomplete=None if autocomplete is None else str(autocomplete),
            form_id=form_id,
            help_html=widgets.help_html(help, kind),
            disabled=bool(disabled),
            label_visibility=visibility,
            key=user_key,
        ),
        w,
    )
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
    label_visibility: Literal["visible", "hidden", "collapsed"] = "visible",
) -> str | None:
    return _make(
        "text_input",
        label,
        value,
        max_chars,
        key,
        type,
        help,
        autocomplete,
        on_change,
        args,
        kwargs,
        placeholder,
        disabled,
        label_visibility,
        None,
    )


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
    label_visibility: Literal["visible", "hidden", "collapsed"] = "visible",
) -> str | None:
    return _make(
        "text_area",
        label,
        value,
        max_chars,
        key,
        "default",
        help,
        None,
        on_change,
        args,
        kwargs,
        placeholder,
        disabled,
        label_visibility,
        height,
    )
