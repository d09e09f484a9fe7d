import bastion as st

st.title("Plot")
x = st.slider("n", 0, 10, 7)
st.write(f"plot n is {x}")
