# 1,000 static elements and a slider. FRAGMENT=1: the slider lives in a fragment, so moving it
# reruns only the fragment; otherwise every move reruns the whole script.
import os

import bastion as st

st.title("Fragment bench")
for i in range(1000):
    st.markdown(f"static line {i}")


def panel() -> None:
    v = st.slider("Level", 0, 100, 0, key="level")
    st.markdown(f"level is {v}")


if os.environ.get("FRAGMENT") == "1":
    st.fragment(panel)()
else:
    panel()
