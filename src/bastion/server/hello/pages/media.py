"""Media and files: images, audio, video, uploads, downloads, links."""

import io
import math
import struct
import wave

import bastion as st

st.title("Media and files")
st.caption(
    "Images, sound and downloads are served from a per-session media store by unguessable URL; "
    "uploads stream to disk with the size and type limits enforced while reading."
)

st.header("Images")
SVG = (
    "<svg xmlns='http://www.w3.org/2000/svg' width='120' height='80'>"
    "<rect width='120' height='80' rx='12' fill='#ff4b4b'/>"
    "<text x='60' y='48' font-size='20' text-anchor='middle' fill='white'>SVG</text></svg>"
)
try:
    import numpy as np

    x = np.linspace(0, 1, 96)
    gradient = np.stack(
        [np.outer(x, np.ones(96)), np.outer(np.ones(96), x), np.full((96, 96), 0.6)], axis=-1
    )
    st.image([gradient, SVG], caption=["a numpy array", "SVG markup, shown through <img>"])
except ImportError:
    st.image(SVG, caption="SVG markup (install bastion[media] for numpy and PIL images)")

st.header("Sound")


def tone(freq: float = 440.0, seconds: float = 2.0, rate: int = 22050) -> bytes:
    n = int(seconds * rate)
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(i * 2 * math.pi * freq / rate))) for i in range(n)
    )
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return buf.getvalue()


freq = st.slider("Pitch (Hz)", 220, 880, 440, step=110)
st.audio(tone(float(freq)), format="audio/wav", loop=st.checkbox("Loop"))

st.header("Upload and download")
files = st.file_uploader("Text or CSV files", type=["txt", "csv", "md"], accept_multiple_files=True)
for f in files:
    text = f.getvalue().decode("utf-8", errors="replace")
    st.write(f"**{f.name}**: {f.size} bytes, {len(text.splitlines())} lines")
    st.download_button(
        f"Download {f.name} in upper case",
        text.upper(),
        file_name=f"upper-{f.name}",
        key=f"dl-{f.file_id}",
    )
if not files:
    st.info("Upload a text file to get it back in upper case.")

st.header("Links")
st.link_button("Streamlit's API reference", "https://docs.streamlit.io/develop/api-reference")
