"""AppTest wrappers of chart elements: the spec or figure the server built, and for charts with
``on_select`` the selection state, set the way a browser would send it."""

from __future__ import annotations

import array
import base64
import json
import math
from typing import TYPE_CHECKING, Any

from bastion.app.testing.elements import Element, Widget
from bastion.protocol import app as p

if TYPE_CHECKING:
    from bastion.app.testing.app_test import AppTest
    from bastion.app.testing.tree import Node


class _Chart(Widget):
    """A chart; a widget too when it has ``on_select``."""

    def __init__(self, node: Node, root: AppTest) -> None:
        Element.__init__(self, node, root)
        src = node.source
        self._chart_def: Any = src[0] if isinstance(src, tuple) else None
        if self._chart_def is not None:
            self._def = self._chart_def

    @property
    def selectable(self) -> bool:
        return self._chart_def is not None

    @property
    def value(self) -> Any:
        """The selection state (charts with on_select), else what the chart shows."""
        if self._chart_def is None:
            return self._node.source
        return super().value

    @property
    def label(self) -> str:
        return ""


class VegaLiteChart(_Chart):
    type = "vega_lite_chart"

    @property
    def kind(self) -> str | None:
        return self.proto.kind  # type: ignore[no-any-return]

    @property
    def spec(self) -> dict[str, Any]:
        """The Vega-Lite spec as sent (built-in charts' data travels in `datasets`)."""
        return json.loads(bytes(self.proto.spec))  # type: ignore[no-any-return]

    @property
    def datasets(self) -> dict[str, dict[str, list[Any]]]:
        """Each dataset by name, as columns of plain values (codes resolved to their levels)."""
        out: dict[str, dict[str, list[Any]]] = {}
        for ds in self.proto.datasets:
            cols: dict[str, list[Any]] = {}
            for c in ds.columns:
                values = json.loads(bytes(c.values))
                if c.format == "range":
                    start, step = values
                    values = [start + i * step for i in range(ds.rows)]
                elif c.format == "f64":
                    packed = array.array("d", base64.b64decode(values))
                    values = [None if math.isnan(v) else v for v in packed]
                if c.levels is not None:
                    values = [c.levels[v] if v is not None and v >= 0 else None for v in values]
                cols[c.name] = values
            out[ds.name] = cols
        return out

    def select(self, selection: dict[str, Any]) -> VegaLiteChart:
        """Set the selection as the browser sends it: ``{param: {field: [lo, hi]}}`` for an
        interval, ``{param: [{field: value}, ...]}`` for points."""
        self.set_value(selection)
        return self


class PlotlyChart(_Chart):
    type = "plotly_chart"

    @property
    def figure(self) -> dict[str, Any]:
        return json.loads(bytes(self.proto.figure))  # type: ignore[no-any-return]

    def select(
        self, points: list[dict[str, Any]], box: list[dict[str, Any]] | None = None
    ) -> PlotlyChart:
        self.set_value({"points": points, "box": box or []})
        return self


class ChartImage(Element):
    type = "pyplot"

    @property
    def png(self) -> bytes:
        source: dict[str, Any] = self._node.source  # type: ignore[assignment]
        return bytes(source["png"])

    @property
    def src(self) -> str:
        return self.proto.src  # type: ignore[no-any-return]


BY_ELEMENT: dict[type, type[Element]] = {
    p.VegaLiteChart: VegaLiteChart,
    p.PlotlyChart: PlotlyChart,
    p.ChartImage: ChartImage,
}
TYPES: dict[str, tuple[type[Element], ...]] = {
    cls.type: (cls,) for cls in (VegaLiteChart, PlotlyChart, ChartImage)
}
