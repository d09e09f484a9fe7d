"""st.multiselect: pick any number of options."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

from bastion.app import widgets
from bastion.app.errors import InvalidArgument
from bastion.app.state import InvalidValue
from bastion.protocol.app import Multiselect


def multiselect(
    label: str,
    options: Sequence[Any],
    default: Any | None = None,
    format_func: Callable[[Any], Any] = str,
    key: str | int | None = None,
    help: str | None = None,
    on_change: Callable[..., Any] | None = None,
    args: tuple[Any, ...] | list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    *,
    max_selections: int | None = None,
    placeholder: str = "Choose an option",
    disabled: bool = False,
    label_visibility: Literal["visible", "hidden", "collapsed"] = "visible",
) -> list[Any]:
    c = widgets.Common(
        "multiselect", label, key, help, on_change, args, kwargs, disabled, label_visibility
    )
    opts = widgets.check_options(c.kind, options)
    labels = widgets.format_options(c.kind, opts, format_func)
    if max_selections is not None and (
        isinstance(max_selections, bool)
        or not isinstance(max_selections, int)
        or max_selections < 1
    ):
        raise InvalidArgument(c.kind, "max_selections", "a positive int or None", max_selections)

    def check(value: object) -> list[Any]:
        if value is None:
            return []
        items = [value] if isinstance(value, str) or not hasattr(value, "__iter__") else value
        picked = [opts[widgets.option_index(opts, v, labels, format_func)] for v in items]
        if max_selections is not None and len(picked) > max_selections:
            raise InvalidValue(f"at most {max_selections} selections")
        return picked

    def parse(raw: object) -> list[Any]:
        return [opts[i] for i in widgets.parse_indices(raw, len(opts), max_selections)]

    try:
        initial = check(default)
    except InvalidValue as e:
        raise InvalidArgument(
            c.kind, "default", f"options from {list(labels)[:10]}", default, str(e)
        ) from None
    w, value, shown = c.register(
        (labels, [widgets.option_index(opts, d) for d in initial], max_selections, placeholder),
        initial,
        parse,
        check,
    )
    element = Multiselect(
        **c.fields(w),
        options=labels,
        indices=tuple(widgets.option_index(opts, v) for v in shown),
        max_selections=max_selections,
        placeholder=str(placeholder),
    )
    c.emit(w, element, (w, labels, opts))
    return list(value)
