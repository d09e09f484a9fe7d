"""Charts through AppTest: the Vega-Lite spec and compact data each call builds, Streamlit's data
shapes and melt, errors that name the parameter, selections validated as widget state, Altair and
Plotly conversion, and pyplot's per-session figures."""

from __future__ import annotations

import json
import sys
import threading
import types
from collections.abc import Callable
from typing import Any

import pytest

pd = pytest.importorskip("pandas")  # the `charts` extra; scripts/setup installs every extra
alt = pytest.importorskip("altair")

from bastion.testing import AppTest  # noqa: E402

TIMEOUT = 60  # first imports of pandas/altair/plotly/matplotlib on a loaded machine


def run(fn: Callable[[], None]) -> AppTest:
    return AppTest.from_function(fn, default_timeout=TIMEOUT).run()


def error_of(at: AppTest) -> str:
    assert at.exception, "expected an error"
    return str(at.exception[0].value)


def test_line_chart_melts_wide_data_with_fold_and_sends_columns() -> None:
    def app() -> None:
        import pandas as pd

        import bastion as st

        st.line_chart(pd.DataFrame({"a": [1, 2, 3], "b.c": [4.5, None, 6.0]}))

    at = run(app)
    chart = at.vega_lite_chart[0]
    spec = chart.spec
    assert chart.kind == "line"
    assert spec["mark"]["type"] == "line"
    assert spec["transform"] == [{"fold": ["a", "b\\.c"], "as": ["color", "value"]}]
    assert spec["encoding"]["x"] == {"field": "index", "type": "quantitative", "title": "index"}
    assert spec["encoding"]["y"]["field"] == "value"
    assert spec["encoding"]["color"]["scale"]["domain"] == ["a", "b.c"]
    assert chart.datasets == {"data": {"index": [0, 1, 2], "a": [1, 2, 3], "b.c": [4.5, None, 6.0]}}
    assert chart.proto.use_container_width
    formats = {c.name: c.format for c in chart.proto.datasets[0].columns}
    assert formats == {"index": "range", "a": "range", "b.c": "json"}


def test_long_float_columns_travel_as_exact_binary() -> None:
    def app() -> None:
        import numpy as np
        import pandas as pd

        import bastion as st

        y = np.random.default_rng(1).standard_normal(500).cumsum()
        y[3] = np.nan
        st.scatter_chart(pd.DataFrame({"x": np.arange(500) ** 2, "y": y}), x="x", y="y")
        st.session_state.y = y

    at = run(app)
    chart = at.vega_lite_chart[0]
    cols = {c.name: c for c in chart.proto.datasets[0].columns}
    assert cols["y"].format == "f64"
    assert cols["x"].format == "json"  # not a progression
    got = chart.datasets["data"]["y"]
    want = at.session_state.y
    assert got[3] is None
    assert [v for i, v in enumerate(got) if i != 3] == [v for i, v in enumerate(want) if i != 3]


def test_bar_chart_options_and_data_shapes() -> None:
    def app() -> None:
        import numpy as np

        import bastion as st

        st.bar_chart(
            {"k": ["x", "y", "x", "y"], "v": [1, 2, 3, 4]},
            x="k",
            y="v",
            horizontal=True,
            stack=False,
            x_label="Kind",
            width=300,
            height=200,
        )
        st.area_chart(np.arange(6).reshape(3, 2), stack="normalize")
        st.scatter_chart(
            [{"p": 1, "q": 2, "s": 5}, {"p": 2, "q": 3, "s": 1}],
            x="p",
            y="q",
            size="s",
            color="#ff0000",
        )

    at = run(app)
    bar, area, scatter = at.vega_lite_chart
    enc = bar.spec["encoding"]
    assert enc["y"]["field"] == "k"
    assert enc["y"]["title"] == "Kind"
    assert enc["x"]["field"] == "v"
    assert enc["x"]["stack"] is None
    assert bar.spec["width"] == 300
    assert bar.spec["height"] == 200
    assert not bar.proto.use_container_width
    assert bar.proto.datasets[0].columns[0].levels == ("x", "y")  # text as codes
    assert area.spec["encoding"]["y"]["stack"] == "normalize"
    assert area.spec["transform"][0]["fold"] == ["0", "1"]
    assert scatter.spec["encoding"]["size"] == {"field": "s", "type": "quantitative"}
    assert scatter.spec["encoding"]["color"] == {"value": "#ff0000"}


