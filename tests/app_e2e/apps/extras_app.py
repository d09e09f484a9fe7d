import bastion as st

st.latex(r"\frac{a}{b} = \sqrt{x^2 + y^2}")
st.badge("Fresh", icon="🌱", color="green")
st.space("large")
st.help(st.space)
if st.button("Let it snow"):
    st.snow()
