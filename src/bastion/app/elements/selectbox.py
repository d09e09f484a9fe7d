"""st.selectbox: pick one option from a drop-down."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

from bastion.app import widgets
from bastion.app.elements.radio import OneOf
from bastion.protocol.app import Selectbox


def selectbox(
    label: str,
    options: Sequence[Any],
    index: int | None = 0,
    format_func: Callable[[Any], Any] = str,
    key: str | int | None = None,
    help: str | None = None,
    on_change: Callable[..., Any] | None = None,
    args: tuple[Any, ...] | list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    *,
    placeholder: str = "Choose an option",
    disabled: bool = False,
    label_visibility: Literal["visible", "hidden", "collapsed"] = "visible",
) -> Any:
    c = widgets.Common(
        "selectbox", label, key, help, on_change, args, kwargs, disabled, label_visibility
    )
    one = OneOf(c, options, format_func, index)
    w, value, shown = one.register(c, placeholder)
    element = Selectbox(
        **c.fields(w), options=one.labels, index=one.index_of(shown), placeholder=str(placeholder)
    )
    c.emit(w, element, (w, one.labels, one.options))
    return value
