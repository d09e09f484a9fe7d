"""AppTest views of st.html and st.components.v1 elements."""

from __future__ import annotations

from typing import Any

from bastion.app.testing.elements import Element, Widget
from bastion.protocol import app as p


class Html(Element):
    type = "html"

    @property
    def value(self) -> str:
        """The sanitized HTML the browser gets."""
        return str(self.proto.body_html)


class IFrame(Element):
    """`components.v1.html` or `components.v1.iframe`: a sandboxed frame."""

    type = "iframe"

    @property
    def src(self) -> str:
        return str(self.proto.src)


class CustomComponent(Widget):
    """A declared component; `set_value` plays the frame's `setComponentValue`."""

    type = "custom_component"

    @property
    def args(self) -> dict[str, Any]:
        import json

        return dict(json.loads(self.proto.args_json))


BY_ELEMENT: dict[type, type[Element]] = {p.Html: Html}
TYPES: dict[str, tuple[type[Element], ...]] = {
    "html": (Html,),
    "iframe": (IFrame,),
    "custom_component": (CustomComponent,),
}
