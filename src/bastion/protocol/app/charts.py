"""Chart elements: Vega-Lite specs (built-in charts, Altair, raw specs, maps), Plotly figures and
server-rendered images (pyplot).

Specs and figures travel as embedded JSON (`msgspec.Raw`), never as strings to parse twice. The
client renders Vega-Lite with Vega's CSP-safe expression interpreter (no `eval`); a spec never
names a remote URL for its data (the server refuses those before they are sent).

Selections (``on_select``): a chart with an ``id`` is a widget. Its wire value is
``{param: selection}`` for the parameters listed in ``selection_params``; a Vega-Lite interval
selection is ``{field: [lo, hi]}`` and a point selection a list of ``{field: value}`` rows. A
Plotly chart reports ``{"points": [{...}], "box": [{x0, x1, y0, y1, xref, yref}]}``. The server
validates the exact shape and drops anything else.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from bastion.protocol.app._base import _El

ChartTheme = Literal["streamlit"] | None


class ChartColumn(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One column of a compact dataset, by `format`:

    - ``"json"``: `values` is a JSON list (numbers, strings, booleans, nulls); with `levels`, the
      list holds codes into `levels` (-1: missing).
    - ``"f64"``: `values` is a base64 string of little-endian float64s (NaN: missing), exact and
      about half the size of the same floats written as JSON text.
    - ``"range"``: `values` is ``[start, step]``: row i holds ``start + i * step`` (an index).
    """

    name: str
    values: msgspec.Raw
    levels: tuple[str, ...] | None = None
    format: Literal["json", "f64", "range"] = "json"


class ChartDataset(msgspec.Struct, frozen=True, kw_only=True):
    """A named dataset sent by columns (much smaller than rows of objects): the client turns it
    into the rows of `spec.datasets[name]` before compiling."""

    name: str
    rows: Annotated[int, msgspec.Meta(ge=0)]
    columns: tuple[ChartColumn, ...]


class VegaLiteChart(_El, frozen=True, tag="vega_lite_chart"):
    spec: msgspec.Raw  # a Vega-Lite spec; data inline (`values`/`datasets`) or in `datasets` below
    datasets: tuple[ChartDataset, ...] = ()
    use_container_width: bool = True
    theme: ChartTheme = "streamlit"
    kind: str | None = None  # line, bar, area, scatter, map, altair, vega_lite: for tests/styles
    id: str | None = None  # set when on_select is active: the chart is a widget
    selection_params: tuple[str, ...] = ()
    form_id: str | None = None
    key: str | None = None


class PlotlyChart(_El, frozen=True, tag="plotly_chart"):
    figure: msgspec.Raw  # plotly's own JSON of the figure: {"data": [...], "layout": {...}}
    config: msgspec.Raw | None = None
    use_container_width: bool = True
    theme: ChartTheme = "streamlit"
    id: str | None = None
    selection_modes: tuple[Literal["points", "box", "lasso"], ...] = ()
    form_id: str | None = None
    key: str | None = None


class ChartImage(_El, frozen=True, tag="chart_image"):
    """A chart rendered on the server (st.pyplot): a PNG served by the media route (a URL relative
    to the app's base path)."""

    src: str
    width: int | None = None  # CSS pixels; None: the image's own width, capped to the container
    use_container_width: bool = True
    alt: str = ""  # plain text
