"""st.plotly_chart: a Plotly figure, sent as plotly's own JSON and drawn by plotly.js in the
browser (a lazy chunk, loaded only when a page has a plotly chart).

``on_select`` ("rerun" or a callable) makes the chart a widget returning Streamlit's shape,
``{"selection": {"points": [...], "point_indices": [...], "box": [...], "lasso": []}}``. Lasso
outlines are not reported (not done: their point lists nest deeper than the wire value allows);
the points a lasso selects are.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import msgspec

from bastion.app.container import emit
from bastion.app.elements.chart_data import require
from bastion.app.elements.chart_select import (
    MAX_SELECTED,
    AttrDict,
    check_on_select,
    emit_selectable,
)
from bastion.app.errors import InvalidArgument
from bastion.app.state import InvalidValue
from bastion.protocol.app import PlotlyChart

Mode = Literal["points", "box", "lasso"]
_MODES = ("points", "box", "lasso")
_POINT_KEYS = {"curve_number", "point_number", "point_index", "x", "y", "z", "lat", "lon", "label"}
_POINT_KEYS |= {"value"}


def figure_json(figure: object) -> bytes:
    """The figure as plotly's JSON (plotly's encoder knows numpy, pandas and dates)."""
    require("plotly_chart", "plotly")
    import plotly.io as pio

    try:
        if isinstance(figure, dict):
            import plotly.graph_objects as go

            figure = go.Figure(figure)
        elif isinstance(figure, list):
            import plotly.graph_objects as go

            figure = go.Figure(data=figure)
        text: str = pio.to_json(figure, validate=True, remove_uids=False)
    except (ValueError, TypeError) as e:
        raise InvalidArgument(
            "plotly_chart", "figure_or_data",
            "a plotly Figure, a figure dict or a list of traces", figure, str(e)[:300],
        ) from None  # fmt: skip
    return text.encode("utf-8")


def _number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _scalar(v: object) -> bool:
    return v is None or isinstance(v, bool | str) or _number(v)


def _parse(modes: Sequence[str]):  # type: ignore[no-untyped-def]
    def parse(raw: object) -> AttrDict:
        if isinstance(raw, dict) and set(raw) == {"selection"}:
            sel = raw["selection"]  # a value in the script's shape: back to the wire's
            if not isinstance(sel, dict):
                raise InvalidValue(f"expected {{'selection': {{...}}}}, got {raw!r}")
            boxes = sel.get("box", [])
            if not isinstance(boxes, list) or not all(
                isinstance(b, dict)
                and isinstance(b.get("x"), list)
                and isinstance(b.get("y"), list)
                and len(b["x"]) == len(b["y"]) == 2
                for b in boxes
            ):
                raise InvalidValue("a box is {xref, yref, x: [x0, x1], y: [y0, y1]}")
            raw = {
                "points": sel.get("points", []),
                "box": [
                    {"x0": b["x"][0], "x1": b["x"][1], "y0": b["y"][0], "y1": b["y"][1]}
                    for b in boxes
                ],
            }
        if not isinstance(raw, dict) or not set(raw) <= {"points", "box"}:
            raise InvalidValue(f"expected {{points, box}}, got {raw!r}")
        points, box = raw.get("points", []), raw.get("box", [])
        if not isinstance(points, list) or not isinstance(box, list):
            raise InvalidValue("points and box must be lists")
        if len(points) > MAX_SELECTED or len(box) > 16:
            raise InvalidValue("too many selected points or boxes")
        out_points = []
        for p in points:
            if not isinstance(p, dict) or not set(p) <= _POINT_KEYS:
                raise InvalidValue(f"a point has unexpected fields: {p!r}")
            if not all(_scalar(v) for v in p.values()):
                raise InvalidValue("a point's fields must be scalars")
            out_points.append(AttrDict(p))
        out_box = []
        for b in box if "box" in modes else []:
            if not isinstance(b, dict) or set(b) != {"x0", "x1", "y0", "y1"}:
                raise InvalidValue("a box is {x0, x1, y0, y1}")
            if not all(_scalar(v) for v in b.values()):
                raise InvalidValue("a box's bounds must be scalars")
            out_box.append(AttrDict(xref="x", yref="y", x=[b["x0"], b["x1"]], y=[b["y0"], b["y1"]]))
        indices = sorted(
            {p["point_index"] for p in out_points if isinstance(p.get("point_index"), int)}
        )
        return AttrDict(
            selection=AttrDict(points=out_points, point_indices=indices, box=out_box, lasso=[])
        )

    return parse


def plotly_chart(
    figure_or_data: object,
    use_container_width: bool = True,
    *,
    theme: Literal["streamlit"] | None = "streamlit",
    key: str | None = None,
    on_select: Any = "ignore",
    selection_mode: Mode | Sequence[Mode] = ("points", "box", "lasso"),
    config: dict[str, Any] | None = None,
    **kwargs: Any,
) -> Any:
    if theme not in ("streamlit", None):
        raise InvalidArgument("plotly_chart", "theme", "'streamlit' or None", theme)
    if config is not None and not isinstance(config, dict):
        raise InvalidArgument("plotly_chart", "config", "a dict of plotly.js options", config)
    modes = [selection_mode] if isinstance(selection_mode, str) else list(selection_mode)
    if not modes or any(m not in _MODES for m in modes):
        raise InvalidArgument(
            "plotly_chart", "selection_mode", "'points', 'box', 'lasso' or a list of them",
            selection_mode,
        )  # fmt: skip
    raw = figure_json(figure_or_data)
    base = PlotlyChart(
        figure=msgspec.Raw(raw),
        config=msgspec.Raw(msgspec.json.encode(config)) if config else None,
        use_container_width=bool(use_container_width),
        theme=theme,
    )
    callback = check_on_select("plotly_chart", on_select)
    source = {"figure": raw, "config": config}
    if callback is None:
        return emit("plotly_chart", base, source)
    import hashlib

    digest = hashlib.blake2b(raw, digest_size=16).hexdigest()
    empty = AttrDict(selection=AttrDict(points=[], point_indices=[], box=[], lasso=[]))
    return emit_selectable(
        "plotly_chart",
        lambda id, form_id, k: msgspec.structs.replace(
            base, id=id, selection_modes=tuple(modes), form_id=form_id, key=k
        ),
        (digest, *modes),
        key,
        callback,
        _parse(modes),
        empty,
        source,
    )
