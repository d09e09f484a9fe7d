"""`bastion hello`: a first tour of Bastion apps. It grows as the st.* API grows."""

import bastion as st

st.set_page_config(page_title="Hello, Bastion", page_icon="👋", layout="centered")

st.title("Welcome to Bastion! 👋")
st.markdown(
    "Bastion runs **Streamlit-style scripts** unchanged: the script reruns top to bottom on each "
    "interaction, and everything you see is sent as sanitized HTML. "
    "Try the widgets below and in the sidebar."
)

with st.sidebar:
    st.header("Settings")
    name = st.text_input("Your name", "World", key="name")
    mood = st.radio("Mood", ["🙂 happy", "😐 neutral", "🚀 excited"], key="mood")
    st.toggle("Show details", key="details")

st.subheader(f"Hello, {name}!")
st.caption(f"You are feeling {mood}.")

col1, col2, col3 = st.columns(3)
count = st.session_state.setdefault("count", 0)
col1.metric("Clicks", count, delta=1 if count else None)
if col2.button("Click me", type="primary"):
    st.session_state.count += 1
    st.rerun()
if col3.button("Reset"):
    st.session_state.count = 0
    st.rerun()

level = st.slider("Level", 0, 100, 42, key="level")
st.progress(level, text=f"Level {level}%")

flavours = st.multiselect("Flavours", ["vanilla", "chocolate", "strawberry"], ["vanilla"])
size = st.selectbox("Size", ["small", "medium", "large"], index=1)
st.write(f"A **{size}** cone with {', '.join(flavours) or 'nothing'}.")

with st.form("feedback", clear_on_submit=True):
    st.write("Tell us something")
    text = st.text_area("Feedback")
    stars = st.select_slider("Stars", options=[1, 2, 3, 4, 5], value=5)
    if st.form_submit_button("Send"):
        st.success(f"Thanks! {stars}★ — {text or '(no text)'}")

tab1, tab2 = st.tabs(["Code", "Data"])
with tab1, st.echo():
    total = sum(range(level + 1))
    st.write(f"The sum of 0..{level} is {total}.")
with tab2:
    st.json({"name": name, "level": level, "flavours": flavours})

if st.session_state.details:
    with st.expander("How this page works", expanded=True):
        st.info("Each interaction reruns this script; unchanged elements cost a few bytes.")
        st.code("import bastion as st\nst.title('Hello')", language="python")
