"""st.checkbox and st.toggle."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from bastion.app import markup, widgets
from bastion.app.container import emit
from bastion.app.errors import InvalidArgument
from bastion.app.state import InvalidValue, Widget
from bastion.protocol.app import Checkbox


def _check(value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidValue(f"expected True or False, got {value!r}")
    return value


def _make(
    kind: str,
    style: Literal["checkbox", "toggle"],
    label: object,
    value: object,
    key: object,
    help: object,
    on_change: Any,
    args: Any,
    kwargs: Any,
    disabled: bool,
    label_visibility: object,
) -> bool:
    ctx, form_id = widgets.start(kind)
    text = widgets.check_label(kind, label)
    user_key = widgets.check_key(kind, key)
    if not isinstance(value, bool):
        raise InvalidArgument(kind, "value", "True or False", value)
    callback, cargs, ckwargs = widgets.check_callback(
        kind, on_change, args, kwargs, form_id, "on_change"
    )
    visibility = widgets.check_visibility(kind, label_visibility)
    wid = widgets.widget_id(kind, user_key, form_id, (text, value, help))
    w = Widget(
        id=wid,
        kind=kind,
        label=text,
        key=user_key,
        default=value,
        parse=widgets.parse_bool,
        check=_check,
        form_id=form_id,
        disabled=bool(disabled),
        on_change=callback,
        args=cargs,
        kwargs=ckwargs,
    )
    current, shown = widgets.register(ctx, w)
    emit(
        kind,
        Checkbox(
            id=wid,
            label_html=markup.inline(text),
            value=shown,
            style=style,
            form_id=form_id,
            help_html=widgets.help_html(help, kind),
            disabled=bool(disabled),
            label_visibility=visibility,
            key=user_key,
        ),
        w,
    )
    return bool(current)


def checkbox(
    label: str,
    value: bool = False,
    key: str | int | None = None,
    help: str | None = None,
    on_change: Callable[..., Any] | None = None,
    args: tuple[Any, ...] | list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    *,
    disabled: bool = False,
    label_visibility: Literal["visible", "hidden", "collapsed"] = "visible",
) -> bool:
    return _make(
        "checkbox",
        "checkbox",
        label,
        value,
        key,
        help,
        on_change,
        args,
        kwargs,
        disabled,
        label_visibility,
    )


def toggle(
    label: str,
    value: bool = False,
    key: str | int | None = None,
    help: str | None = None,
    on_change: Callable[..., Any] | None = None,
    args: tuple[Any, ...] | list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    *,
    disabled: bool = False,
    label_visibility: Literal["visible", "hidden", "collapsed"] = "visible",
) -> bool:
    return _make(
        "toggle",
        "toggle",
        label,
        value,
        key,
        help,
        on_change,
        args,
        kwargs,
        disabled,
        label_visibility,
    )
