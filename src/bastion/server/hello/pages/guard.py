"""Gallery page: HTML and components, safely (st.html, st.components.v1)."""

import bastion as st

st.title("HTML and components, safely")
st.write(
    "Every piece of text is sanitized on the server. `st.html` keeps formatting and drops "
    "scripts, event handlers and `javascript:` links:"
)
hostile = '<b>bold</b> <img src=x onerror="alert(1)"> <a href="javascript:alert(1)">link</a>'
st.code(hostile, language="html")
st.html(hostile)

st.subheader("components.html: scripts, in a sandbox")
st.write(
    "HTML that must run scripts goes into an iframe with an opaque origin: it cannot read this "
    "page, its cookies or its connection."
)
st.components.v1.html(
    """
<p id="out">script not run</p>
<script>
  let reach = "blocked";
  try { reach = parent.document.title; } catch (e) {}
  document.getElementById("out").textContent =
    "This frame's script ran. Its origin: " + origin + "; the app's page: " + reach + ".";
</script>
""",
    height=60,
)
