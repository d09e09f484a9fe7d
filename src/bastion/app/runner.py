"""The script runner: at most one run per session, really interruptible.

Each session has one `ScriptRunner`. A run executes on a worker thread (threads are pooled and
reused across sessions, so a rerun does not pay for a thread start). When a rerun or stop request
arrives while the script runs, the runner:

1. sets the run context's interrupt flag, which every `st.*` call checks, and
2. raises `Interrupted` asynchronously in the script thread (`PyThreadState_SetAsyncExc`), which
   CPython delivers between two bytecodes, so a script busy in a pure-Python loop stops too.

The asynchronous exception is only armed while user code runs: the runtime's own bookkeeping
(applying widget values, finishing a run, flushing) happens with it disarmed, and any pending one
is cleared before that bookkeeping starts. The same worker then picks up the pending request, so
two runs of one session are never alive at once. A script blocked inside a C call (``time.sleep``,
a socket read) sees the exception when that call returns.
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

from bastion.app import context
from bastion.app.context import RERUN, STOP, RunContext
from bastion.app.errors import RerunRequested, ScriptControl, StopRequested
from bastion.app.script import MAGIC_NAME

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

    def merge(self, newer: RunRequest) -> None:
        # Newest values win; a click (trigger) that was queued is kept, as Streamlit does.
        self.widgets.update(newer.widgets)
        if newer.submit is not None:
            self.submit = newer.submit
        if newer.query_string is not None:
            self.query_string = newer.query_string


class ScriptRunner:
    def __init__(self, session: AppSession, submit: Callable[[Callable[[], None]], None]) -> None:
        self._session = session
        self._submit = submit
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
                self._interrupt(RERUN)
            else:
                self._active = start = True
        if start:
            self._submit(self._loop)

    def request_stop(self) -> None:
        with self._lock:
            self._pending = None
            if self._active:
                self._interrupt(STOP)

    @property
    def running(self) -> bool:
        return self._active

    def wait_idle(self, timeout: float | None) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: not self._active, timeout)

    def _interrupt(self, kind: int) -> None:  # with self._lock held
        ctx = self._ctx
        if ctx is None:
            return  # between runs: the loop picks the pending request up next
        ctx.interrupt = kind
        if self._armed and not self._fired:
            self._fired = True
            _async_raise(self._tid, Interrupted)

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
            session.run_started(ctx, request)
            callbacks = session.state.begin_run(request.widgets, request.submit)
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
                    code = session.script.code()
                    compiled = True
                    self._exec(code, session)
                except BaseException as e:
                    outcome = e
                self._arm(False)
            except Interrupted as e:  # landed between our own statements above
                outcome = outcome or e
                self._arm(False)
            status = self._status(ctx, outcome, compiled)
            script_rerun = isinstance(outcome, RerunRequested) and not ctx.interrupt
            if status in ("error", "compile_error") and outcome is not None:
                session.show_exception(ctx, outcome)
            # A run interrupted by a newer request keeps its clicks for the next run (the click
            # would otherwise be lost); every other ending consumes them.
            keep = status == "rerun" and not script_rerun
            session.state.finish_run(status in ("ok", "error"), keep_triggers=keep)
            if script_rerun:
                with self._lock:
                    if self._pending is None:
                        self._pending = RunRequest()
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
    def _exec(code: types.CodeType, session: AppSession) -> None:
        module = types.ModuleType("__main__")
        namespace = module.__dict__
        namespace["__file__"] = session.script.filename
        namespace["__builtins__"] = builtins
        namespace[MAGIC_NAME] = session.magic
        if session.script.extra_globals:
            namespace.update(session.script.extra_globals)
        previous = sys.modules.get("__main__")
        sys.modules["__main__"] = module  # so pickle and `if __name__ == "__main__"` work
        try:
            exec(code, namespace)  # noqa: S102 - running the app script is the point
        finally:
            if sys.modules.get("__main__") is module and previous is not None:
                sys.modules["__main__"] = previous
