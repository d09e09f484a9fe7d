"""st.badge: a small coloured label, the same span as markdown's `:color-badge[...]`."""

from __future__ import annotations

from bastion.app import markup
from bastion.app.container import DeltaGenerator, emit
from bastion.app.errors import InvalidArgument
from bastion.app.widgets import help_html
from bastion.protocol.app import Markdown

_COLORS = ("blue", "green", "orange", "red", "violet", "gray", "grey", "primary")


def badge(
    label: str, *, icon: str | None = None, color: str = "blue", help: str | None = None
) -> DeltaGenerator:
    if not isinstance(label, str):
        raise InvalidArgument("badge", "label", "a str", label)
    if color not in _COLORS:
        raise InvalidArgument("badge", "color", f"one of {', '.join(_COLORS)}", color)
    if icon is not None and not isinstance(icon, str):
        raise InvalidArgument("badge", "icon", "an emoji (a str) or None", icon)
    # Brackets would end the directive early; the label is markdown like Streamlit's.
    text = label.replace("[", "(").replace("]", ")")
    body = f":{color}-badge[{icon + ' ' if icon else ''}{text}]"
    return emit(
        "badge",
        Markdown(body_html=markup.inline(body), help_html=help_html(help, "badge")),
        label,
    )
