"""st.map: points by latitude and longitude, as a Vega-Lite chart on a Mercator projection.

No base map: Bastion loads no tiles from any network (the page's CSP would refuse them, and tile
requests would tell a third party who looks at what), so the points are drawn on a plain
background. `zoom` is accepted for compatibility and ignored: the view fits the points.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from bastion.app.container import DeltaGenerator, emit
from bastion.app.elements import chart_data
from bastion.app.elements.chart_data import escape_field, vega_type
from bastion.app.elements.charts import dimension, is_color
from bastion.app.errors import InvalidArgument
from bastion.protocol.app import VegaLiteChart

_LAT = ("lat", "latitude", "LAT", "LATITUDE", "Lat", "Latitude")
_LON = ("lon", "longitude", "lng", "LON", "LONGITUDE", "LNG", "Lon", "Longitude")


def map(
    data: object = None,
    *,
    latitude: str | None = None,
    longitude: str | None = None,
    color: str | None = None,
    size: str | float | None = None,
    zoom: int | None = None,
    use_container_width: bool = True,
    width: int | None = None,
    height: int | None = None,
) -> DeltaGenerator:
    df = chart_data.to_frame("map", data)
    df = df.copy(deep=False)
    df.columns = [str(c) for c in df.columns]

    def pick(param: str, given: str | None, names: Sequence[str]) -> str:
        if given is not None:
            if given not in df.columns:
                raise InvalidArgument(
                    "map", param, f"a column of the data ({', '.join(df.columns)})", given
                )
            return given
        for n in names:
            if n in df.columns:
                return n
        raise InvalidArgument(
            "map", param, f"a column name; the data has none of {', '.join(names[:3])}...",
            None, f"Name the column with {param}='...'.",
        )  # fmt: skip

    lat, lon = pick("latitude", latitude, _LAT), pick("longitude", longitude, _LON)
    del zoom
    encoding: dict[str, Any] = {
        "latitude": {"field": escape_field(lat), "type": "quantitative"},
        "longitude": {"field": escape_field(lon), "type": "quantitative"},
        "tooltip": [
            {"field": escape_field(lat), "type": "quantitative"},
            {"field": escape_field(lon), "type": "quantitative"},
        ],
    }
    keep = [lat, lon]
    if color is not None:
        if color in df.columns:
            encoding["color"] = {"field": escape_field(color), "type": vega_type(df[color])}
            keep.append(color)
        elif is_color(color):
            encoding["color"] = {"value": color}
        else:
            raise InvalidArgument("map", "color", "a column name or a CSS color", color)
    if size is not None:
        if isinstance(size, str) and size in df.columns:
            encoding["size"] = {"field": escape_field(size), "type": "quantitative"}
            keep.append(size)
        elif isinstance(size, int | float) and not isinstance(size, bool) and size > 0:
            encoding["size"] = {"value": float(size)}
        else:
            raise InvalidArgument("map", "size", "a column name or a positive number", size)
    spec = {
        "data": {"name": "data"},
        "projection": {"type": "mercator"},
        "mark": {"type": "circle", "tooltip": True, "opacity": 0.8},
        "encoding": encoding,
        "height": dimension("map", "height", height) or 500,
    }
    w = dimension("map", "width", width)
    if w:
        spec["width"] = w
    element = VegaLiteChart(
        spec=msgspec.Raw(msgspec.json.encode(spec)),
        datasets=(chart_data.dataset("data", df[list(dict.fromkeys(keep))]),),
        use_container_width=bool(use_container_width) and not w,
        kind="map",
    )
    return emit("map", element, spec)
