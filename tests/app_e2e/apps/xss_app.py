"""Renders the whole XSS corpus through the text paths named by `?paths=a,b` (see xss_corpus)."""

from xss_corpus import PAYLOADS, TEXT_PATHS

import bastion as st

names = [n for n in st.query_params.get("paths", "").split(",") if n]
unknown = [n for n in names if n not in TEXT_PATHS]
if not names or unknown:
    st.write(f"unknown paths {unknown!r}; known: {', '.join(sorted(TEXT_PATHS))}")
    st.stop()
for name in names:
    with st.container():
        TEXT_PATHS[name](st, PAYLOADS)
st.write("XSS-PATH-DONE")
