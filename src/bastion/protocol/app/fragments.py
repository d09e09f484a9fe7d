"""Fragments and overlays: the fragment and dialog blocks a partial rerun writes into, popover and
status blocks, and the toast event (not a tree node: toasts outlive the run that showed them)."""

from __future__ import annotations

from typing import Literal

from bastion.protocol.app._base import _El, _Msg

FragmentWidth = Literal["small", "medium", "large"]
StatusState = Literal["running", "complete", "error"]


class Fragment(_El, frozen=True, tag="fragment"):
    """`@st.fragment`: a transparent block holding one fragment function's output.

    A rerun of this fragment (`Rerun.fragment_id`) rewrites only this block's subtree; the client
    applies the stale and removal rules inside it and leaves every other node alone."""

    fragment_id: str


class Dialog(_El, frozen=True, tag="dialog"):
    """`@st.dialog`: a modal whose body is a fragment. `opened` is the run that opened it: a run
    that opens it again sends a new value, which reopens a dialog the user had closed."""

    fragment_id: str
    title_html: str
    opened: int
    width: FragmentWidth = "small"
    dismissible: bool = True
    on_dismiss: Literal["ignore", "rerun"] = "ignore"


class Popover(_El, frozen=True, tag="popover"):
    """`st.popover`: a button that opens a floating panel holding the block's children."""

    label_html: str
    help_html: str | None = None
    icon: str | None = None  # an emoji or short text; plain text
    disabled: bool = False
    use_container_width: bool = False


class Status(_El, frozen=True, tag="status"):
    """`st.status`: an expander with a state icon; `.update()` rewrites the block in place."""

    label_html: str
    state: StatusState = "running"
    expanded: bool = False


class Toast(_Msg, frozen=True, tag="toast"):
    """`st.toast`: a transient notice. A toast with an `id` the client already shows replaces it
    (`msg.toast(...)` updates it); otherwise it stacks. `duration`: seconds; None: until closed."""

    id: str
    body_html: str
    icon: str | None = None
    duration: float | None = 4.0
