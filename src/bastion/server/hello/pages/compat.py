"""Gallery: the newer names (st.context, datetime_input, audio_input, graphviz_chart, pdf,
st.bottom)."""

import datetime
import shutil

import bastion as st

st.title("Context, graphs, documents")

st.header("Who is looking")
ctx = st.context
st.write(
    f"Locale **{ctx.locale or 'unknown'}**, time zone **{ctx.timezone or 'unknown'}**, "
    f"theme **{ctx.theme.type or 'unknown'}**; browser: `{ctx.headers.get('user-agent', '?')}`."
)
st.caption("st.context never shows the app's own cookies or any Authorization header.")

st.header("When")
when = st.datetime_input("Meeting", datetime.datetime(2024, 5, 1, 9, 30), step=1800)
st.write(f"Meeting on {when:%A %d %B %Y at %H:%M}." if when else "No meeting.")

st.header("A graph")
if shutil.which("dot"):
    st.graphviz_chart(
        """
        digraph {
          rankdir=LR; node [shape=box, style=rounded]
          browser -> server [label="WebSocket"]
          server -> script [label="rerun"]
          script -> server [label="deltas"]
          server -> browser
        }
        """
    )
else:
    st.info("Install Graphviz (`apt-get install graphviz`) to see st.graphviz_chart.")

st.header("A document")
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 120]/Contents 4 0 R"
    b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
    b"4 0 obj<</Length 44>>stream\n"
    b"BT /F1 18 Tf 20 60 Td (Hello from st.pdf) Tj ET\nendstream endobj\n"
    b"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
st.pdf(PDF, height=240)

st.header("Your voice")
clip = st.audio_input("Record a note")
if clip is not None:
    st.audio(clip)
    st.caption(f"{clip.name}: {clip.size} bytes of {clip.type}")

st.bottom.caption("st.bottom: this line stays at the bottom of the window.")
