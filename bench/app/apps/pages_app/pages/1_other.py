import bastion as st

st.title("Other")
for i in range(10):
    st.markdown(f"row **{i}**")
