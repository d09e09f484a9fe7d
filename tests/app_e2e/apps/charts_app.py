import altair as alt
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import plotly.graph_objects as go

import bastion as st

XSS = '<img src=x onerror="window.__xss=1">'

st.title("Charts")
df = pd.DataFrame({"a": [1, 3, 2, 5], "b": [2, 1, 4, 3], "c": [0.5, 2.5, 1.5, 3.5]})
st.line_chart(df)
st.bar_chart(df, y=["a", "b"])
st.area_chart(df, y="a")
st.scatter_chart(df, x="a", y="b", size="c")

points = pd.DataFrame({"x": np.arange(20), "y": np.arange(20) % 7, "tip": [XSS] * 20})
chart = (
    alt.Chart(points, title=XSS)
    .mark_circle(size=200)
    .encode(x="x", y="y", tooltip=["tip"])
    .add_params(alt.selection_interval(name="brush", encodings=["x"]))
)
event = st.altair_chart(chart, on_select="rerun", key="pick", use_container_width=True)
brush = event.selection.brush
st.write(f"brushed: {sorted(brush) if brush else 'nothing'}")
st.write(f"in state: {'selection' in st.session_state.pick}")

st.vega_lite_chart(
    points,
    {
        "title": XSS,
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": "x", "type": "ordinal"},
            "y": {"field": "y", "type": "quantitative"},
            "tooltip": [{"field": "tip"}],
        },
    },
)
fig = go.Figure(
    go.Scatter(x=[1, 2, 3], y=[3, 1, 2], mode="markers"), layout={"title": {"text": XSS}}
)
st.plotly_chart(fig)

f, ax = plt.subplots(figsize=(3, 2))
ax.plot([1, 2, 3], [1, 4, 9])
st.pyplot(f)
st.map(pd.DataFrame({"lat": [48.85, 51.5, 40.7], "lon": [2.35, -0.12, -74.0]}))
st.write("done")
