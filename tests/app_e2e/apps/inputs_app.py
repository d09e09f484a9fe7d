import datetime

import bastion as st

st.title("Inputs")
d = st.date_input(
    "Day",
    datetime.date(2024, 5, 1),
    min_value=datetime.date(2024, 1, 1),
    max_value=datetime.date(2024, 12, 31),
)
st.write(f"day is {d.isoformat()}")
c = st.color_picker("Color", "#000000")
st.write(f"color is {c}")
p = st.pills("Fruit", ["apple", "banana", "cherry"])
st.write(f"pill is {p}")
f = st.feedback("stars")
st.write(f"stars: {f}")


@st.cache_data
def square(x: int) -> int:
    st.caption(f"computed {x}")
    return x * x


st.write(f"square is {square(len(p or ''))}")
