"""Gallery page: multipage apps (st.navigation, st.Page, st.page_link, st.switch_page)."""

import bastion as st

st.title("Pages 🧭")
st.markdown(
    "This gallery is itself a multipage app: its main script declares the pages with "
    "`st.navigation` and `st.Page`, and each page is a script of its own. Every page has its "
    "own URL, so you can bookmark it, and the browser's back and forward buttons work."
)
st.code(
    'pages = [st.Page("intro.py", title="Hello", icon="👋"), st.Page("pages/data.py")]\n'
    "st.navigation(pages).run()",
    language="python",
)
st.subheader("Links to pages")
st.page_link("intro.py", label="Back to the tour", icon="👋")
st.page_link("https://docs.streamlit.io/develop/api-reference/navigation", label="Streamlit's docs")
st.subheader("Switching in code")
if st.button("Take me to the tour", key="to_tour"):
    st.switch_page("intro.py")
st.caption(
    "A page's widgets are its own: going to another page drops them, as in Streamlit; values "
    "you keep in `st.session_state` under your own keys stay."
)
