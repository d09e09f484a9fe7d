"""st.slider (numbers, one value or a range) and st.select_slider (options)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

from bastion.app import widgets
from bastion.app.errors import InvalidArgument
from bastion.app.state import InvalidValue
from bastion.protocol.app import SelectSlider, Slider

Number = int | float
Visibility = Literal["visible", "hidden", "collapsed"]


def _is_num(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


class _Range:
    """A numeric slider's bounds and value checks: one value, or a (low, high) pair."""

    def __init__(self, kind: str, lo: object, hi: object, value: object, step: object) -> None:
        self.pair = isinstance(value, list | tuple)
        values: list[Any] = list(value) if self.pair else ([] if value is None else [value])  # type: ignore[call-overload]
        if self.pair and len(values) != 2:
            raise InvalidArgument(kind, "value", "a number or a (low, high) pair", value)
        for name, v in (("min_value", lo), ("max_value", hi), ("step", step)):
            if v is not None and not _is_num(v):
                raise InvalidArgument(
                    kind,
                    name,
                    "an int or a float",
                    v,
                    "Date and time sliders are not supported yet; use numbers.",
                )
        if not all(_is_num(v) for v in values):
            raise InvalidArgument(kind, "value", "an int, a float, or a pair of them", value)
        given = [x for x in (lo, hi, step, *values) if x is not None]
        self.integer = all(isinstance(x, int) for x in given)
        self.lo: Number = lo if lo is not None else (0 if self.integer else 0.0)  # type: ignore[assignment]
        self.hi: Number = hi if hi is not None else (100 if self.integer else 1.0)  # type: ignore[assignment]
        if values and lo is None:
            self.lo = min(self.lo, *values)
        if values and hi is None:
            self.hi = max(self.hi, *values)
        if self.lo > self.hi:
            raise InvalidArgument(kind, "min_value", f"<= max_value ({self.hi})", self.lo)
        self.step: Number = step if step is not None else (1 if self.integer else 0.01)  # type: ignore[assignment]
        if self.step <= 0:
            raise InvalidArgument(kind, "step", "a positive number", step)
        values = values or [self.lo]
        for v in values:
            if not self.lo <= v <= self.hi:
                raise InvalidArgument(
                    kind,
                    "value",
                    f"within [{self.lo}, {self.hi}]",
                    v,
                    "Widen the bounds or move the value.",
                )
        if self.pair and values[0] > values[1]:
            raise InvalidArgument(kind, "value", "a (low, high) pair with low <= high", value)
        self.default = self.convert(values)

    def convert(self, items: list[Any]) -> Any:
        out = [int(x) if self.integer else float(x) for x in items]
        return tuple(out) if self.pair else out[0]

    def parse(self, raw: object) -> Any:
        count = 2 if self.pair else 1
        if not isinstance(raw, list) or len(raw) != count:
            raise InvalidValue(f"expected a list of {count} number(s), got {raw!r}")
        items = [widgets.parse_number(x, integer=self.integer, lo=self.lo, hi=self.hi) for x in raw]
        if count == 2 and items[0] > items[1]:
            raise InvalidValue("range low > high")
        return self.convert(items)

    def check(self, value: object) -> Any:
        return self.parse(list(value) if isinstance(value, list | tuple) else [value])


def slider(
    label: str,
    min_value: Number | None = None,
    max_value: Number | None = None,
    value: Number | Sequence[Number] | None = None,
    step: Number | None = None,
    format: str | None = None,
    key: str | int | None = None,
    help: str | None = None,
    on_change: Callable[..., Any] | None = None,
    args: tuple[Any, ...] | list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    *,
    disabled: bool = False,
    label_visibility: Visibility = "visible",
) -> Any:
    c = widgets.Common(
        "slider", label, key, help, on_change, args, kwargs, disabled, label_visibility
    )
    r = _Range(c.kind, min_value, max_value, value, step)
    w, current, shown = c.register(
        (r.lo, r.hi, r.default, r.step, format), r.default, r.parse, r.check
    )
    element = Slider(
        **c.fields(w),
        data_type="int" if r.integer else "float",
        min=float(r.lo),
        max=float(r.hi),
        step=float(r.step),
        value=tuple(float(x) for x in (shown if r.pair else (shown,))),
        format=format,
    )
    c.emit(w, element)
    return current


def select_slider(
    label: str,
    options: Sequence[Any] = (),
    value: Any = None,
    format_func: Callable[[Any], Any] = str,
    key: str | int | None = None,
    help: str | None = None,
    on_change: Callable[..., Any] | None = None,
    args: tuple[Any, ...] | list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    *,
    disabled: bool = False,
    label_visibility: Visibility = "visible",
) -> Any:
    c = widgets.Common(
        "select_slider", label, key, help, on_change, args, kwargs, disabled, label_visibility
    )
    opts = widgets.check_options(c.kind, options)
    if not opts:
        raise InvalidArgument(c.kind, "options", "a non-empty sequence", options)
    labels = widgets.format_options(c.kind, opts, format_func)
    pair = isinstance(value, list | tuple) and len(value) == 2
    try:
        start = (
            [widgets.option_index(opts, v) for v in value]
            if pair
            else ([0 if value is None else widgets.option_index(opts, value)])
        )
    except InvalidValue as e:
        raise InvalidArgument(
            c.kind, "value", "one of the options (or a pair of them)", value, str(e)
        ) from None

    def convert(indices: list[int]) -> Any:
        picked = [opts[i] for i in indices]
        return tuple(picked) if pair else picked[0]

    def parse(raw: object) -> Any:
        if not isinstance(raw, list) or len(raw) != len(start):
            raise InvalidValue(f"expected {len(start)} option index(es), got {raw!r}")
        return convert([widgets.parse_index(i, len(opts), False) or 0 for i in raw])

    def check(v: object) -> Any:
        items = list(v) if pair and isinstance(v, list | tuple) else [v]
        if len(items) != len(start):
            raise InvalidValue(f"expected {len(start)} value(s)")
        return convert([widgets.option_index(opts, x, labels, format_func) for x in items])

    w, current, shown = c.register((labels, start), convert(start), parse, check)
    element = SelectSlider(
        **c.fields(w),
        options=labels,
        value=tuple(widgets.option_index(opts, x) for x in (shown if pair else (shown,))),
    )
    c.emit(w, element, (w, labels, opts))
    return current
