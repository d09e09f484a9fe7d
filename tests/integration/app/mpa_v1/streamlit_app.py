import bastion as st

st.title("Home")
st.session_state.setdefault("visits", 0)
st.session_state.visits += 1
n = st.slider("n", 0, 10, 3, key="home_n")
st.write(f"n is {n}")
st.page_link("pages/2_📈_Plot_demo.py", label="To the plot")
st.page_link("https://example.org/docs", label="Docs")
if st.button("Go to data"):
    st.switch_page("pages/10_data_view.py")
