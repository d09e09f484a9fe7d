"""Gallery: fragments, dialogs, popovers, status containers and toasts."""

import time

import bastion as st

st.title("Fragments and overlays")
ss = st.session_state
ss.setdefault("page_runs", 0)
ss.page_runs += 1
st.caption(f"This page's script has run {ss.page_runs} times.")

st.header("Fragments")
st.markdown(
    "A widget inside an `@st.fragment` reruns **only that function**: the counter above stays "
    "put while you click below."
)


@st.fragment
def dice() -> None:
    ss.setdefault("rolls", [])
    if st.button("Roll a die", key="roll"):
        ss.rolls.append(1 + int(time.time() * 1000) % 6)
    st.write(f"Rolls so far: {ss.rolls or 'none'}")
    if len(ss.rolls) >= 5 and st.button("Start over (this fragment only)", key="reset_rolls"):
        ss.rolls = []
        st.rerun(scope="fragment")


dice()


@st.fragment(run_every="1s")
def clock() -> None:
    st.metric("Server time", time.strftime("%H:%M:%S"))


if st.toggle("Show a live clock (a fragment with run_every)", key="clock_on"):
    clock()

st.header("Dialog")


@st.dialog("Rate this gallery", width="medium")
def rate() -> None:
    stars = st.slider("Stars", 1, 5, 4, key="stars")
    comment = st.text_input("A comment", key="comment")
    st.write("⭐" * stars)
    if st.button("Send", key="send_rating"):
        ss.rating = (stars, comment)
        st.rerun()


if st.button("Open the dialog", key="open_dialog"):
    rate()
if "rating" in ss:
    st.success(f"Thanks! {ss.rating[0]} stars. {ss.rating[1]}")

st.header("Popover")
with st.popover("Filters", icon="⚙"):
    sizes = st.multiselect("Sizes", ["S", "M", "L"], ["M"], key="sizes")
    st.checkbox("In stock only", key="in_stock")
st.write(f"Showing sizes: {', '.join(sizes) or 'none'}")

st.header("Status and toast")
if st.button("Run a three-step job", key="job"):
    with st.status("Working…", expanded=True) as job:
        for step in ("Fetching data", "Crunching numbers", "Writing the report"):
            st.write(step)
            time.sleep(0.4)
        job.update(label="Job done", expanded=False)
    st.toast("The job finished", icon="✅")
if st.button("Toast twice", key="toast2"):
    st.toast("First toast")
    st.toast("Second toast, stacked", icon="🍞")
