import bastion as st

st.title("Main page")
st.session_state.setdefault("count", 0)
st.session_state.count += 1
st.write(f"runs: {st.session_state.count}")
st.page_link("pages/2_🎯_Target.py", label="Go to target")
if st.button("Switch to second"):
    st.switch_page("pages/1_second_page.py")