def test_dates_travel_as_epoch_ms_and_are_temporal() -> None:
    def app() -> None:
        import pandas as pd

        import bastion as st

        st.line_chart(
            pd.DataFrame({"t": pd.to_datetime(["2024-01-01", "2024-01-02"]), "v": [1, 2]}), x="t"
        )

    chart = run(app).vega_lite_chart[0]
    assert chart.spec["encoding"]["x"]["type"] == "temporal"
    assert chart.datasets["data"]["t"] == [1704067200000, 1704153600000]


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ("st.line_chart(df, x='nope')", "`x`"),
        ("st.line_chart(df, y=['a', 'zz'])", "`y`"),
        ("st.line_chart(df, size=3)", "'size'"),
        ("st.bar_chart(df, stack='sideways')", "`stack`"),
        ("st.line_chart(df, color='not a color!')", "`color`"),
        ("st.line_chart(df, y=['a', 'b'], color=['red'] * 3)", "`color`"),
        ("st.line_chart(df, height=-1)", "`height`"),
        ("st.line_chart('text')", "`data`"),
        (
            "st.vega_lite_chart(df, {'mark': 'bar', 'data': {'url': 'https://evil/x.csv'}})",
            "`spec`",
        ),
        ("st.vega_lite_chart(df, {'mark': 'bar'}, on_select='rerun')", "`on_select`"),
        ("st.vega_lite_chart(df, {'mark': 'bar'}, on_select='sometimes')", "`on_select`"),
        ("st.altair_chart(df)", "`altair_chart`"),
        ("st.plotly_chart({'data': [{'type': 'nope'}]})", "`figure_or_data`"),
        ("st.pyplot('fig')", "`fig`"),
        ("st.map(df)", "`latitude`"),
    ],
)
def test_errors_name_the_parameter(body: str, param: str) -> None:
    script = (
        "import pandas as pd\nimport bastion as st\n"
        f"df = pd.DataFrame({{'a': [1], 'b': [2]}})\n{body}\n"
    )
    at = AppTest.from_string(script, default_timeout=TIMEOUT).run()
    assert param in error_of(at), body


def _brush_app() -> None:
    import altair as alt
    import pandas as pd

    import bastion as st

    df = pd.DataFrame({"x": range(10_000), "y": range(10_000)})  # past Altair's 5,000-row limit
    chart = (
        alt.Chart(df)
        .mark_point()
        .encode(x="x", y="y")
        .add_params(
            alt.selection_interval(name="brush"), alt.selection_point(name="pick", fields=["x"])
        )
    )
    event = st.altair_chart(chart, on_select="rerun", key="chart")
    st.write(repr(event.selection.brush), repr(event.selection.pick))


def test_altair_selection_round_trip_and_validation() -> None:
    at = run(_brush_app)
    chart = at.vega_lite_chart[0]
    assert chart.selectable
    assert chart.proto.selection_params == ("brush", "pick")
    assert len(next(iter(chart.spec["datasets"].values()))) == 10_000
    assert at.markdown[0].value == "{} {}"
    chart.select({"brush": {"x": [1, 5], "y": [0, 2.5]}, "pick": [{"x": 3}]}).run()
    assert at.markdown[0].value == "{'x': [1, 5], 'y': [0, 2.5]} [{'x': 3}]"
    assert at.session_state.chart.selection.pick == [{"x": 3}]
    # Invalid wire values are dropped; the last valid selection stays.
    for bad in ({"other": {}}, {"brush": "x"}, {"pick": [{"x": {"nested": 1}}]}, [1, 2]):
        at.vega_lite_chart[0].set_value(bad).run()
        assert at.markdown[0].value == "{'x': [1, 5], 'y': [0, 2.5]} [{'x': 3}]", bad


def test_selection_mode_limits_the_params_and_callbacks_run() -> None:
    def app() -> None:
        import pandas as pd

        import bastion as st

        st.session_state.setdefault("calls", 0)

        def changed() -> None:
            st.session_state.calls += 1

        spec = {
            "mark": "point",
            "params": [{"name": "a", "select": "interval"}, {"name": "b", "select": "point"}],
            "encoding": {"x": {"field": "x", "type": "quantitative"}},
        }
        ev = st.vega_lite_chart(
            pd.DataFrame({"x": [1, 2]}), spec, on_select=changed, selection_mode="b"
        )
        st.write(f"{sorted(ev.selection)} {st.session_state.calls}")

    at = run(app)
    assert at.vega_lite_chart[0].proto.selection_params == ("b",)
    assert at.markdown[0].value == "['b'] 0"
    at.vega_lite_chart[0].select({"b": [{"x": 2}]}).run()
    assert at.markdown[0].value == "['b'] 1"
    at.vega_lite_chart[0].select({"a": {"x": [1, 2]}}).run()  # not a selected mode: dropped
    assert at.markdown[0].value == "['b'] 1"


def test_altair_theme_and_vega_lite_spec_first() -> None:
    def app() -> None:
        import bastion as st

        st.vega_lite_chart(
            {"mark": "bar", "data": {"values": [{"a": 1}]}, "encoding": {"x": {"field": "a"}}},
            theme=None,
        )

    chart = run(app).vega_lite_chart[0]
    assert chart.proto.theme is None
    assert chart.spec["data"] == {"values": [{"a": 1}]}


