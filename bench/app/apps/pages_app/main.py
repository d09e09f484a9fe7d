import bastion as st

st.title("Home")
for i in range(10):
    st.slider(f"s{i}", 0, 100, i)
st.page_link("pages/1_other.py", label="Other")
