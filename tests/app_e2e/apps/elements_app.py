import bastion as st

st.title("All elements")
st.header("A header", divider="blue")
st.subheader("A subheader")
st.markdown("Some *markdown* with a [link](https://example.com) and `code`.")
st.caption("a caption")
st.text("preformatted   text")
st.code("print('hi')\nprint('there')", language="python", line_numbers=True)
st.json({"a": 1, "b": [True, None, "x"]})
st.divider()
st.metric("Temperature", "21 °C", delta="1.5 °C")
st.success("it worked")
st.info("for your information")
st.warning("careful")
st.error("it failed")
st.exception(ValueError("shown, not raised"))
st.progress(40, text="loading")
with st.spinner("working"):
    pass
st.write({"written": "dict"})

left, right = st.columns([2, 1])
left.write("left column")
right.write("right column")
with st.container(border=True):
    st.write("in a container")
with st.expander("More", expanded=True):
    st.write("inside the expander")
tab_a, tab_b = st.tabs(["Tab A", "Tab B"])
tab_a.write("content A")
tab_b.write("content B")
slot = st.empty()
slot.write("placeholder filled")

flag = st.toggle("Dark mode", key="toggle")
st.write(f"toggle: {flag}")
size = st.select_slider("Size", options=["S", "M", "L", "XL"], value="M", key="size")
st.write(f"size: {size}")
low, high = st.slider("Range", 0, 10, (2, 8), key="range")
st.write(f"range: {low}-{high}")
story = st.text_area("Story", key="story")
st.write(f"story: {story}")
