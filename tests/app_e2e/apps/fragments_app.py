import bastion as st

ss = st.session_state
ss.setdefault("outer_runs", 0)
ss.setdefault("frag_clicks", 0)
ss.outer_runs += 1
st.write(f"outer runs: {ss.outer_runs}")
st.button("Full rerun")


@st.fragment
def counter() -> None:
    if st.button("Inside fragment"):
        ss.frag_clicks += 1
    st.write(f"fragment clicks: {ss.frag_clicks}")


counter()


@st.dialog("Your name")
def ask() -> None:
    name = st.text_input("Name")
    st.write(f"typed: {name}")
    if st.button("Save"):
        ss.saved = name
        st.rerun()


if st.button("Open dialog"):
    ask()
st.write(f"saved: {ss.get('saved', '-')}")

if st.button("Toast me"):
    st.toast("Hello from a toast", icon="🍞")

with st.popover("More"):
    st.write("inside the popover")

with st.status("Working", expanded=True) as s:
    st.write("step one")
