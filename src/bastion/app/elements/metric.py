"""st.metric: a big number with an optional delta."""

from __future__ import annotations

from typing import Literal

from bastion.app import markup
from bastion.app.container import DeltaGenerator, emit
from bastion.app.errors import InvalidArgument
from bastion.app.widgets import check_label, check_visibility, help_html
from bastion.protocol.app import Metric


def _show(kind: str, param: str, value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str | int | float):
        return str(value)
    if hasattr(value, "item"):  # numpy scalars
        return str(value.item())
    raise InvalidArgument(kind, param, "an int, float, str or None", value)


def metric(
    label: str,
    value: object,
    delta: object = None,
    delta_color: Literal["normal", "inverse", "off"] = "normal",
    help: str | None = None,
    label_visibility: Literal["visible", "hidden", "collapsed"] = "visible",
    *,
    border: bool = False,
) -> DeltaGenerator:
    label = check_label("metric", label)
    if delta_color not in ("normal", "inverse", "off"):
        raise InvalidArgument("metric", "delta_color", "'normal', 'inverse' or 'off'", delta_color)
    shown = _show("metric", "value", value)
    delta_text = _show("metric", "delta", delta)
    direction: Literal["up", "down", "none"] = "none"
    if delta_text is not None and delta_text.strip() not in ("", "0", "0.0"):
        direction = "down" if delta_text.strip().startswith("-") else "up"
    element = Metric(
        label_html=markup.inline(label),
        value="—" if shown is None else shown,
        delta=delta_text,
        delta_color=delta_color,
        delta_direction=direction,
        help_html=help_html(help, "metric"),
        label_visibility=check_visibility("metric", label_visibility),
        border=bool(border),
    )
    return emit("metric", element, {"label": label, "value": shown, "delta": delta_text})
