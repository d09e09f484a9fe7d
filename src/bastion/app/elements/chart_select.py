"""Chart selections (`on_select`): a chart that reports selections is a widget.

The browser sends ``{param: selection}``; the server checks the exact shape against the chart's
selection parameters and hands the script Streamlit's shape, ``{"selection": {param: ...}}``, as
an attribute dictionary (``event.selection.brush``). Anything else is dropped, as for every widget.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from bastion.app import context
from bastion.app.container import current, emit
from bastion.app.errors import InvalidArgument
from bastion.app.state import InvalidValue, Widget
from bastion.app.widgets import check_callback, check_key, register, widget_id
from bastion.protocol.app import Element

MAX_SELECTED = 100_000


class AttrDict(dict[str, Any]):
    """A dict whose keys read as attributes too (Streamlit's selection state)."""

    def __getattr__(self, name: str) -> Any:
        try:
            value = self[name]
        except KeyError:
            raise AttributeError(
                f"no selection field {name!r}; it has: {', '.join(map(str, self)) or 'none'}"
            ) from None
        return AttrDict(value) if isinstance(value, dict) else value


def _scalar(value: object) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, bool | int | str)


def check_vega_selection(params: Sequence[str]) -> Callable[[object], AttrDict]:
    """The parser of a Vega-Lite chart's wire value: {param: {field: [v...]} | [{field: v}]}."""

    def parse(raw: object) -> AttrDict:
        if isinstance(raw, dict) and set(raw) == {"selection"}:
            raw = raw["selection"]  # a session_state write in the script's shape
        if not isinstance(raw, dict):
            raise InvalidValue(f"expected {{param: selection}}, got {raw!r}")
        out: dict[str, Any] = {p: {} for p in params}
        for name, sel in raw.items():
            if name not in out:
                raise InvalidValue(f"{name!r} is not a selection parameter of this chart")
            if isinstance(sel, dict):  # interval: field -> values (a range or a set)
                for field, values in sel.items():
                    if not isinstance(field, str) or not isinstance(values, list):
                        raise InvalidValue(f"interval {name!r}: expected {{field: [values]}}")
                    if len(values) > MAX_SELECTED or not all(map(_scalar, values)):
                        raise InvalidValue(f"interval {name!r}: bad values for {field!r}")
                out[name] = dict(sel)
            elif isinstance(sel, list):  # point: the selected rows' fields
                if len(sel) > MAX_SELECTED:
                    raise InvalidValue(f"point {name!r}: too many points")
                for row in sel:
                    if not isinstance(row, dict) or not all(
                        isinstance(k, str) and _scalar(v) for k, v in row.items()
                    ):
                        raise InvalidValue(f"point {name!r}: expected [{{field: value}}]")
                out[name] = [dict(r) for r in sel]
            else:
                raise InvalidValue(f"selection {name!r}: expected a dict or a list")
        return AttrDict({"selection": AttrDict(out)})

    return parse


def check_on_select(kind: str, on_select: object) -> Callable[..., Any] | None:
    """'ignore' -> None (not a widget); 'rerun' -> a no-op callback; a callable stays."""
    if on_select == "ignore":
        return None
    if on_select == "rerun":
        return _rerun
    if callable(on_select):
        return on_select
    raise InvalidArgument(
        kind, "on_select", "'ignore', 'rerun' or a callable", on_select,
        "Use on_select='rerun' to get selections back as the function's return value.",
    )  # fmt: skip


def _rerun() -> None:
    """on_select='rerun': a selection only reruns the script."""


def emit_selectable(
    kind: str,
    make: Callable[[str | None, str | None, str | None], Element],
    identity: Sequence[object],
    key: object,
    on_select: Callable[..., Any],
    parse: Callable[[object], Any],
    default: Any,
    source: Any,
) -> Any:
    """Register the chart as a widget, emit it (`make(id, form_id, key)`), return its state."""
    ctx = context.get(kind)
    form_id = current(ctx).form_id
    checked_key = check_key(kind, key)
    callback, args, kwargs = check_callback(
        kind, None if on_select is _rerun else on_select, None, None, form_id, "on_select"
    )
    w = Widget(
        id=widget_id(kind, checked_key, form_id, identity),
        kind=kind,
        label="",
        key=checked_key,
        default=default,
        parse=parse,
        check=parse,
        form_id=form_id,
        on_change=callback,
        args=args,
        kwargs=kwargs,
    )
    value, _shown = register(ctx, w)
    emit(kind, make(w.id, form_id, checked_key), (w, source), widget_id=w.id)
    return value
