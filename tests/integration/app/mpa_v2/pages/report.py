import bastion as st

st.title("Report")
st.write(f"for {st.session_state.get('name', '?')}")
