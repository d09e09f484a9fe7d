"""Gallery: the newer inputs (dates, times, colors, pills, feedback) and caching."""

import datetime
import time

import bastion as st

st.title("Inputs and caching")

st.header("Dates and times")
left, right = st.columns(2)
with left:
    day = st.date_input("A day", datetime.date(2024, 5, 1), key="day")
    trip = st.date_input(
        "A trip", (datetime.date(2024, 7, 1), datetime.date(2024, 7, 14)), format="DD/MM/YYYY"
    )
with right:
    at = st.time_input("At", datetime.time(9, 30), step=datetime.timedelta(minutes=30))
    color = st.color_picker("Accent color", "#ff4b4b")
nights = (trip[1] - trip[0]).days if len(trip) == 2 else 0
st.write(f"{day:%A %d %B %Y} at {at:%H:%M}; the trip lasts {nights} nights; color {color}.")

st.header("Pills, segmented control, feedback")
topping = st.pills("Toppings", ["🧀 cheese", "🍄 mushroom", "🌶️ chili"], selection_mode="multi")
view = st.segmented_control("View", ["Table", "Chart", "Raw"], default="Table")
st.write(f"Toppings: {', '.join(topping) or 'none'}; view: {view}.")
st.caption("How do you like this page?")
stars = st.feedback("stars")
if stars is not None:
    st.success(f"Thanks for {stars + 1} star{'s' if stars else ''}!")

st.header("Caching")


@st.cache_data(ttl="10m", show_spinner="Computing squares...")
def squares(n: int) -> list[int]:
    time.sleep(0.5)  # something slow: the first call per n takes half a second
    st.caption(f"squares({n}) computed at {datetime.datetime.now():%H:%M:%S}")
    return [i * i for i in range(n)]


@st.cache_resource
def shared_counter() -> dict[str, int]:
    return {"visits": 0}  # one object for every session of this app


n = st.slider("How many squares?", 1, 20, 5)
started = time.perf_counter()
values = squares(n)
values.append(-1)  # cache_data returns a copy: this never reaches the cache
st.write(f"{values[:-1]} in {1000 * (time.perf_counter() - started):.1f} ms")
counter = shared_counter()
counter["visits"] += 1
st.write(f"Reruns across all sessions: {counter['visits']}")
if st.button("Clear the squares cache"):
    squares.clear()
