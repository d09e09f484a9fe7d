"""st.button: a one-shot trigger (and the shared maker of st.form_submit_button)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from bastion.app import widgets
from bastion.app.errors import FormError, InvalidArgument
from bastion.protocol.app import Button

ButtonKind = Literal["primary", "secondary", "tertiary"]


def _check_trigger(value: object) -> bool:
    return bool(value)


def make_button(
    c: widgets.Common,
    kind: object,
    icon: object,
    use_container_width: object,
    *,
    form_submit: bool,
) -> bool:
    if form_submit and c.form_id is None:
        raise FormError(
            "st.form_submit_button() must be inside a form: create it inside `with st.form(key):`"
            " or call it on the form (`form.form_submit_button()`)."
        )
    if not form_submit and c.form_id is not None:
        raise FormError(
            f"st.button() cannot be used inside form {c.form_id!r}: a form only reruns the "
            "script when it is submitted. Use st.form_submit_button() instead."
        )
    if kind not in ("primary", "secondary", "tertiary"):
        raise InvalidArgument(c.kind, "type", "'primary', 'secondary' or 'tertiary'", kind)
    if icon is not None and (not isinstance(icon, str) or len(icon) > 64):
        raise InvalidArgument(c.kind, "icon", "a short str (an emoji) or None", icon)
    if form_submit and c.form_id is not None:
        c.ctx.forms_submittable.add(c.form_id)
    w, value, _ = c.register(
        (kind, icon),
        False,
        widgets.parse_bool,
        _check_trigger,
        trigger=True,
        form_submit=form_submit,
    )
    element = Button(
        **c.fields(w, visibility=False),
        kind=kind,
        form_submit=form_submit,
        use_container_width=bool(use_container_width),
        icon=icon,
    )
    c.emit(w, element)
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
    c = widgets.Common(
        "button", label, key, help, on_click, args, kwargs, disabled, callback_param="on_click"
    )
    return make_button(c, type, icon, use_container_width, form_submit=False)
