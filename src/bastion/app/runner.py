"""The script runner: at most one run per session, really interruptible.

Each session has one `ScriptRunner`. A run executes on a worker thread (threads are pooled and
reused across sessions, so a rerun does not pay for a thread start). When a rerun or stop request
arrives while the script runs, the runner:

1. sets the run context's interrupt flag, which every `st.*` call checks, and
2. if the script has not unwound after a short grace (`Interrupter`), raises `Interrupted`
   asynchronously in the script thread (`PyThreadState_SetAsyncExc`), which CPython delivers
   between two bytecodes, so a script busy in a pure-Python loop stops too.

The asynchronous exception is only armed while user code runs: the runtime's own bookkeeping
(applying widget values, finishing a run, flushing) happens with it disarmed, and any pending one
is cleared before that bookkeeping starts. The same worker then picks up the pending request, so
two runs of one session are never alive at once. ``time.sleep`` in a script wakes at once (the
runtime makes it wait on the run's wake event); a script blocked in another C call (a socket read,
a long numpy operation) sees the exception when that call returns.
"""

from __future__ import annotations

import builtins
import ctypes
import logging
import queue
import sys
import threading
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bastion.app import context, figures, pages
from bastion.app.context import RERUN, STOP, RunContext
from bastion.app.errors import (
    FragmentRerunRequested,
    RerunRequested,
    ScriptControl,
    StopRequested,
)
from bastion.app.script import MAGIC_NAME, Script
from bastion.app.timers import Timers

if TYPE_CHECKING:
    from bastion.app.session import AppSession
    from bastion.protocol.app import RunStatus

log = logging.getLogger("bastion.app")


class Interrupted(ScriptControl):
    """Raised asynchronously in a script thread when a newer request needs it to stop."""


_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
_set_async_exc.argtypes = (ctypes.c_ulong, ctypes.py_object)
_set_async_exc.restype = ctypes.c_int


def _async_raise(thread_id: int, exc: type[BaseException] | None) -> None:
    _set_async_exc(ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc else ctypes.py_object())


class Workers:
    """Threads for script runs: reuse an idle one, else start one (never a queue behind a bound:
    a long script must not delay other sessions). Idle threads exit after `idle_timeout`."""

    def __init__(self, idle_timeout: float = 30.0) -> None:
        self._idle_timeout = idle_timeout
        self._lock = threading.Lock()
        self._idle = 0
        self._queue: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()

    def submit(self, fn: Callable[[], None]) -> None:
        with self._lock:
            if self._idle:
                self._idle -= 1
                self._queue.put(fn)
                return
        threading.Thread(target=self._work, args=(fn,), name="bastion-script", daemon=True).start()

    def _work(self, fn: Callable[[], None]) -> None:
        while True:
            try:
                fn()
            except BaseException:  # the runner handles everything; this is a last resort
                log.exception("script worker failed")
            with self._lock:
                self._idle += 1
            try:
                fn = self._queue.get(timeout=self._idle_timeout)
            except queue.Empty:
                with self._lock:
                    if self._idle:
                        self._idle -= 1
                        return
                fn = self._queue.get()  # a submit claimed this thread just as it timed out


@dataclass(slots=True)
class RunRequest:
    widgets: dict[str, Any] = field(default_factory=dict)
    submit: tuple[str, str] | None = None  # (form id, submit button id)
    query_string: str | None = None
    fragments: tuple[str, ...] = ()  # rerun only these fragments; empty: the whole script
    page: str | None = None  # multipage: the page the client asks for (a URL path, unchecked)

    def merge(self, newer: RunRequest) -> None:
        # Newest values win; a click (trigger) that was queued is kept, as Streamlit does.
        self.widgets.update(newer.widgets)
        # A full run covers every fragment: it wins. Fragment runs queue up together.
        if not self.fragments or not newer.fragments:
            self.fragments = ()
        else:
            self.fragments += tuple(f for f in newer.fragments if f not in self.fragments)
        if newer.submit is not None:
            self.submit = newer.submit
        if newer.query_string is not None:
            self.query_string = newer.query_string
        if newer.page is not None:
            self.page = newer.page


