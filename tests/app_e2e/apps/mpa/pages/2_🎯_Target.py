import bastion as st

st.title("Target page")
st.page_link("main.py", label="Home again", icon="🏠")
