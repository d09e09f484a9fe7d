"""A declared component (files in ./echo_component) next to a hostile components.html frame that
forges component messages to the page."""

from pathlib import Path

import bastion as st
import bastion.components.v1 as components

echo = components.declare_component("echo", path=Path(__file__).parent / "echo_component")
value = echo(greeting="hello", key="echo", default=None)
st.write(f"component value: {value}")
components.html(
    """
<script>
  // Forge every component message at the page: none may be accepted (wrong event.source).
  const forge = () => {
    for (const type of ["streamlit:setComponentValue", "streamlit:setFrameHeight"]) {
      window.parent.postMessage(
        { isStreamlitMessage: true, type, value: "forged", height: 9999 }, "*");
    }
  };
  forge();
  setInterval(forge, 50);
</script>
""",
    height=50,
)
st.write("components ready")
