import bastion as st

JPEG = b"\xff\xd8\xff"
pic = st.camera_input("Take a picture")
if pic is not None:
    data = pic.getvalue()
    st.write(f"photo {pic.name} {pic.type} {len(data)} bytes jpeg={data[:3] == JPEG}")
