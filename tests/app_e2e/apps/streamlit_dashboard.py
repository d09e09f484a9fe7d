# A typical Streamlit dashboard, as written for Streamlit: only the import line differs.
import numpy as np
import pandas as pd

import bastion as st

st.set_page_config(page_title="Sales dashboard", page_icon="📈", layout="wide")


@st.cache_data
def load_data(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "date": pd.date_range("2024-01-01", periods=n, freq="D"),
            "region": rng.choice(["North", "South", "East", "West"], n),
            "sales": rng.integers(100, 1000, n),
            "units": rng.integers(1, 50, n),
        }
    )


df = load_data(365)

with st.sidebar:
    st.header("Filters")
    all_regions = sorted(df.region.unique())
    regions = st.multiselect("Region", all_regions, default=all_regions)
    start, end = st.date_input("Date range", (df.date.min().date(), df.date.max().date()))
    smooth = st.slider("Smoothing (days)", 1, 30, 7)

filtered = df[df.region.isin(regions) & df.date.dt.date.between(start, end)]

st.title("📈 Sales dashboard")
c1, c2, c3 = st.columns(3)
c1.metric("Revenue", f"${filtered.sales.sum():,}")
c2.metric("Units", f"{filtered.units.sum():,}")
c3.metric("Orders", len(filtered))

tab1, tab2 = st.tabs(["Charts", "Data"])
with tab1:
    daily = filtered.groupby("date").sales.sum().rolling(smooth).mean()
    st.line_chart(daily)
    st.bar_chart(filtered.groupby("region").sales.sum())
with tab2:
    st.dataframe(filtered, use_container_width=True, hide_index=True)
    st.download_button("Download CSV", filtered.to_csv(index=False), "sales.csv", "text/csv")
