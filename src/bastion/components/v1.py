"""`import bastion.components.v1 as components`, as `streamlit.components.v1`.

Everything here renders in a sandboxed iframe (scripts allowed, never the app's origin); see
`bastion.app.elements.embed` and SECURITY.md.
"""

from bastion.app.elements.embed import ComponentFunc as ComponentFunc
from bastion.app.elements.embed import components_html as html
from bastion.app.elements.embed import declare_component as declare_component
from bastion.app.elements.embed import iframe as iframe

__all__ = ["ComponentFunc", "declare_component", "html", "iframe"]
