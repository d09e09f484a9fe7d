"""Popover, status and toast: a floating panel, a labelled progress block, transient notices."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Literal

import msgspec

from bastion.app import context, markup
from bastion.app.container import DeltaGenerator, emit_block
from bastion.app.errors import InvalidArgument, ScriptControl
from bastion.protocol.app import Popover, Status, Toast
from bastion.protocol.app.fragments import StatusState

if TYPE_CHECKING:
    from types import TracebackType

_STATES = ("running", "complete", "error")


def _text(what: str, param: str, value: object, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise InvalidArgument(what, param, "a str" + (" or None" if optional else ""), value)
    return value


def popover(
    label: str,
    *,
    help: str | None = None,
    icon: str | None = None,
    disabled: bool = False,
    use_container_width: bool = False,
    type: Literal["primary", "secondary", "tertiary"] = "secondary",
) -> DeltaGenerator:
    """A button that opens a floating panel; write into the returned container."""
    _text("popover", "label", label)
    _text("popover", "help", help, optional=True)
    _text("popover", "icon", icon, optional=True)
    block = Popover(
        label_html=markup.inline(label),
        help_html=markup.markdown(help) if help else None,
        icon=icon,
        disabled=bool(disabled),
        use_container_width=bool(use_container_width),
    )
    return emit_block("popover", block)


class StatusContainer(DeltaGenerator):
    """`st.status(...)`: a container with a label and a state, updatable in place.

    Used with `with`, it turns "complete" when the block ends, or "error" on an exception."""

    __slots__ = ("_expanded", "_label", "_state")

    def __init__(
        self,
        path: tuple[int, ...],
        label: str,
        state: StatusState,
        expanded: bool,
        form_id: str | None = None,
    ) -> None:
        super().__init__(path, form_id=form_id)
        self._label = label
        self._state: StatusState = state
        self._expanded = expanded

    def update(
        self,
        *,
        label: str | None = None,
        expanded: bool | None = None,
        state: StatusState | None = None,
    ) -> None:
        if label is not None:
            self._label = _text("status.update", "label", label) or ""
        if state is not None:
            if state not in _STATES:
                raise InvalidArgument(
                    "status.update", "state", "'running', 'complete' or 'error'", state
                )
            self._state = state
        if expanded is not None:
            self._expanded = bool(expanded)
        ctx = context.get("status")
        block = Status(
            label_html=markup.inline(self._label), state=self._state, expanded=self._expanded
        )
        # In place, keeping the children (and the cursor that writes them).
        ctx.session.write_node(ctx, self._path, msgspec.json.encode(block), True, None)

    def __enter__(self) -> StatusContainer:
        super().__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        super().__exit__(exc_type, exc, tb)
        ctx = context.peek()
        if ctx is None or ctx.interrupt or (exc is not None and isinstance(exc, ScriptControl)):
            return
        if exc is not None:
            self.update(state="error")
        elif self._state == "running":
            self.update(state="complete")


def status(
    label: str, *, expanded: bool = False, state: StatusState = "running"
) -> StatusContainer:
    _text("status", "label", label)
    if state not in _STATES:
        raise InvalidArgument("status", "state", "'running', 'complete' or 'error'", state)
    block = Status(label_html=markup.inline(label), state=state, expanded=bool(expanded))
    dg = emit_block("status", block)
    return StatusContainer(dg._path, label, state, bool(expanded), dg.form_id)


_DURATIONS: dict[str, float | None] = {"short": 4.0, "long": 10.0, "infinite": None}


class ToastHandle:
    """What `st.toast` returns: `.toast(body)` replaces that toast's text (and icon)."""

    __slots__ = ("_duration", "_id")

    def __init__(self, toast_id: str, duration: float | None) -> None:
        self._id = toast_id
        self._duration = duration

    def toast(self, body: str, *, icon: str | None = None) -> ToastHandle:
        _show(self._id, body, icon, self._duration)
        return self

    def __repr__(self) -> str:
        return f"ToastHandle({self._id!r})"


def _show(toast_id: str, body: object, icon: object, duration: float | None) -> None:
    ctx = context.get("toast")
    _text("toast", "body", body)
    _text("toast", "icon", icon, optional=True)
    event = Toast(
        id=toast_id,
        body_html=markup.markdown(str(body)),
        icon=icon,  # type: ignore[arg-type]
        duration=duration,
    )
    ctx.session.push_event(event)
    if ctx.session.sources is not None:  # AppTest: what the script passed
        ctx.session.toast_sources[toast_id] = str(body)


def toast(
    body: str,
    *,
    icon: str | None = None,
    duration: Literal["short", "long", "infinite"] | int = "short",
) -> ToastHandle:
    """A transient notice in the corner; several stack; it outlives reruns for `duration`."""
    seconds: float | None
    if isinstance(duration, str) and duration in _DURATIONS:
        seconds = _DURATIONS[duration]
    elif isinstance(duration, int) and not isinstance(duration, bool) and duration > 0:
        seconds = float(duration)
    else:
        raise InvalidArgument(
            "toast", "duration", "'short', 'long', 'infinite' or a positive int (seconds)", duration
        )
    toast_id = secrets.token_hex(6)
    _show(toast_id, body, icon, seconds)
    return ToastHandle(toast_id, seconds)
