"""st.form and st.form_submit_button.

Batching is the client's job: inside a form, widget changes do not rerun the script; submitting
sends one `Submit` with the form's values and the submit button's trigger. The server accepts a
form widget's value only with its own form's submission (see state.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from bastion.app import context, widgets
from bastion.app.container import DeltaGenerator, current, emit_block
from bastion.app.elements.button import ButtonKind, make_button
from bastion.app.errors import FormError, InvalidArgument
from bastion.protocol.app import Form


def form(
    key: str,
    clear_on_submit: bool = False,
    *,
    enter_to_submit: bool = True,
    border: bool = True,
) -> DeltaGenerator:
    ctx = context.get("form")
    if not isinstance(key, str) or not key:
        raise InvalidArgument(
            "form", "key", "a non-empty str", key, "Every form needs a unique key."
        )
    outer = current(ctx).form_id
    if outer is not None:
        raise FormError(
            f"st.form({key!r}) is inside form {outer!r}: forms cannot be nested. Close the outer "
            "form first, or put these widgets in it."
        )
    if key in ctx.forms:
        raise FormError(
            f"There are two forms with key {key!r}. Give each form its own key, e.g. "
            f"st.form('{key}_2')."
        )
    ctx.forms[key] = bool(clear_on_submit)
    block = Form(
        form_id=key,
        clear_on_submit=bool(clear_on_submit),
        enter_to_submit=bool(enter_to_submit),
        border=bool(border),
    )
    handle = emit_block("form", block, form_id=key)
    ctx.form_paths[key] = handle._path
    return handle


def form_submit_button(
    label: str = "Submit",
    help: str | None = None,
    on_click: Callable[..., Any] | None = None,
    args: tuple[Any, ...] | list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    *,
    key: str | int | None = None,
    type: ButtonKind | Literal["secondary"] = "secondary",
    icon: str | None = None,
    disabled: bool = False,
    use_container_width: bool = False,
) -> bool:
    c = widgets.Common(
        "form_submit_button",
        label,
        key,
        help,
        on_click,
        args,
        kwargs,
        disabled,
        callback_param="on_click",
    )
    return make_button(c, type, icon, use_container_width, form_submit=True)
