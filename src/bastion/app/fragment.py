"""`@st.fragment` and `@st.dialog`: parts of a script that rerun on their own.

Calling a fragment function opens a `Fragment` block (a `Dialog` block for dialogs) at the next
position of the current container and runs the function inside it. The session remembers each
fragment it rendered (`Fragments.registry`: the function, its arguments, its block's path) under an
id that is a keyed hash of the function's qualified name and its path: stable across runs of one
session, unguessable for anyone else.

A widget inside a fragment makes the browser send `Rerun{fragment_id}`. `resolve` turns that into
a fragment run only when the id is one the session shows and every value in the message belongs to
a widget of that fragment; an unknown id is ignored, and values for other widgets turn it into a
full run (a full run covers everything). A fragment run replays only the stored functions, each
with its block as the current container, its cursors from zero, and other containers' cursors
where the last full run left them (so an element a fragment sends to, say, the sidebar lands after
what is there). Nodes and widgets outside the fragments are left untouched; staleness and clean-up
are scoped to the fragments' subtrees (see `RunStarted.fragments`).

`run_every` arms a server-side timer per fragment (`Timers`); it fires a fragment run while the
session is connected and the fragment is still rendered, and stops otherwise.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import secrets
import threading
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

from bastion.app import context, markup
from bastion.app.container import DeltaGenerator, current, emit_block
from bastion.app.errors import FragmentError, InvalidArgument
from bastion.protocol.app import Dialog, Fragment, Path

if TYPE_CHECKING:
    from bastion.app.context import RunContext
    from bastion.app.runner import RunRequest
    from bastion.app.session import AppSession
    from bastion.app.state import Widget
    from bastion.protocol.app import Block, RunStatus

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(slots=True, eq=False)
class Entry:
    """One rendered fragment: what a fragment run replays."""

    id: str
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    path: Path  # its block
    form_id: str | None
    parent: str | None  # the fragment it is nested in
    run_every: float | None


class Fragments:
    """A session's fragments: the registry, the id key, the last full run's cursors, timers."""

    def __init__(self, session: AppSession) -> None:
        self._session = weakref.ref(session)
        self.key = secrets.token_bytes(16)
        # Replaced, never mutated, so the timer thread can read it without a lock.
        self.registry: dict[str, Entry] = {}
        self.cursors: dict[Path, int] = {}
        self._timers: dict[str, tuple[float, object]] = {}
        self._lock = threading.Lock()
        self.closed = False

    def make_id(self, fn: Callable[..., Any], path: Path) -> str:
        name = f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', repr(fn))}"
        text = f"{name}\x1f{list(path)}".encode("utf-8", "surrogatepass")
        return hashlib.blake2b(text, key=self.key, digest_size=12).hexdigest()

    # --- requests (the worker thread, under the runner's lock) ---------------------------------

    def resolve(self, request: RunRequest) -> tuple[tuple[str, ...], frozenset[str]] | None:
        """The fragments a request reruns and their scope; `((), ...)` for a full run; None when
        it names only fragments this session does not show (forged or gone: nothing to run)."""
        if not request.fragments:
            return (), frozenset()
        registry = self.registry
        ids = [f for f in request.fragments if f in registry]
        # A fragment nested in another one being rerun is rerun by it.
        ids = [f for f in ids if not any(a in ids for a in _ancestors(registry, f))]
        if not ids:
            return None
        scope = frozenset(
            f for f in registry if f in ids or any(a in ids for a in _ancestors(registry, f))
        )
        session = self._session()
        if session is None:
            return None
        wanted: Iterable[str] = request.widgets
        if request.submit is not None:
            wanted = [*request.widgets, request.submit[1]]
        for wid in wanted:
            w = session.state.widget(wid)
            if w is not None and w.fragment_id not in scope:
                return (), frozenset()  # it changes a widget outside: the whole app reruns
        if request.query_string is not None:
            return (), frozenset()
        return tuple(ids), scope

    # --- after a run (the script thread) -------------------------------------------------------

    def run_finished(self, ctx: RunContext, status: RunStatus) -> None:
        seen: dict[str, Entry] = ctx.fragments
        if status == "rerun":  # interrupted: the client still shows what it showed
            self.registry = {**self.registry, **seen}
        elif not ctx.fragment_run:
            self.registry = dict(seen)
            self.cursors = dict(ctx.cursors)
        else:
            registry = dict(self.registry)
            for fid in ctx.fragment_scope.difference(ctx.fragment_run, seen):
                registry.pop(fid, None)
            registry.update(seen)
            self.registry = registry
        self._sync_timers()

    def forget(self) -> None:
        """The client holds no tree (a new socket): it shows no fragment."""
        self.registry = {}

    def close(self) -> None:
        self.closed = True
        with self._lock:
            self._timers.clear()

    # --- run_every ----------------------------------------------------------------------------

    def _sync_timers(self) -> None:
        session = self._session()
        if session is None:
            return
        want = {f: e.run_every for f, e in self.registry.items() if e.run_every is not None}
        with self._lock:
            for fid in [f for f, (every, _) in self._timers.items() if want.get(f) != every]:
                del self._timers[fid]
            for fid, every in want.items():
                if fid not in self._timers:
                    token = object()
                    self._timers[fid] = (every, token)
                    tick = functools.partial(_tick, self._session, fid, token)
                    session.runtime.timers.schedule(every, tick)

    def tick(self, fid: str, token: object) -> float | None:
        """A timer is due: request the fragment's run; return the next delay, or None to stop."""
        session = self._session()
        with self._lock:
            armed = self._timers.get(fid)
            if armed is None or armed[1] is not token:
                return None
            if (
                session is None
                or self.closed
                or session.disconnected_at is not None
                or fid not in self.registry
            ):
                del self._timers[fid]  # a reconnect's full run arms it again
                return None
            every = armed[0]
        session.request_fragment_run(fid)
        return every