def test_plotly_figure_and_selection() -> None:
    pytest.importorskip("plotly")

    def app() -> None:
        import plotly.graph_objects as go

        import bastion as st

        fig = go.Figure(go.Scatter(x=[1, 2, 3], y=[4, 5, 6]))
        ev = st.plotly_chart(fig, on_select="rerun", selection_mode=("points", "box"))
        st.write(repr(ev.selection.point_indices), repr(ev.selection.box))

    at = run(app)
    chart = at.plotly_chart[0]
    assert chart.figure["data"][0]["y"] == [4, 5, 6]
    assert chart.proto.selection_modes == ("points", "box")
    chart.select(
        [{"curve_number": 0, "point_index": 1, "x": 2, "y": 5}],
        [{"x0": 1, "x1": 2.5, "y0": 3, "y1": 6}],
    ).run()
    assert at.markdown[0].value == ("[1] [{'xref': 'x', 'yref': 'y', 'x': [1, 2.5], 'y': [3, 6]}]")
    at.plotly_chart[0].set_value({"points": [{"evil": "<script>"}], "box": []}).run()
    assert at.markdown[0].value.startswith("[1] ")  # dropped


def test_pyplot_renders_png_and_clears_the_current_figure() -> None:
    pytest.importorskip("matplotlib")

    def app() -> None:
        import matplotlib.pyplot as plt

        import bastion as st

        plt.plot([1, 2, 3])
        st.pyplot()
        st.write(f"axes after: {len(plt.gcf().axes)}")

    at = run(app)
    img = at.get("pyplot")[0]
    assert img.png.startswith(b"\x89PNG")
    assert img.src.startswith("_bastion/media/")
    assert img.src.endswith(".png")
    assert at.markdown[0].value == "axes after: 0"


def test_pyplot_figures_do_not_mix_between_sessions() -> None:
    pytest.importorskip("matplotlib")
    sync = types.ModuleType("_charts_test_sync")
    sync.started, sync.release = threading.Event(), threading.Event()  # type: ignore[attr-defined]
    started, release = sync.started, sync.release  # type: ignore[attr-defined]
    sys.modules[sync.__name__] = sync

    def drawer() -> None:
        import _charts_test_sync as sync  # type: ignore[import-not-found]
        import matplotlib.pyplot as plt

        import bastion as st

        plt.plot([1, 2, 3])  # draws on this session's current figure, then waits
        sync.started.set()
        sync.release.wait(30)
        st.write(f"mine: {len(plt.gcf().axes[0].lines)}")

    def other() -> None:
        import matplotlib.pyplot as plt

        import bastion as st

        st.write(f"other sees: {len(plt.gcf().axes)}")
        plt.close("all")

    results: dict[str, Any] = {}

    def run_drawer() -> None:
        results["a"] = run(drawer)

    run(other)  # pyplot loaded: the per-session registry is installed before the next runs
    t = threading.Thread(target=run_drawer)
    t.start()
    assert started.wait(TIMEOUT)
    b = run(other)
    release.set()
    t.join(TIMEOUT)
    del sys.modules[sync.__name__]
    assert b.markdown[0].value == "other sees: 0"
    assert results["a"].markdown[0].value == "mine: 1"


def test_map_spec_uses_a_projection_and_no_tiles() -> None:
    def app() -> None:
        import bastion as st

        st.map({"LAT": [1.5, 2.5], "lon": [3.0, 4.0]}, color="#00ff00", size=30)

    chart = run(app).vega_lite_chart[0]
    spec = chart.spec
    assert chart.kind == "map"
    assert spec["projection"] == {"type": "mercator"}
    assert spec["encoding"]["latitude"]["field"] == "LAT"
    assert "url" not in json.dumps(spec)


def test_gallery_page_runs_and_reports_a_brush() -> None:
    pytest.importorskip("plotly")
    from pathlib import Path

    import bastion.server.hello as hello

    page = Path(hello.__file__).parent / "pages" / "charts.py"
    at = AppTest.from_file(page, default_timeout=TIMEOUT).run()
    assert not at.exception, at.exception
    assert [c.kind for c in at.vega_lite_chart] == ["line", "altair", "map"]
    assert at.get("pyplot")[0].png.startswith(b"\x89PNG")
    at.vega_lite_chart[1].select({"brush": {"power": [100.0, 150.0], "weight": [0, 9000]}}).run()
    assert "Selected power between 100 and 150." in [m.value for m in at.markdown]
    at.radio[0].set_value("bar").run()
    assert at.vega_lite_chart[0].kind == "bar"
