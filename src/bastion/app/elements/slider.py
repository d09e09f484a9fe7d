"""st.slider (numbers, one value or a range) and st.select_slider (options)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

from bastion.app import markup, widgets
from bastion.app.container import emit
from bastion.app.errors import InvalidArgument
from bastion.app.state import InvalidValue, Widget
from bastion.protocol.app import SelectSlider, Slider

Number = int | float


def _is_num(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


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
    label_visibility: Literal["visible", "hidden", "collapsed"] = "visible",
) -> Any:
    kind = "slider"
    ctx, form_id = widgets.start(kind)
    text = widgets.check_label(kind, label)
    user_key = widgets.check_key(kind, key)
    is_range = isinstance(value, list | tuple)
    values: list[Any] = list(value) if is_range else ([] if value is None else [value])  # type: ignore[arg-type]
    if is_range and len(values) != 2:
        raise InvalidArgument(kind, "value", "a number or a (low, high) pair", value)
    for name, v in (("min_value", min_value), ("max_value", max_value), ("step", step)):
        if v is not None and not _is_num(v):
            raise InvalidArgument(
                kind,
                name,
                "an int or a float",
                v,
                "Date and time sliders are not supported yet; use numbers (e.g. timestamps).",
            )
    for v in values:
        if not _is_num(v):
            raise InvalidArgument(kind, "value", "an int, a float, or a pair of them", value)
    numbers = [x for x in (min_value, max_value, step, *values) if x is not None]
    integer = all(isinstance(x, int) for x in numbers)
    lo = min_value if min_value is not None else (0 if integer else 0.0)
    hi = max_value if max_value is not None else (100 if integer else 1.0)
    if values and min_value is None:
        lo = min(lo, *values)
    if values and max_value is None:
        hi = max(hi, *values)
    if lo > hi:
        raise InvalidArgument(kind, "min_value", f"<= max_value ({hi})", lo)
    st = step if step is not None else (1 if integer else 0.01)
    if st <= 0:
        raise InvalidArgument(kind, "step", "a positive number", step)
    if not values:
        values = [lo]
    for v in values:
        if not lo <= v <= hi:
            raise InvalidArgument(
                kind, "value", f"within [{lo}, {hi}]", v, "Widen the bounds or move the value."
            )
    if is_range and values[0] > values[1]:
        raise InvalidArgument(kind, "value", "a (low, high) pair with low <= high", value)
    count = len(values)

    def convert(items: list[Any]) -> Any:
        out = [int(x) if integer else float(x) for x in items]
        return tuple(out) if is_range else out[0]

    def parse(raw: object) -> Any:
        if not isinstance(raw, list) or len(raw) != count:
            raise InvalidValue(f"expected a list of {count} number(s), got {raw!r}")
        items = [widgets.parse_number(x, integer=integer, lo=lo, hi=hi) for x in raw]
        if count == 2 and items[0] > items[1]:
            raise InvalidValue("range low > high")
        return convert(items)

    def check(v: object) -> Any:
        items = list(v) if isinstance(v, list | tuple) else [v]
        return parse(items)

    callback, cargs, ckwargs = widgets.check_callback(
        kind, on_change, args, kwargs, form_id, "on_change"
    )
    visibility = widgets.check_visibility(kind, label_visibility)
    default = convert(values)
    wid = widgets.widget_id(kind, user_key, form_id, (text, lo, hi, default, st, format, help))
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
    shown_list = list(shown) if is_range else [shown]
    emit(
        kind,
        Slider(
            id=wid,
            label_html=markup.inline(text),
            data_type="int" if integer else "float",
            min=float(lo),
            max=float(hi),
            step=float(st),
            value=tuple(float(x) for x in shown_list),
            format=format,
            form_id=form_id,
            help_html=widgets.help_html(help, kind),
            disabled=bool(disabled),
            label_visibility=visibility,
            key=user_key,
        ),
        w,
    )
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
    label_visibility: Literal["visible", "hidden", "collapsed"] = "visible",
) -> Any:
    kind = "select_slider"
    ctx, form_id = widgets.start(kind)
    text = widgets.check_label(kind, label)
    user_key = widgets.check_key(kind, key)
    opts = widgets.check_options(kind, options)
    if not opts:
        raise InvalidArgument(kind, "options", "a non-empty sequence", options)
    shown_opts = widgets.format_options(kind, opts, format_func)
    is_range = isinstance(value, list | tuple) and len(value) == 2
    try:
        if is_range:
            idx = [widgets.option_index(opts, v) for v in value]
        else:
            idx = [0 if value is None else widgets.option_index(opts, value)]
    except InvalidValue as e:
        raise InvalidArgument(
            kind, "value", "one of the options (or a pair of them)", value, str(e)
        ) from None
    count = len(idx)

    def convert(indices: list[int]) -> Any:
        picked = [opts[i] for i in indices]
        return tuple(picked) if is_range else picked[0]

    def parse(raw: object) -> Any:
        if not isinstance(raw, list) or len(raw) != count:
            raise InvalidValue(f"expected {count} option index(es), got {raw!r}")
        indices = [widgets.parse_index(i, len(opts), False) for i in raw]
        return convert(indices)  # type: ignore[arg-type]

    def check(v: object) -> Any:
        items = list(v) if is_range and isinstance(v, list | tuple) else [v]
        if len(items) != count:
            raise InvalidValue(f"expected {count} value(s)")
        return convert([widgets.option_index(opts, x) for x in items])

    callback, cargs, ckwargs = widgets.check_callback(
        kind, on_change, args, kwargs, form_id, "on_change"
    )
    visibility = widgets.check_visibility(kind, label_visibility)
    wid = widgets.widget_id(kind, user_key, form_id, (text, shown_opts, idx, help))
    w = Widget(
        id=wid,
        kind=kind,
        label=text,
        key=user_key,
        default=convert(idx),
        parse=parse,
        check=check,
        form_id=form_id,
        disabled=bool(disabled),
        on_change=callback,
        args=cargs,
        kwargs=ckwargs,
    )
    current, shown = widgets.register(ctx, w)
    shown_items = list(shown) if is_range else [shown]
    emit(
        kind,
        SelectSlider(
            id=wid,
            label_html=markup.inline(text),
            options=shown_opts,
            value=tuple(widgets.option_index(opts, x) for x in shown_items),
            form_id=form_id,
            help_html=widgets.help_html(help, kind),
            disabled=bool(disabled),
            label_visibility=visibility,
            key=user_key,
        ),
        (w, shown_opts, opts),
    )
    return current
