"""The gallery's first page: widgets, forms and layout in one tour (`bastion hello`)."""

import bastion as st

st.set_page_config(page_title="Hello, Bastion", page_icon="👋", layout="centered")

st.title("Hello, Bastion 👋")
st.markdown(
    "Bastion runs **Streamlit-style apps** unchanged (`import bastion as st`) on a faster, "
    "safer engine. Change a widget and the script reruns top to bottom; only what changed "
    "travels to this page."
)

with st.sidebar:
    st.header("Settings")
    name = st.text_input("Your name", value="world", key="name")
    mood = st.radio("Mood", ["🙂 happy", "😐 fine", "🚀 ready"], key="mood")
    st.caption("Widgets in the sidebar rerun the app too.")

st.subheader(f"Hi, {name or 'stranger'}! You feel {mood.split(' ', 1)[1]}.")

st.header("Widgets")
left, right = st.columns(2)
with left:
    n = st.slider("How many rows?", 1, 20, 5, key="rows")
    scale = st.select_slider("Scale", options=["x1", "x2", "x10"], value="x1", key="scale")
    factor = int(scale[1:])
with right:
    flavours = st.multiselect(
        "Flavours", ["vanilla", "chocolate", "strawberry", "mint"], ["vanilla"], key="flavours"
    )
    unit = st.selectbox("Unit", ["apples", "pears", "plums"], key="unit")
    show_table = st.toggle("Show the numbers as text", value=True, key="show_text")

total = sum(i * factor for i in range(1, n + 1))
a, b, c = st.columns(3)
a.metric("Rows", n)
b.metric("Total", f"{total} {unit}", delta=f"+{n * factor}")
c.metric("Flavours", len(flavours))
if show_table:
    st.text("\n".join(f"{i:>3} x {factor} = {i * factor} {unit}" for i in range(1, n + 1)))

if st.button("Celebrate", type="primary", key="celebrate"):
    st.balloons()
    st.success("🎉 Done: the button is a one-shot trigger, true for this run only.")

st.header("Forms")
with st.form("order", clear_on_submit=False):
    st.write("Changes inside a form wait for the submit button.")
    qty = st.number_input("Quantity", min_value=1, max_value=99, value=2, key="qty")
    note = st.text_area("Note", placeholder="Anything to add?", key="note")
    sent = st.form_submit_button("Place order")
if sent:
    st.info(f"Order placed: {qty} x {unit}. Note: {note or '(none)'}")

st.header("Layout")
tab1, tab2 = st.tabs(["Text", "Code"])
with tab1:
    st.markdown("Markdown is rendered **on the server** and sanitized before it reaches you.")
    st.warning("Raw HTML in markdown is never trusted: `<script>` never runs here.")
with tab2:
    st.code("import bastion as st\n\nst.title('Hello')\nst.slider('x', 0, 10)", language="python")
with st.expander("What is this?"):
    st.write("An expander. Its content reruns with the app like everything else.")
    st.json({"framework": "bastion", "elements": ["title", "slider", "form", "tabs"]})

st.divider()
st.caption("Run your own app with `bastion run app.py`.")
