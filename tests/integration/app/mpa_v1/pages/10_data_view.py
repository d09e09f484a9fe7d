import bastion as st

st.title("Data")
st.write(f"visits so far: {st.session_state.get('visits')}")
st.page_link("streamlit_app.py", label="Back home", icon="🏠")
