"""Vega-Lite charts: st.line_chart, bar_chart, area_chart, scatter_chart, map, vega_lite_chart and
altair_chart.

Every chart becomes a Vega-Lite spec here, on the server; the browser only compiles and draws it
(Vega with its CSP-safe expression interpreter). The built-in charts follow Streamlit: wide data
(one column per series) is melted to long form, with Vega-Lite's ``fold`` transform so that the
wire carries the wide columns once instead of repeating x for every series.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import msgspec

from bastion.app.container import DeltaGenerator, emit
from bastion.app.elements import chart_data
from bastion.app.elements.chart_data import escape_field, vega_type
from bastion.app.elements.chart_select import (
    AttrDict,
    check_on_select,
    check_vega_selection,
    emit_selectable,
)
from bastion.app.errors import InvalidArgument
from bastion.protocol.app import ChartDataset, VegaLiteChart

if TYPE_CHECKING:
    import pandas as pd

ChartKind = Literal["line", "bar", "area", "scatter"]
_MARKS: dict[str, dict[str, Any]] = {
    "line": {"type": "line", "tooltip": True},
    "bar": {"type": "bar", "tooltip": True},
    "area": {"type": "area", "tooltip": True, "opacity": 0.7, "line": True},
    "scatter": {"type": "circle", "tooltip": True, "opacity": 0.8},
}
_COLOR = re.compile(
    r"^(#[0-9a-fA-F]{3,8}|rgba?\([0-9.,%\s]+\)|hsla?\([0-9.,%\sdeg]+\)|[a-zA-Z]{3,20})$"
)
_DATA = "data"
_MAX_BANDS = 100  # past this, one band and one axis label per value is unreadable and slow
_encode = msgspec.json.encode


def _columns_arg(kind: str, param: str, value: object, df: pd.DataFrame) -> list[str] | None:
    if value is None:
        return None
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, Sequence) or isinstance(names, bytes):
        raise InvalidArgument(kind, param, "a column name or a list of column names", value)
    out = []
    for name in names:
        if name not in df.columns:
            raise InvalidArgument(
                kind, param, f"a column of the data ({', '.join(map(str, df.columns))})", name
            )
        out.append(str(name))
    return out


def dimension(kind: str, param: str, value: object) -> int | None:
    if value is None or value == 0:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidArgument(kind, param, "a number of pixels (a positive int) or None", value)
    return value


def is_color(value: object) -> bool:
    return isinstance(value, str) and bool(_COLOR.match(value.strip()))


def _free_name(base: str, taken: Sequence[str]) -> str:
    name = base
    while name in taken:
        name = f"{name}_"
    return name


def built_in_spec(
    kind: ChartKind,
    df: pd.DataFrame,
    *,
    x: object,
    y: object,
    x_label: str | None,
    y_label: str | None,
    color: object,
    size: object,
    width: int | None,
    height: int | None,
    stack: object,
    horizontal: bool,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """The Vega-Lite spec of a built-in chart and the (wide) frame its dataset carries."""
    df = df.copy(deep=False)
    df.columns = [str(c) for c in df.columns]
    x_cols = _columns_arg(kind, "x", x, df)
    if x_cols is not None and len(x_cols) != 1:
        raise InvalidArgument(kind, "x", "one column name", x)
    if x_cols is None:
        # No x: the index is the x axis (Streamlit's rule), under a name no column has.
        index_name = df.index.name if isinstance(df.index.name, str) else "index"
        x_name = _free_name(index_name, list(df.columns))
        df = df.reset_index(drop=False, names=x_name) if len(df.columns) else df
        if x_name not in df.columns:
            df[x_name] = range(len(df))
    else:
        x_name = x_cols[0]

    color_field: str | None = None
    color_values: list[str] | None = None
    if isinstance(color, str) and color in df.columns:
        color_field = color
    elif color is not None:
        colors = [color] if isinstance(color, str) else color
        if not isinstance(colors, Sequence) or not all(is_color(c) for c in colors):
            raise InvalidArgument(
                kind, "color", "a column name, a CSS color ('#ffaa00') or a list of colors", color
            )
        color_values = [str(c) for c in colors]

    size_field: str | None = None
    size_value: float | None = None
    if size is not None:
        if kind != "scatter":
            raise InvalidArgument(kind, "size", "None (only st.scatter_chart takes a size)", size)
        if isinstance(size, str) and size in df.columns:
            size_field = size
        elif isinstance(size, int | float) and not isinstance(size, bool) and size > 0:
            size_value = float(size)
        else:
            raise InvalidArgument(kind, "size", "a column name or a positive number", size)

    used = {x_name, color_field, size_field} - {None}
    y_cols = _columns_arg(kind, "y", y, df)
    if y_cols is None:
        y_cols = [c for c in df.columns if c not in used]
    if color_values is not None and len(color_values) not in (1, len(y_cols)):
        raise InvalidArgument(
            kind, "color", f"one color or one per y column ({len(y_cols)})", color
        )
    keep = list(dict.fromkeys([x_name, *y_cols, *(c for c in (color_field, size_field) if c)]))
    df = df[keep]

    x_type = vega_type(df[x_name]) if len(df) else "quantitative"
    if (
        kind == "bar"
        and x_type == "quantitative"
        and df[x_name].dtype.kind in "iu"
        and df[x_name].nunique() <= _MAX_BANDS
    ):
        x_type = "ordinal"  # a few integer categories as bars, not slivers on a continuous axis
    x_enc: dict[str, Any] = {"field": escape_field(x_name), "type": x_type}
    x_enc["title"] = x_label if x_label is not None else x_name
    encoding: dict[str, Any] = {}
    transform: list[dict[str, Any]] = []
    melted = len(y_cols) > 1
    if melted:
        value_name = _free_name("value", keep)
        series_name = _free_name("color", [*keep, value_name])
        transform.append(
            {"fold": [escape_field(c) for c in y_cols], "as": [series_name, value_name]}
        )
        y_enc: dict[str, Any] = {"field": escape_field(value_name), "type": "quantitative"}
        y_enc["title"] = y_label if y_label is not None else ""
        scale: dict[str, Any] = {"domain": y_cols}
        if color_values is not None:
            scale["range"] = color_values
        encoding["color"] = {
            "field": escape_field(series_name),
            "type": "nominal",
            "title": " ",
            "scale": scale,
            "legend": {"orient": "bottom"},
        }
    elif y_cols:
        y_name = y_cols[0]
        y_enc = {
            "field": escape_field(y_name),
            "type": vega_type(df[y_name]) if len(df) else "quantitative",
        }
        y_enc["title"] = y_label if y_label is not None else y_name
    else:
        y_enc = {"field": escape_field(_free_name("value", keep)), "type": "quantitative"}
    if color_field is not None and not melted:
        encoding["color"] = {
            "field": escape_field(color_field),
            "type": vega_type(df[color_field]),
            "title": color_field,
        }
    if color_values is not None and not melted:
        encoding["color"] = {"value": color_values[0]}
    if size_field is not None:
        encoding["size"] = {"field": escape_field(size_field), "type": "quantitative"}
    elif size_value is not None:
        encoding["size"] = {"value": size_value}

    if kind in ("bar", "area"):
        if stack not in (None, True, False, "normalize", "center", "layered"):
            raise InvalidArgument(
                kind, "stack", "None, True, False, 'normalize', 'center' or 'layered'", stack
            )
        if stack is not None:
            y_enc["stack"] = {True: "zero", False: None, "layered": None}.get(stack, stack)
    elif stack is not None:
        raise InvalidArgument(kind, "stack", "None (only bar and area charts stack)", stack)

    if horizontal:
        encoding["x"], encoding["y"] = y_enc, x_enc
    else:
        encoding["x"], encoding["y"] = x_enc, y_enc
    tooltip = [encoding["x"], encoding["y"]]
    if "color" in encoding and "field" in encoding["color"]:
        tooltip.append(encoding["color"])
    encoding["tooltip"] = [
        {k: v for k, v in t.items() if k in ("field", "type", "title")} for t in tooltip
    ]

    spec: dict[str, Any] = {
        "data": {"name": _DATA},
        "mark": dict(_MARKS[kind]),
        "encoding": encoding,
        "height": height or 400,
    }
    if transform:
        spec["transform"] = transform
    if width:
        spec["width"] = width
    if kind == "bar" and stack == "layered":
        spec["mark"]["opacity"] = 0.7
    return spec, df


def _emit_built_in(
    kind: ChartKind,
    data: object,
    *,
    x: object,
    y: object,
    x_label: object,
    y_label: object,
    color: object,
    size: object = None,
    width: object,
    height: object,
    use_container_width: object,
    stack: object = None,
    horizontal: object = False,
) -> DeltaGenerator:
    name = f"{kind}_chart"
    for param, label in (("x_label", x_label), ("y_label", y_label)):
        if label is not None and not isinstance(label, str):
            raise InvalidArgument(name, param, "a str or None", label)
    df = chart_data.to_frame(name, data)
    spec, wide = built_in_spec(
        kind,
        df,
        x=x,
        y=y,
        x_label=x_label,  # type: ignore[arg-type]
        y_label=y_label,  # type: ignore[arg-type]
        color=color,
        size=size,
        width=dimension(name, "width", width),
        height=dimension(name, "height", height),
        stack=stack,
        horizontal=bool(horizontal),
    )
    element = VegaLiteChart(
        spec=msgspec.Raw(_encode(spec)),
        datasets=(chart_data.dataset(_DATA, wide),),
        use_container_width=bool(use_container_width) and not spec.get("width"),
        kind=kind,
    )
    return emit(name, element, spec)


def line_chart(
    data: object = None,
    *,
    x: str | None = None,
    y: str | Sequence[str] | None = None,
    x_label: str | None = None,
    y_label: str | None = None,
    color: str | Sequence[str] | None = None,
    width: int | None = None,
    height: int | None = None,
    use_container_width: bool = True,
) -> DeltaGenerator:
    return _emit_built_in(
        "line", data, x=x, y=y, x_label=x_label, y_label=y_label, color=color,
        width=width, height=height, use_container_width=use_container_width,
    )  # fmt: skip


def area_chart(
    data: object = None,
    *,
    x: str | None = None,
    y: str | Sequence[str] | None = None,
    x_label: str | None = None,
    y_label: str | None = None,
    color: str | Sequence[str] | None = None,
    stack: bool | Literal["normalize", "center"] | None = None,
    width: int | None = None,
    height: int | None = None,
    use_container_width: bool = True,
) -> DeltaGenerator:
    return _emit_built_in(
        "area", data, x=x, y=y, x_label=x_label, y_label=y_label, color=color, stack=stack,
        width=width, height=height, use_container_width=use_container_width,
    )  # fmt: skip


def bar_chart(
    data: object = None,
    *,
    x: str | None = None,
    y: str | Sequence[str] | None = None,
    x_label: str | None = None,
    y_label: str | None = None,
    color: str | Sequence[str] | None = None,
    horizontal: bool = False,
    stack: bool | Literal["normalize", "center", "layered"] | None = None,
    width: int | None = None,
    height: int | None = None,
    use_container_width: bool = True,
) -> DeltaGenerator:
    return _emit_built_in(
        "bar", data, x=x, y=y, x_label=x_label, y_label=y_label, color=color, stack=stack,
        horizontal=horizontal, width=width, height=height,
        use_container_width=use_container_width,
    )  # fmt: skip


def scatter_chart(
    data: object = None,
    *,
    x: str | None = None,
    y: str | Sequence[str] | None = None,
    x_label: str | None = None,
    y_label: str | None = None,
    color: str | Sequence[str] | None = None,
    size: str | float | None = None,
    width: int | None = None,
    height: int | None = None,
    use_container_width: bool = True,
) -> DeltaGenerator:
    return _emit_built_in(
        "scatter", data, x=x, y=y, x_label=x_label, y_label=y_label, color=color, size=size,
        width=width, height=height, use_container_width=use_container_width,
    )  # fmt: skip


# --- st.vega_lite_chart and st.altair_chart -------------------------------------------------------

# Altair's data transformers are process-wide state; to_dict under a lock keeps one session's
# "no row limit" from leaking into another's conversion.
_ALTAIR_LOCK = threading.Lock()


def _check_no_urls(kind: str, node: object, where: str = "spec") -> None:
    """Refuse data a spec would fetch: a chart never makes the browser load a remote URL."""
    if isinstance(node, dict):
        data = node.get("data")
        if isinstance(data, dict) and "url" in data:
            raise InvalidArgument(
                kind, where, "data inline (values, a DataFrame or datasets)",
                data["url"],
                "Charts do not fetch data by URL (the page's CSP forbids it, and it would leak "
                "the viewer's address): load the data in the script and pass it as a DataFrame.",
            )  # fmt: skip
        for v in node.values():
            _check_no_urls(kind, v, where)
    elif isinstance(node, list):
        for v in node:
            _check_no_urls(kind, v, where)


def selection_params(spec: dict[str, Any]) -> list[str]:
    """The names of the spec's selection parameters (top level and in layers/concats)."""
    names: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for p in node.get("params", ()) or ():
                name = p.get("name") if isinstance(p, dict) and "select" in p else None
                if isinstance(name, str) and name not in names:
                    names.append(name)
            for key in ("layer", "hconcat", "vconcat", "concat", "spec"):
                child = node.get(key)
                for c in child if isinstance(child, list) else [child]:
                    walk(c)

    walk(spec)
    return names


