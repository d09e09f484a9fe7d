"""Embedded content: sanitized HTML (`st.html`) and sandboxed frames (`st.components.v1`).

A frame's document never shares the app's origin: the iframe is sandboxed with `allow-scripts`
only (never `allow-same-origin`), and the server sends same-origin frame documents with a CSP
`sandbox` directive too, so they are opaque-origin even when opened directly.
"""

from __future__ import annotations

from bastion.protocol.app._base import _El


class Html(_El, frozen=True, tag="html"):
    body_html: str  # sanitized on the server with the same allow-list as markdown


class Frame(_El, frozen=True, tag="frame"):
    """An iframe: `components.html` (src is the server's frame URL for that HTML), `iframe(url)`
    (an http/https URL), or a declared component (`component` is set and it is a widget)."""

    src: str
    height: int | None = None
    width: int | None = None
    scrolling: bool = False
    tab_index: int | None = None
    title: str = ""
    component: str | None = None  # a declared component's name: speaks the component messages
    id: str | None = None  # its widget id
    args_json: str = "{}"  # render args, JSON text (sent to the frame in `streamlit:render`)
    disabled: bool = False
    form_id: str | None = None
