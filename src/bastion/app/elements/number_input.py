"""st.number_input."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Literal

from bastion.app import markup, widgets
from bastion.app.container import emit
from bastion.app.errors import InvalidArgument
from bastion.app.state import InvalidValue, Widget
from bastion.protocol.app import NumberInput

Number = int | float
_MIN: Literal["min"] = "min"


def number_input(
    label: str,
    min_value: Number | None = None,
    max_value: Number | None = None,
    value: Number | Literal["min"] | None = _MIN,
    step: Number | None = None,
    format: str | None = None,
    key: str | int | None = None,
    help: str | None = None,
    on_change: Callable[..., Any] | None = None,
    args: tuple[Any, ...] | list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    *,
    placeholder: str | None = None,
    disabled: bool = False,
    label_visibility: Literal["visible", "hidden", "collapsed"] = "visible",
) -> Number | None:
    kind = "number_input"
    ctx, form_id = widgets.start(kind)
    text = widgets.check_label(kind, label)
    user_key = widgets.check_key(kind, key)
    for name, v in (("min_value", min_value), ("max_value", max_value), ("step", step)):
        if v is not None and (
            isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v)
        ):
            raise InvalidArgument(kind, name, "a finite int or float, or None", v)
    if (
        value != _MIN
        and value is not None
        and (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        )
    ):
        raise InvalidArgument(kind, "value", "a finite int or float, 'min', or None", value)
    numbers = [x for x in (min_value, max_value, step, value) if isinstance(x, int | float)]
    integer = all(isinstance(x, int) for x in numbers)
    start: Number | None
    if value == _MIN:
        start = min_value if min_value is not None else (0 if integer else 0.0)
    else:
        start = value
    value = start
    if min_value is not None and max_value is not None and min_value > max_value:
        raise InvalidArgument(kind, "min_value", f"<= max_value ({max_value})", min_value)
    if value is not None and (
        (min_value is not None and value < min_value)
        or (max_value is not None and value > max_value)
    ):
        raise InvalidArgument(kind, "value", f"within [{min_value}, {max_value}]", value)
    st = step if step is not None else (1 if integer else 0.01)
    if st <= 0:
        raise InvalidArgument(kind, "step", "a positive number", step)
    allow_none = value is None

    def parse(raw: object) -> Number | None:
        if raw is None and allow_none:
            return None
        return widgets.parse_number(raw, integer=integer, lo=min_value, hi=max_value)

    def check(v: object) -> Number | None:
        if v is None and allow_none:
            return None
        if not isinstance(v, int | float) or isinstance(v, bool):
            raise InvalidValue(f"expected a number, got {v!r}")
        return parse(v)

    callback, cargs, ckwargs = widgets.check_callback(
        kind, on_change, args, kwargs, form_id, "on_change"
    )
    visibility = widgets.check_visibility(kind, label_visibility)
    default = None if value is None else (int(value) if integer else float(value))
    wid = widgets.widget_id(
        kind, user_key, form_id, (text, min_value, max_value, default, st, format, help)
    )
    w = Widget(
        id=wid,
        kind=kind,
        label=text,
        key=user_key,
        default=default,
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
        NumberInput(
            id=wid,
            label_html=markup.inline(text),
            data_type="int" if integer else "float",
            value=None if shown is None else float(shown),
            step=float(st),
            min=None if min_value is None else float(min_value),
            max=None if max_value is None else float(max_value),
            format=format,
            placeholder="" if placeholder is None else str(placeholder),
            form_id=form_id,
            help_html=widgets.help_html(help, kind),
            disabled=bool(disabled),
            label_visibility=visibility,
            key=user_key,
        ),
        w,
    )
    return current  # type: ignore[no-any-return]
