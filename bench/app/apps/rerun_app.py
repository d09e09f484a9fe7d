# The benchmark app, run unchanged by both servers (run.py swaps only this import line).
import bastion as st

st.title("Bench app")
values = [st.slider(f"Slider {i}", 0, 100, 50, key=f"s{i}") for i in range(10)]
for i in range(10):
    st.markdown(f"Row **{i}**: value {values[i]}")
st.write("Sum:", sum(values))
