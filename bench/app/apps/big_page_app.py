# A long page: one button and 1,000 lines. Each click reruns the script and changes one line.
import bastion as st

if "n" not in st.session_state:
    st.session_state.n = 0
if st.button("Add one", key="add"):
    st.session_state.n += 1
st.markdown(f"count {st.session_state.n}")
for i in range(1000):
    st.markdown(f"line {i}")
