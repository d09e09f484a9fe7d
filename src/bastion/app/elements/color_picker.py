"""st.color_picker: a "#rrggbb" color."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Literal

from bastion.app import widgets
from bastion.app.errors import InvalidArgument
from bastion.app.state import InvalidValue
from bastion.protocol.app import ColorPicker

_WIRE = re.compile(r"^#[0-9a-fA-F]{6}$")
_ARG = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")


def _normalize(v: str) -> str:
    if len(v) == 4:
        v = "#" + "".join(ch * 2 for ch in v[1:])
    return v.lower()


def _parse(raw: object) -> str:
    if not isinstance(raw, str) or not _WIRE.match(raw):
        raise InvalidValue(f"expected a #rrggbb color, got {raw!r}")
    return raw.lower()


def _check(v: object) -> str:
    if not isinstance(v, str) or not _ARG.match(v):
        raise InvalidValue(f"expected a #rgb or #rrggbb color, got {v!r}")
    return _normalize(v)


def color_picker(
    label: str,
    value: str | None = None,
    key: str | int | None = None,
    help: str | None = None,
    on_change: Callable[..., Any] | None = None,
    args: tuple[Any, ...] | list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    *,
    disabled: bool = False,
    label_visibility: Literal["visible", "hidden", "collapsed"] = "visible",
) -> str:
    c = widgets.Common(
        "color_picker", label, key, help, on_change, args, kwargs, disabled, label_visibility
    )
    if value is None:
        value = "#000000"
    if not isinstance(value, str) or not _ARG.match(value):
        raise InvalidArgument(c.kind, "value", 'a hex color such as "#ff8800" or "#f80"', value)
    default = _normalize(value)
    w, current, shown = c.register((default,), default, _parse, _check)
    c.emit(w, ColorPicker(**c.fields(w), value=shown))
    return str(current)
