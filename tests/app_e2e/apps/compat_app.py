"""graphviz_chart, pdf (a PDF carrying JavaScript and HTML), datetime_input and st.bottom."""

import datetime

import bastion as st

st.graphviz_chart("digraph { rankdir=LR; hello -> world }")

# A PDF whose OpenAction runs JavaScript, followed by HTML with a script that would write into
# the app's page if anything ever ran it in the app's origin.
EVIL = (
    b"%PDF-1.4\n"
    b"1 0 obj<</Type/Catalog/Pages 2 0 R/OpenAction 4 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"4 0 obj<</S/JavaScript/JS(app.alert('pdf js');"
    b" try{parent.document.title='pwned'}catch(e){})>>"
    b"endobj\n"
    b"<html><script>parent.document.title='pwned';parent.pwned=1</script></html>\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
st.pdf(EVIL, height=300)

when = st.datetime_input(
    "Meeting",
    datetime.datetime(2024, 5, 1, 9, 30),
    min_value=datetime.datetime(2024, 1, 1),
    max_value=datetime.datetime(2024, 12, 31, 23, 59),
    step=60,
)
st.write(f"meeting at {when.isoformat() if when else None}")
st.bottom.write("pinned at the bottom")

clip = st.audio_input("Voice note")
if clip is not None:
    head = clip.read(28)
    rate = int.from_bytes(head[24:28], "little")
    st.write(f"got {clip.name} {clip.type} riff={head[:4] == b'RIFF'} rate={rate}")
