import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

import bastion as st

N = 1_000_000
n = pa.array(np.arange(N))
big = pa.table(
    {
        "n": n,
        "sq": pa.array((np.arange(N) % 1000) ** 2),
        "label": pc.binary_join_element_wise("r", pc.cast(n, pa.string()), ""),
    }
)
st.dataframe(big, height=400, key="big")

xss = "<img src=x onerror=window.__xss=1>"
small = pd.DataFrame({"name": ["a", "b", xss], "qty": [1, 2, 3], "ok": [True, False, True]})
edited = st.data_editor(small, key="ed")
st.write(f"total qty: {int(edited['qty'].sum())}")
