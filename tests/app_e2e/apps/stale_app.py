import time

import bastion as st

if st.button("Slow run", key="slow"):
    st.write("first")
    time.sleep(1.5)
    st.write("after the pause")
else:
    st.write("idle A")
    st.write("idle B")
    st.write("idle C")
