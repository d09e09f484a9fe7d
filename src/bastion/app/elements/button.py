"""st.button: a one-shot trigger."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from bastion.app import markup, widgets
from bastion.app.container import emit
from bastion.app.errors import FormError, InvalidArgument
from bastion.app.state import Widget
from bastion.protocol.app import Button

ButtonKind = Literal["primary", "secondary", "tertiary"]


def check_kind(kind: str, value: object) -> ButtonKind:
    if value not in ("primary", "secondary", "tertiary"):
        raise InvalidArgument(kind, "type", "'primary', 'secondary' or 'tertiary'", value)
    return value


def _parse_trigger(raw: object) -> bool:
    return widgets.parse_bool(raw)


def _check_trigger(value: object) -> bool:
    return bool(value)


def make_button(
    kind: str,
    label: object,
    key: object,
    help: object,
    on_click: Callable[..., Any] | None,
    args: Any,
    kwargs: Any,
    type: object,
    icon: str | None,
    disabled: bool,
    use_container_width: bool,
    *,
    form_submit: bool,
) -> bool:
    ctx, form_id = widgets.start(kind)
    text = widgets.check_label(kind, label)
    user_key = widgets.check_key(kind, key)
    if form_submit and form_id is None:
        raise FormError(
            "st.form_submit_button() must be inside a form: create it inside `with st.form(key):`"
            " or call it on the form (`form.form_submit_button()`)."
        )
    if not form_submit and form_id is not None:
        raise FormError(
            f"st.button() cannot be used inside form {form_id!r}: a form only reruns the script "
            "when it is submitted. Use st.form_submit_button() instead."
        )
    callback, cargs, ckwargs = widgets.check_callback(
        kind, on_click, args, kwargs, form_id, "on_click"
    )
    button_kind = check_kind(kind, type)
    wid = widgets.widget_id(kind, user_key, form_id, (text, help, button_kind, icon))
    w = Widget(
        id=wid,
        kind=kind,
        label=text,
        key=user_key,
        default=False,
        parse=_parse_trigger,
        check=_check_trigger,
        form_id=form_id,
        disabled=bool(disabled),
        trigger=True,
        form_submit=form_submit,
        on_change=callback,
        args=cargs,
        kwargs=ckwargs,
    )
    value, _ = widgets.register(ctx, w)
    emit(
        kind,
        Button(
            id=wid,
            label_html=markup.inline(text),
            kind=button_kind,
            form_submit=form_submit,
            form_id=form_id,
            help_html=widgets.help_html(help, kind),
            disabled=bool(disabled),
            use_container_width=bool(use_container_width),
            icon=icon,
            key=user_key,
        ),
        w,
    )
    return bool(value)


def button(
    label: str,
    key: str | int | None = None,
    help: str | None = None,
    on_click: Callable[..., Any] | None = None,
    args: tuple[Any, ...] | list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    *,
    type: ButtonKind = "secondary",
    icon: str | None = None,
    disabled: bool = False,
    use_container_width: bool = False,
) -> bool:
    return make_button(
        "button",
        label,
        key,
        help,
        on_click,
        args,
        kwargs,
        type,
        icon,
        disabled,
        use_container_width,
        form_submit=False,
    )
