"""The context of one script run, reachable from any `st.*` call through a ContextVar.

No globals: each run gets a fresh `RunContext` set in its script thread's context. It holds what
the run writes (cursors per container, widgets seen, forms seen) and the interrupt flag that every
`st.*` call checks, which is how a newer rerun or a stop reaches a script that is busy in Python
code between two calls (the runner also raises asynchronously; see runner.py).
"""

from __future__ import annotations

import threading
import time
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, SupportsIndex

from bastion.app.errors import NoScriptContext, RerunRequested, StopRequested

if TYPE_CHECKING:
    from bastion.app.container import DeltaGenerator
    from bastion.app.session import AppSession
    from bastion.app.state import SessionState
    from bastion.protocol.app import Path

# Interrupt reasons, set by other threads; read at every st.* call.
NONE = 0
RERUN = 1
STOP = 2


class RunContext:
    __slots__ = (
        "cursors",
        "dialog_open",
        "form_paths",
        "forms",
        "forms_submittable",
        "fragment",
        "fragment_paths",
        "fragment_run",
        "fragment_scope",
        "fragments",
        "in_callback",
        "interrupt",
        "page_salt",
        "recorders",
        "run",
        "session",
        "stack",
        "state",
        "submitted_form",
        "target",
        "wake",
        "written",
    )

    def __init__(self, session: AppSession, run: int, submitted_form: str | None) -> None:
        self.session = session
        self.state: SessionState = session.state
        self.run = run
        self.cursors: dict[Path, int] = {}
        self.written: set[Path] = set()
        self.stack: list[DeltaGenerator] = []  # `with container:` blocks, innermost last
        self.target: DeltaGenerator | None = None  # receiver calls: `col.write(...)`
        self.forms: dict[str, bool] = {}  # form id -> clear_on_submit, for forms seen this run
        self.form_paths: dict[str, Path] = {}
        self.forms_submittable: set[str] = set()  # forms that got a submit button
        self.submitted_form = submitted_form
        self.interrupt = NONE
        self.wake: threading.Event | None = None  # set on interrupt: ends a time.sleep early
        self.in_callback = False
        self.page_salt = ""  # multipage: the page whose widgets are being created (see pages.py)
        self.recorders: list[Any] = []  # cached functions being computed (caching/replay.py)
        # Fragments (bastion.app.fragment): the ids this run reruns (empty: a full run), every id
        # in its scope (those plus their nested fragments), their blocks' paths, the innermost
        # fragment running now, and the fragments this run rendered.
        self.fragment_run: tuple[str, ...] = ()
        self.fragment_scope: frozenset[str] = frozenset()
        self.fragment_paths: tuple[Path, ...] = ()
        self.fragment: str | None = None
        self.fragments: dict[str, Any] = {}
        self.dialog_open = False

    def check(self) -> None:
        """An interrupt point: unwind the script if a rerun or stop was requested."""
        if self.interrupt:
            if self.interrupt == STOP:
                raise StopRequested
            raise RerunRequested


_current: ContextVar[RunContext | None] = ContextVar("bastion_run_context", default=None)


def get(what: str) -> RunContext:
    """The running script's context, after an interrupt check; `what` names the st.* call."""
    ctx = _current.get()
    if ctx is None:
        raise NoScriptContext(what)
    if ctx.interrupt:
        ctx.check()
    return ctx


def peek() -> RunContext | None:
    return _current.get()


def activate(ctx: RunContext | None) -> Any:
    return _current.set(ctx)


def deactivate(token: Any) -> None:
    _current.reset(token)


_real_sleep = time.sleep


def _sleep(seconds: float | SupportsIndex) -> None:
    """`time.sleep` that a rerun or stop request ends early when called from a script run."""
    ctx = _current.get()
    if ctx is None:
        _real_sleep(seconds)
        return
    seconds = float(seconds)
    if seconds <= 0:
        _real_sleep(seconds)  # zero yields the GIL; negative raises ValueError, as before
        return
    ctx.check()
    wake = ctx.wake
    if wake is None:
        wake = ctx.wake = threading.Event()
    ctx.check()  # an interrupt that came before `wake` existed did not set it
    if wake.wait(seconds):
        ctx.check()


def install_interruptible_sleep() -> None:
    """Make `time.sleep` in script threads end when the run is interrupted (idempotent).

    Sleeping is the commonest way a script blocks in C, where no interrupt can reach it. The
    replacement behaves exactly like the original outside script runs."""
    time.sleep = _sleep