def _selection_mode(kind: str, mode: object, available: list[str]) -> list[str]:
    if not available:
        raise InvalidArgument(
            kind, "on_select", "'ignore' for a chart without selection parameters", "selection",
            "Add a named selection to the chart (alt.selection_point(name='pick') with "
            ".add_params(...), or a spec 'params' entry with 'select'), or leave on_select off.",
        )  # fmt: skip
    if mode is None:
        return available
    modes = [mode] if isinstance(mode, str) else mode
    if not isinstance(modes, Sequence) or not modes:
        raise InvalidArgument(kind, "selection_mode", "a selection name or a list of names", mode)
    for m in modes:
        if m not in available:
            raise InvalidArgument(
                kind, "selection_mode", f"one of the chart's selections ({', '.join(available)})", m
            )
    return [str(m) for m in modes]


def _spec_chart(
    kind: str,
    spec: dict[str, Any],
    datasets: tuple[ChartDataset, ...],
    *,
    use_container_width: object,
    theme: object,
    key: object,
    on_select: object,
    selection_mode: object,
    chart_kind: str,
) -> Any:
    if theme not in ("streamlit", None):
        raise InvalidArgument(kind, "theme", "'streamlit' or None", theme)
    _check_no_urls(kind, spec)
    callback = check_on_select(kind, on_select)
    raw = _encode(spec)
    base = VegaLiteChart(
        spec=msgspec.Raw(raw),
        datasets=datasets,
        use_container_width=bool(use_container_width),
        theme=theme,
        kind=chart_kind,
    )
    if callback is None:
        return emit(kind, base, spec)
    params = _selection_mode(kind, selection_mode, selection_params(spec))
    digest = hashlib.blake2b(raw, digest_size=16).hexdigest()
    default = AttrDict({"selection": AttrDict({p: {} for p in params})})
    return emit_selectable(
        kind,
        lambda id, form_id, k: msgspec.structs.replace(
            base, id=id, selection_params=tuple(params), form_id=form_id, key=k
        ),
        (digest, *params),
        key,
        callback,
        check_vega_selection(params),
        default,
        spec,
    )


