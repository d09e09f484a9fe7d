import math
import struct
import wave
from pathlib import Path

from PIL import Image

import bastion as st

st.title("Media")
st.image(Image.new("RGB", (40, 30), "red"), caption="a red box")

up = st.file_uploader("Upload a file", key="up")
if up is not None:
    st.write(f"got {up.name} ({up.size} bytes)")
    st.download_button("Download it back", up.getvalue(), file_name="back-" + up.name)

# 60 s of a quiet tone, written once into the working directory (the test's temp dir): large
# enough that a seek far into it needs a byte range the first request did not fetch.
tone = Path.cwd() / "tone.wav"
if not tone.exists():
    rate = 22050
    frames = b"".join(
        struct.pack("<h", int(2000 * math.sin(i * 2 * math.pi * 440 / rate))) for i in range(rate)
    )
    with wave.open(str(tone), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames * 60)
st.video(tone, start_time=1)