def _tick(ref: weakref.ref[AppSession], fid: str, token: object) -> float | None:
    session = ref()
    return None if session is None else session.fragments.tick(fid, token)


def _ancestors(registry: dict[str, Entry], fid: str) -> list[str]:
    out: list[str] = []
    entry = registry.get(fid)
    while entry is not None and entry.parent is not None and entry.parent not in out:
        out.append(entry.parent)
        entry = registry.get(entry.parent)
    return out


# --- the script side ----------------------------------------------------------------------------


def _call(
    what: str,
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    run_every: float | None,
    make_block: Callable[[str, RunContext], Block],
) -> Any:
    ctx = context.get(what)
    fragments = ctx.session.fragments
    made: list[str] = []

    def block_at(path: Path) -> Block:
        made.append(fragments.make_id(fn, path))
        return make_block(made[0], ctx)

    dg = emit_block(what, block_at)
    entry = Entry(made[0], fn, args, dict(kwargs), dg._path, dg.form_id, ctx.fragment, run_every)
    ctx.fragments[entry.id] = entry
    previous = (ctx.fragment, ctx.target, len(ctx.stack))
    try:
        return _body(ctx, entry)
    finally:
        ctx.fragment, ctx.target = previous[0], previous[1]
        del ctx.stack[previous[2] :]


def _body(ctx: RunContext, entry: Entry) -> Any:
    ctx.fragment = entry.id
    ctx.target = None
    ctx.stack.append(DeltaGenerator(entry.path, form_id=entry.form_id))
    return entry.fn(*entry.args, **entry.kwargs)


def run_fragments(ctx: RunContext) -> None:
    """A fragment run's body: replay each fragment function into its own block.

    An exception leaves the fragment as the current container, so the runner shows it there."""
    registry = ctx.session.fragments.registry
    for fid in ctx.fragment_run:
        entry = registry[fid]
        ctx.cursors[entry.path] = 0
        depth = len(ctx.stack)
        _body(ctx, entry)
        ctx.fragment, ctx.target = None, None
        del ctx.stack[depth:]


def own_widget(ctx: RunContext, w: Widget) -> None:
    """Tag a widget with its fragment; in a fragment run, refuse one outside the fragments (it
    would be rendered where the rest of the app is not rerun, as Streamlit refuses it too)."""
    w.fragment_id = ctx.fragment
    if ctx.fragment_run:
        path = current(ctx)._path
        if not any(path[: len(p)] == p for p in ctx.fragment_paths):
            raise FragmentError(
                f"st.{w.kind} {w.label!r}: a fragment cannot write widgets to a container outside "
                "itself (such as st.sidebar or a column created outside the fragment). Create "
                "the container inside the fragment, or move the widget out of the fragment."
            )


# --- @st.fragment -------------------------------------------------------------------------------

