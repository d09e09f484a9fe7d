"""Gallery: a dataframe explorer (st.dataframe, st.data_editor, st.table, st.column_config)."""

import numpy as np
import pandas as pd

import bastion as st

st.title("Dataframe explorer")
st.caption("A million rows, fetched in chunks as you scroll; click a header to sort.")

rows = st.select_slider("Rows", options=[1_000, 100_000, 1_000_000], value=100_000)
rng = np.random.default_rng(7)
cities = np.array(["Lisbon", "Oslo", "Lagos", "Lima", "Osaka", "Perth"])
df = pd.DataFrame(
    {
        "city": cities[rng.integers(0, len(cities), rows)],
        "sales": rng.gamma(2.0, 50.0, rows).round(2),
        "share": rng.random(rows),
        "active": rng.random(rows) > 0.3,
        "since": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1500, rows), "D"),
    }
)
city = st.multiselect("Cities", list(cities), default=list(cities))
shown = df[df["city"].isin(city)]
event = st.dataframe(
    shown,
    height=360,
    on_select="rerun",
    selection_mode="multi-row",
    key="explorer",
    column_config={
        "sales": st.column_config.NumberColumn("Sales ($)", format="$%.2f"),
        "share": st.column_config.ProgressColumn("Share", min_value=0, max_value=1),
        "since": st.column_config.DatetimeColumn("Customer since"),
    },
)
picked = event.selection.rows
st.write(f"{len(shown):,} rows shown; {len(picked)} selected.")
if picked:
    st.table(shown.iloc[picked[:20]])

st.subheader("Edit a small table")
plan = pd.DataFrame(
    {
        "task": ["Write", "Review", "Ship"],
        "owner": ["ana", "bo", "cy"],
        "hours": [3, 1, 2],
        "done": [True, False, False],
        "trend": [[1, 3, 2, 5], [2, 2, 3, 1], [0, 1, 1, 4]],
    }
)
edited = st.data_editor(
    plan,
    num_rows="dynamic",
    key="plan",
    column_config={
        "owner": st.column_config.SelectboxColumn(options=["ana", "bo", "cy", "di"]),
        "hours": st.column_config.NumberColumn(min_value=0, max_value=40, step=1),
        "trend": st.column_config.LineChartColumn("Trend"),
    },
    disabled=["trend"],
)
st.metric("Hours planned", int(edited["hours"].fillna(0).sum()))
