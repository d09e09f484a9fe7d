import numpy as np
import pandas as pd

import bastion as st

st.title("Chart bench")
rng = np.random.default_rng(0)
n = 10_000
df = pd.DataFrame({"x": np.arange(n), "y": rng.standard_normal(n).cumsum()})
st.line_chart(df, x="x", y="y")
st.bar_chart(df, x="x", y="y")
st.area_chart(df, x="x", y="y")
st.scatter_chart(df, x="x", y="y")
st.write("Charts sent")
