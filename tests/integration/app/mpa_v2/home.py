import bastion as st

st.title("Home v2")
st.text_input("Name", key="name")
if st.button("Open report"):
    st.switch_page("pages/report.py")