def vega_lite_chart(
    data: object = None,
    spec: dict[str, Any] | None = None,
    *,
    use_container_width: bool = False,
    theme: Literal["streamlit"] | None = "streamlit",
    key: str | None = None,
    on_select: Any = "ignore",
    selection_mode: str | Sequence[str] | None = None,
    **kwargs: Any,
) -> Any:
    if (
        spec is None
        and isinstance(data, dict)
        and ("mark" in data or "layer" in data or "$schema" in data)
    ):
        data, spec = None, data  # st.vega_lite_chart(spec) with the spec first
    if spec is None:
        spec = {}
    if not isinstance(spec, dict):
        raise InvalidArgument("vega_lite_chart", "spec", "a Vega-Lite spec as a dict", spec)
    spec = {**spec, **kwargs}
    if not spec:
        raise InvalidArgument(
            "vega_lite_chart", "spec", "a non-empty Vega-Lite spec", spec,
            "Pass at least a mark and an encoding, e.g. {'mark': 'bar', 'encoding': {...}}.",
        )  # fmt: skip
    datasets: tuple[ChartDataset, ...] = ()
    _check_no_urls("vega_lite_chart", spec)
    if data is not None:
        df = chart_data.to_frame("vega_lite_chart", data)
        name = "data"
        spec["data"] = {"name": name}
        datasets = (chart_data.dataset(name, df),)
    return _spec_chart(
        "vega_lite_chart", spec, datasets, use_container_width=use_container_width, theme=theme,
        key=key, on_select=on_select, selection_mode=selection_mode, chart_kind="vega_lite",
    )  # fmt: skip


def altair_spec(chart: object) -> dict[str, Any]:
    """An Altair chart's Vega-Lite spec with its data inline (no row limit)."""
    chart_data.require("altair_chart", "altair")
    import altair as alt

    if not isinstance(chart, alt.TopLevelMixin):
        raise InvalidArgument(
            "altair_chart", "altair_chart", "an Altair chart (alt.Chart(...)...)", chart
        )
    with _ALTAIR_LOCK, alt.data_transformers.disable_max_rows():
        spec: dict[str, Any] = chart.to_dict()
    return spec


def altair_chart(
    altair_chart: object,
    *,
    use_container_width: bool = False,
    theme: Literal["streamlit"] | None = "streamlit",
    key: str | None = None,
    on_select: Any = "ignore",
    selection_mode: str | Sequence[str] | None = None,
) -> Any:
    spec = altair_spec(altair_chart)
    return _spec_chart(
        "altair_chart", spec, (), use_container_width=use_container_width, theme=theme, key=key,
        on_select=on_select, selection_mode=selection_mode, chart_kind="altair",
    )  # fmt: skip
