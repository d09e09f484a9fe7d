import bastion as st

st.title("Widgets")
if "clicks" not in st.session_state:
    st.session_state.clicks = 0
if st.button("Click me", key="btn"):
    st.session_state.clicks += 1
st.write(f"clicks: {st.session_state.clicks}")

name = st.text_input("Name", key="name")
st.write(f"hello {name}")

level = st.slider("Level", 0, 100, 10, key="level")
st.write(f"level is {level}")

agree = st.checkbox("Agree", key="agree")
if agree:
    st.success("agreed")

fruit = st.selectbox("Fruit", ["apple", "banana", "cherry"], key="fruit")
st.write(f"fruit: {fruit}")

picked = st.multiselect("Colors", ["red", "green", "blue"], key="colors")
st.write(f"colors: {','.join(picked) or 'none'}")

size = st.radio("Size", ["S", "M", "L"], key="size")
st.write(f"size: {size}")

count = st.number_input("Count", min_value=0, max_value=10, value=3, key="count")
st.write(f"count: {count}")

with st.form("f"):
    city = st.text_input("City", key="city")
    submitted = st.form_submit_button("Send")
st.write(f"city: {city if submitted else '-'}")

with st.sidebar:
    st.write("in the sidebar")

st.markdown(
    '<img src=x onerror="window.__xss=1"> <script>window.__xss=2</script> **bold**',
    unsafe_allow_html=True,
)
