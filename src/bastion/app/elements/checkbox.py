"""st.checkbox and st.toggle."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from bastion.app import widgets
from bastion.app.errors import InvalidArgument
from bastion.app.state import InvalidValue
from bastion.protocol.app import Checkbox

Visibility = Literal["visible", "hidden", "collapsed"]


def _check(value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidValue(f"expected True or False, got {value!r}")
    return value


def _make(c: widgets.Common, style: Literal["checkbox", "toggle"], value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidArgument(c.kind, "value", "True or False", value)
    w, current, shown = c.register((value,), value, widgets.parse_bool, _check)
    c.emit(w, Checkbox(**c.fields(w), value=shown, style=style))
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
    label_visibility: Visibility = "visible",
) -> bool:
    c = widgets.Common(
        "checkbox", label, key, help, on_change, args, kwargs, disabled, label_visibility
    )
    return _make(c, "checkbox", value)


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
    label_visibility: Visibility = "visible",
) -> bool:
    c = widgets.Common(
        "toggle", label, key, help, on_change, args, kwargs, disabled, label_visibility
    )
    return _make(c, "toggle", value)
