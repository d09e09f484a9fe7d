"""st.number_input."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Literal

from bastion.app import widgets
from bastion.app.errors import InvalidArgument
from bastion.app.state import InvalidValue
from bastion.protocol.app import NumberInput

Number = int | float


def _finite(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def number_input(
    label: str,
    min_value: Number | None = None,
    max_value: Number | None = None,
    value: Number | Literal["min"] | None = "min",
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
    c = widgets.Common(
        "number_input", label, key, help, on_change, args, kwargs, disabled, label_visibility
    )
    for name, v in (("min_value", min_value), ("max_value", max_value), ("step", step)):
        if v is not None and not _finite(v):
            raise InvalidArgument(c.kind, name, "a finite int or float, or None", v)
    if value != "min" and value is not None and not _finite(value):
        raise InvalidArgument(c.kind, "value", "a finite int or float, 'min', or None", value)
    given = [x for x in (min_value, max_value, step, value) if _finite(x)]
    integer = all(isinstance(x, int) for x in given)
    lo, hi = min_value, max_value
    first = lo if lo is not None else (0 if integer else 0.0)
    start: Number | None = first if value == "min" else value
    if lo is not None and hi is not None and lo > hi:
        raise InvalidArgument(c.kind, "min_value", f"<= max_value ({hi})", lo)
    if start is not None and ((lo is not None and start < lo) or (hi is not None and start > hi)):
        raise InvalidArgument(c.kind, "value", f"within [{lo}, {hi}]", start)
    inc = step if step is not None else (1 if integer else 0.01)
    if inc <= 0:
        raise InvalidArgument(c.kind, "step", "a positive number", step)
    nullable = start is None

    def parse(raw: object) -> Number | None:
        if raw is None and nullable:
            return None
        return widgets.parse_number(raw, integer=integer, lo=lo, hi=hi)

    def check(v: object) -> Number | None:
        if v is not None and not _finite(v):
            raise InvalidValue(f"expected a number, got {v!r}")
        return parse(v)

    default = None if start is None else (int(start) if integer else float(start))
    w, current, shown = c.register(
        (lo, hi, default, inc, format, placeholder), default, parse, check
    )
    element = NumberInput(
        **c.fields(w),
        data_type="int" if integer else "float",
        value=None if shown is None else float(shown),
        step=float(inc),
        min=None if lo is None else float(lo),
        max=None if hi is None else float(hi),
        format=format,
        placeholder="" if placeholder is None else str(placeholder),
    )
    c.emit(w, element)
    return current  # type: ignore[no-any-return]
