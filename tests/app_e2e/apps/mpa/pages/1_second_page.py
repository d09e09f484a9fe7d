import bastion as st

st.title("Second page")
value = st.text_input("Second input", key="second")
st.write(f"typed: {value}")
