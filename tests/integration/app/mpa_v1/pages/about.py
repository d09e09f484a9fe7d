import bastion as st

st.title("About")
