"""Charts: the built-in charts, an Altair chart whose brush comes back as state, Plotly,
matplotlib and a map (no tiles: Bastion's charts load nothing from the network)."""

import altair as alt
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import plotly.express as px

import bastion as st

st.title("Charts")
rng = np.random.default_rng(7)
df = pd.DataFrame(rng.standard_normal((60, 3)).cumsum(axis=0), columns=["a", "b", "c"])

st.subheader("Built-in charts")
kind = st.radio("Kind", ["line", "area", "bar", "scatter"], horizontal=True)
if kind == "line":
    st.line_chart(df, x_label="step")
elif kind == "area":
    st.area_chart(df.abs(), stack="normalize")
elif kind == "bar":
    st.bar_chart(df.head(12), stack=st.toggle("Stacked", value=True))
else:
    st.scatter_chart(df, x="a", y="b", size="c", color="#0068c9")

st.subheader("Altair, with a selection")
cars = pd.DataFrame(
    {
        "power": rng.uniform(50, 250, 200),
        "weight": rng.uniform(1500, 5000, 200),
        "origin": rng.choice(["Europe", "Japan", "USA"], 200),
    }
)
brush = alt.selection_interval(name="brush")
chart = (
    alt.Chart(cars)
    .mark_circle(size=60)
    .encode(
        x="power",
        y="weight",
        color=alt.condition(brush, "origin", alt.value("lightgray")),
        tooltip=["origin", "power", "weight"],
    )
    .add_params(brush)
)
event = st.altair_chart(chart, on_select="rerun", use_container_width=True)
selected = event.selection.brush
if selected:
    lo, hi = selected["power"]
    st.write(f"Selected power between {lo:.0f} and {hi:.0f}.")
else:
    st.caption("Drag on the chart to select points.")

st.subheader("Plotly")
st.plotly_chart(px.histogram(cars, x="power", color="origin", nbins=20))

st.subheader("Matplotlib")
fig, ax = plt.subplots(figsize=(6, 2.5))
ax.plot(df.index, df["a"], label="a")
ax.plot(df.index, df["b"], label="b")
ax.legend()
st.pyplot(fig)

st.subheader("Map")
st.map(
    pd.DataFrame(
        {
            "lat": 48.85 + rng.standard_normal(100) * 0.05,
            "lon": 2.35 + rng.standard_normal(100) * 0.08,
        }
    ),
    size=20,
)