_UNITS = {
    "ms": 0.001,
    "s": 1.0,
    "sec": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "m": 60.0,
    "min": 60.0,
    "minute": 60.0,
    "minutes": 60.0,
    "h": 3600.0,
    "hour": 3600.0,
    "hours": 3600.0,
    "d": 86400.0,
    "day": 86400.0,
    "days": 86400.0,
}
_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*([a-z]+)")
_FULL = re.compile(r"(?:\s*(?:\d+(?:\.\d*)?|\.\d+)\s*[a-z]+)+\s*")


def parse_interval(what: str, value: object) -> float | None:
    """`run_every`: seconds, a `timedelta`, or a string such as "2s", "500ms", "1h 30m"."""
    seconds: float
    if value is None:
        return None
    if isinstance(value, dt.timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().lower()
        parts = _PART.findall(text) if _FULL.fullmatch(text) else []
        if not parts or any(unit not in _UNITS for _, unit in parts):
            raise InvalidArgument(
                what, "run_every", 'a duration such as "10s", "500ms" or "1h 30m"', value
            )
        seconds = sum(float(n) * _UNITS[unit] for n, unit in parts)
    else:
        raise InvalidArgument(what, "run_every", "seconds, a timedelta, a str or None", value)
    if not seconds > 0:
        raise InvalidArgument(what, "run_every", "a positive duration", value)
    return seconds


@overload
def fragment(func: F, *, run_every: float | dt.timedelta | str | None = None) -> F: ...
@overload
def fragment(
    func: None = None, *, run_every: float | dt.timedelta | str | None = None
) -> Callable[[F], F]: ...
def fragment(
    func: F | None = None, *, run_every: float | dt.timedelta | str | None = None
) -> F | Callable[[F], F]:
    """Turn a function into a fragment: widgets inside it rerun only it."""
    every = parse_interval("fragment", run_every)

    def decorate(fn: F) -> F:
        if not callable(fn):
            raise InvalidArgument("fragment", "func", "a function", fn)

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return _call("fragment", fn, args, kwargs, every, _fragment_block)

        return wrapper  # type: ignore[return-value]

    return decorate if func is None else decorate(func)


def _fragment_block(fid: str, ctx: RunContext) -> Block:
    return Fragment(fragment_id=fid)


# --- @st.dialog ---------------------------------------------------------------------------------

_WIDTHS = ("small", "medium", "large")


def dialog(
    title: str,
    *,
    width: Literal["small", "medium", "large"] = "small",
    dismissible: bool = True,
    on_dismiss: Literal["ignore", "rerun"] = "ignore",
) -> Callable[[F], F]:
    """Turn a function into a dialog: calling it opens a modal with its output; widgets inside
    rerun only the dialog; a full rerun that does not call it again closes it."""
    if not isinstance(title, str):
        raise InvalidArgument("dialog", "title", "a str", title)
    if width not in _WIDTHS:
        raise InvalidArgument("dialog", "width", "'small', 'medium' or 'large'", width)
    if on_dismiss not in ("ignore", "rerun"):
        raise InvalidArgument(
            "dialog", "on_dismiss", "'ignore' or 'rerun'", on_dismiss, "(no callables yet)"
        )
    title_html = markup.inline(title)

    def make(fid: str, ctx: RunContext) -> Block:
        return Dialog(
            fragment_id=fid,
            title_html=title_html,
            opened=ctx.run,
            width=width,
            dismissible=bool(dismissible),
            on_dismiss=on_dismiss,
        )

    def decorate(fn: F) -> F:
        if not callable(fn):
            raise InvalidArgument("dialog", "func", "a function", fn)

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            ctx = context.get("dialog")
            if ctx.dialog_open:
                raise FragmentError(
                    f"Only one dialog can be open at a time: {fn.__qualname__}() opened a second "
                    "one in this run. Call one @st.dialog function per run (keep which one to "
                    "open in st.session_state)."
                )
            ctx.dialog_open = True
            return _call("dialog", fn, args, kwargs, None, make)

        return wrapper  # type: ignore[return-value]

    return decorate


def rerun_scope_fragment(ctx: RunContext) -> str:
    """The fragment `st.rerun(scope="fragment")` reruns, or the error Streamlit raises."""
    if ctx.fragment is None or not ctx.fragment_run:
        raise FragmentError(
            'st.rerun(scope="fragment") can only be called inside a fragment during a fragment '
            "rerun. Use st.rerun() to rerun the whole app, or call it from a widget's fragment "
            "run (its callback or its body)."
        )
    return ctx.fragment


# The names Streamlit accepted before these left "experimental" (scripts still use them).
experimental_fragment = fragment
experimental_dialog = dialog