class Interrupter:
    """Delivers asynchronous interrupts, but only to scripts that need them.

    An interrupt request first sets the run's flag, which the script sees at its next st.* call;
    most scripts make one within milliseconds and unwind there, at a clean point. Only a run still
    going `grace` seconds later (a pure-Python loop, say) gets `Interrupted` raised asynchronously,
    and again every `repeat` seconds while it keeps going (a bare `except:` swallowed it). The
    grace keeps asynchronous exceptions rare, because one landing between a library's `acquire()`
    and its `try:` would leave that lock held.
    """

    def __init__(self, grace: float = 0.05, repeat: float = 0.5, idle_timeout: float = 5.0) -> None:
        self.grace = grace
        self.repeat = repeat
        self._timers = Timers(idle_timeout, name="bastion-interrupter")

    def schedule(self, runner: ScriptRunner, ctx: RunContext, delay: float | None = None) -> None:
        def fire() -> float | None:
            return self.repeat if runner.fire(ctx) else None

        self._timers.schedule(self.grace if delay is None else delay, fire)


class ScriptRunner:
    def __init__(
        self,
        session: AppSession,
        submit: Callable[[Callable[[], None]], None],
        interrupter: Interrupter,
    ) -> None:
        self._session = session
        self._submit = submit
        self._interrupter = interrupter
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._pending: RunRequest | None = None
        self._active = False  # a worker runs this session's loop
        self._ctx: RunContext | None = None
        self._tid = 0
        self._armed = False  # the async exception may be raised (user code is running)
        self._fired = False

    # --- requests (any thread) ----------------------------------------------------------------

    def request_rerun(self, request: RunRequest) -> None:
        start = False
        with self._lock:
            if self._pending is None:
                self._pending = request
            else:
                self._pending.merge(request)
            if self._active:
                if self._covers(self._pending):
                    self._interrupt(RERUN)
            else:
                self._active = start = True
        if start:
            self._submit(self._loop)

    def _covers(self, request: RunRequest) -> bool:  # with self._lock held
        """Whether `request` redoes all the current run does, so interrupting it loses nothing.

        A fragment rerun never interrupts a full run (nor another fragment's run): it waits."""
        ctx = self._ctx
        if not request.fragments or ctx is None:
            return True
        return bool(ctx.fragment_run) and set(ctx.fragment_run) <= set(request.fragments)

    def request_stop(self) -> None:
        with self._lock:
            self._pending = None
            if self._active:
                self._interrupt(STOP)

    @property
    def running(self) -> bool:
        return self._active

    @property
    def current(self) -> RunContext | None:
        """The context of the run in progress, if any."""
        return self._ctx

    def wait_idle(self, timeout: float | None) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: not self._active, timeout)

    def _interrupt(self, kind: int) -> None:  # with self._lock held
        ctx = self._ctx
        if ctx is None:
            return  # between runs: the loop picks the pending request up next
        ctx.interrupt = kind
        wake = ctx.wake
        if wake is not None:
            wake.set()  # a script in time.sleep wakes and unwinds at once
        self._interrupter.schedule(self, ctx)

    def fire(self, ctx: RunContext) -> bool:
        """Raise `Interrupted` in the script if `ctx` is still running user code; say if it did."""
        with self._lock:
            if self._ctx is not ctx or not self._armed or not ctx.interrupt:
                return False
            self._fired = True
            _async_raise(self._tid, Interrupted)  # replaces one still pending: never two
            return True

    # --- the worker ---------------------------------------------------------------------------

    def _loop(self) -> None:
        tid = threading.get_ident()
        while True:
            with self._lock:
                request = self._pending
                self._pending = None
                if request is None:
                    self._active = False
                    self._ctx = None
                    self._idle.notify_all()
                    return
                ctx = self._session.new_context(request)
                if ctx is None:
                    continue  # a fragment run for fragments the session does not show
                self._ctx = ctx
                self._tid = tid
                self._fired = False
            try:
                self._run(ctx, request)
            except BaseException:
                self._arm(False)
                log.exception("script run bookkeeping failed")

    def _arm(self, on: bool) -> None:
        while True:
            try:
                with self._lock:
                    self._armed = on
                    if not on and self._fired:
                        _async_raise(self._tid, None)  # drop one not yet delivered
                return
            except Interrupted:
                continue  # delivered just now, in our own code: it has done its job

    def _run(self, ctx: RunContext, request: RunRequest) -> None:
        session = self._session
        token = context.activate(ctx)
        try:
            session.script.forget_changed_modules()
            callbacks, refresh = session.state.begin_run(request.widgets, request.submit)
            session.run_started(ctx, request, refresh)
            outcome: BaseException | None = None
            compiled = False
            try:
                self._arm(True)
                try:
                    ctx.check()
                    for w in callbacks:
                        if w.on_change is not None:
                            ctx.in_callback = True
                            try:
                                w.on_change(*w.args, **w.kwargs)
                            finally:
                                ctx.in_callback = False
                    script = pages.script_for_run(session, ctx)
                    code = script.code()
                    compiled = True
                    if ctx.fragment_run:
                        session.run_fragments(ctx)
                    else:
                        self._exec(code, session, script)
                except BaseException as e:
                    outcome = e
                self._arm(False)
            except Interrupted as e:  # landed between our own statements above
                outcome = outcome or e
                self._arm(False)
            session.script.note_new_modules()
            status = self._status(ctx, outcome, compiled)
            script_rerun = isinstance(outcome, RerunRequested) and not ctx.interrupt
            if status in ("error", "compile_error") and outcome is not None:
                session.show_exception(ctx, outcome)
            elif status == "ok":
                session.warn_missing_submit_buttons(ctx)
            # A run interrupted by a newer request keeps its clicks for the next run (the click
            # would otherwise be lost); every other ending consumes them.
            keep = status == "rerun" and not script_rerun
            session.state.finish_run(
                status in ("ok", "error"),
                keep_triggers=keep,
                scope=ctx.fragment_scope if ctx.fragment_run else None,
            )
            if script_rerun:
                again = RunRequest()
                if isinstance(outcome, FragmentRerunRequested):
                    again.fragments = (outcome.fragment_id,)
                with self._lock:
                    if self._pending is None:
                        self._pending = again
                    else:
                        self._pending.merge(again)
            session.run_finished(ctx, status)
        finally:
            context.deactivate(token)

    @staticmethod
    def _status(ctx: RunContext, outcome: BaseException | None, compiled: bool) -> RunStatus:
        if outcome is None:
            return "ok"
        if isinstance(outcome, StopRequested | SystemExit):
            return "stopped"
        if isinstance(outcome, Interrupted | RerunRequested):
            return "stopped" if ctx.interrupt == STOP else "rerun"
        if not compiled and isinstance(outcome, SyntaxError):
            return "compile_error"
        return "error"

    @staticmethod
    def exec_script(script: Script, session: AppSession) -> None:
        """Run `script` in a fresh `__main__` (a page that `st.navigation` selected)."""
        ScriptRunner._exec(script.code(), session, script)

    @staticmethod
    def _exec(code: types.CodeType, session: AppSession, script: Script) -> None:
        module = types.ModuleType("__main__")
        namespace = module.__dict__
        namespace["__file__"] = script.filename
        namespace["__builtins__"] = builtins
        namespace[MAGIC_NAME] = session.magic
        if script.extra_globals:
            namespace.update(script.extra_globals)
        figures.install_if_loaded()  # per-session pyplot figures, once pyplot is loaded
        previous = sys.modules.get("__main__")
        sys.modules["__main__"] = module  # so pickle and `if __name__ == "__main__"` work
        try:
            exec(code, namespace)  # noqa: S102 - running the app script is the point
        finally:
            if sys.modules.get("__main__") is module and previous is not None:
                sys.modules["__main__"] = previous
