"""AppSession: one browser tab's app, sans I/O.

The server adapter (and AppTest) drive a session with decoded client messages (`handle`) and give
it a `SessionClient` to send frames through. Everything a run writes goes into an outbox; the
outbox becomes one `Batch` frame per flush. Flushes happen at the end of every run (from the script
thread) and, while a long run is writing, when the adapter answers `request_flush` (it should call
`flush()` within a few milliseconds).

Send only what changed: the session remembers a hash of the node it last sent at each path. A node
identical to that one goes out as a `Same` marker. The map is kept in step with the client's tree
(the client drops nodes a complete run did not write; so does the map), and it is updated in an
order that stays correct even if an asynchronous interrupt cuts a write in half: an entry is only
ever claimed after its node is queued.
"""

from __future__ import annotations

import logging
import secrets
import threading
import traceback
from collections.abc import Callable
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Protocol
from urllib.parse import parse_qsl, urlencode

import msgspec

from bastion.app import context, markup
from bastion.app.client_context import ClientContext
from bastion.app.context import RunContext
from bastion.app.dataframes.store import DataStore
from bastion.app.fragment import Fragments
from bastion.app.redact import Redactor
from bastion.app.runner import RunRequest, ScriptRunner
from bastion.app.state import SessionState
from bastion.protocol.app import (
    Alert,
    ClientMsg,
    ExceptionInfo,
    FetchRows,
    Hello,
    Path,
    ProtocolError,
    QueryChanged,
    Rerun,
    RunFinished,
    RunStarted,
    RunStatus,
    Stop,
    Submit,
)

if TYPE_CHECKING:
    from bastion.app.pages import StreamlitPage
    from bastion.app.runtime import Runtime

_encode = msgspec.json.encode
log = logging.getLogger("bastion.app")
_BATCH_HEAD = b'{"type":"batch","events":['
_APP_DIR = str(FsPath(__file__).parent)


class SessionClient(Protocol):
    """What a session needs from its transport. Both methods may be called from any thread."""

    def send(self, frame: bytes) -> None:
        """Queue one frame for the browser, in call order. Must not block."""

    def request_flush(self) -> None:
        """Output is waiting: call the session's `flush()` soon (in a few ms, to batch)."""


class _NoClient:
    def send(self, frame: bytes) -> None:
        pass

    def request_flush(self) -> None:
        pass


class AppSession:
    def __init__(self, runtime: Runtime, session_id: str, client: SessionClient) -> None:
        self.id = session_id
        self.runtime = runtime
        self.script = runtime.script
        self.state = SessionState()
        self.query: list[tuple[str, str]] = []
        self.resume_token = ""
        self.user: str | None = None  # the login identity (see app/auth.py); binds resumes
        self.peer: str | None = None  # the client that may resume it (see Runtime.connect)
        self.user_info: dict[str, object] = {}  # its claims, for st.user
        self.page = ""  # multipage: the URL path of the page shown ("" the default; see pages.py)
        self.page_table: dict[
            str, tuple[str, str | None, str | None]
        ] = {}  # url: title, icon, file
        self.nav_pages: dict[str, StreamlitPage] | None = None
        self.client_context = ClientContext()  # st.context: set by each connect
        self.disconnected_at: float | None = None
        self.sources: dict[Path, object] | None = None  # AppTest: what each element shows
        self.toast_sources: dict[str, str] = {}  # AppTest: each toast's text, by toast id
        # Called (quick, any thread) when the session ends for good: closed or expired. A
        # script registers releases of what it holds per session (e.g. a sandbox session).
        self.on_close: list[Callable[[], None]] = []
        self._client: SessionClient = client
        self._runner = ScriptRunner(self, runtime.workers.submit, runtime.interrupter)
        self._runs = 0
        self._out: list[bytes] = []
        self._out_lock = threading.Lock()
        self._flush_requested = False
        self._sent: dict[Path, int] = {}
        self._blocks: set[Path] = set()
        self._widget_paths: dict[str, Path] = {}
        self._muted: RunContext | None = None  # a run a newly attached client must not see
        self._max_node_bytes = runtime.config.server.max_message_size * 1024 * 1024
        self.fragments = Fragments(self)
        self.data = DataStore(runtime.workers.submit)  # frames shown, for FetchRows

    # --- inbound ----------------------------------------------------------------------------

    def handle(self, msg: ClientMsg) -> None:
        """Act on one decoded client message. Never blocks; never runs the script inline."""
        if isinstance(msg, Rerun):
            frag = (msg.fragment_id,) if msg.fragment_id else ()
            if msg.page is not None and msg.page != self.page:
                frag = ()  # another page: a fragment of this one cannot stand for that run
            request = RunRequest(dict(msg.widgets), None, msg.query_string, page=msg.page)
            request.fragments = frag
            self._runner.request_rerun(request)
        elif isinstance(msg, Submit):
            frag = (msg.fragment_id,) if msg.fragment_id else ()
            request = RunRequest(dict(msg.widgets), (msg.form, msg.button), fragments=frag)
            self._runner.request_rerun(request)
        elif isinstance(msg, Stop):
            self._runner.request_stop()
        elif isinstance(msg, FetchRows):
            self.data.request(msg, self._send_now)
        elif isinstance(msg, Hello):
            raise ProtocolError("invalid message: `hello` is only valid as the first frame")

    def stop(self) -> None:
        self._runner.request_stop()

    def close(self) -> None:
        """The session ends: stop its script and its fragments' timers."""
        self.fragments.close()
        self._runner.request_stop()

    def request_fragment_run(self, fragment_id: str) -> None:
        self._runner.request_rerun(RunRequest(fragments=(fragment_id,)))

    def wait_idle(self, timeout: float | None = None) -> bool:
        return self._runner.wait_idle(timeout)

    @property
    def running(self) -> bool:
        return self._runner.running

    def attach(self, client: SessionClient) -> None:
        """A (re)connected client: it holds no tree, so nothing may be sent as `Same`, and the
        rest of a run already in progress is not sent at all (its deltas may address blocks
        this client never got); the client's first Rerun replaces that run anyway."""
        with self._out_lock:
            self._muted = self._runner.current
            self._client = client
            self._sent.clear()
            self._widget_paths.clear()
            self._blocks.clear()
            self._out.clear()
            self._flush_requested = False  # a flush the old client owed will never come
            # Nor any fragment: until its first full run, no fragment run may address it (their
            # timers stop; that run arms them again).
            self.fragments.forget()
        self.disconnected_at = None

    def has_client(self, client: SessionClient) -> bool:
        return self._client is client

    def detach(self, now: float) -> None:
        self.attach(_NoClient())
        self.disconnected_at = now
        self._runner.request_stop()

    # --- the run's life (script thread) ------------------------------------------------------

    def new_context(self, request: RunRequest) -> RunContext | None:
        """The next run's context; None when the request is a fragment run of fragments this
        session does not show (forged, or gone since): then nothing runs."""
        scope = self.fragments.resolve(request)
        if scope is None:
            return None
        self._runs += 1
        submit = request.submit
        form = submit[0] if submit is not None and self.state.valid_submit(submit) else None
        ctx = RunContext(self, self._runs, form)
        if scope[0]:
            registry = self.fragments.registry
            ctx.fragment_run, ctx.fragment_scope = scope
            ctx.fragment_paths = tuple(registry[f].path for f in scope[0])
            ctx.cursors = dict(self.fragments.cursors)
        return ctx

    def run_fragments(self, ctx: RunContext) -> None:
        from bastion.app.fragment import run_fragments

        run_fragments(ctx)

    def run_started(self, ctx: RunContext, request: RunRequest, refresh: list[str]) -> None:
        if request.query_string is not None:
            self.query = parse_qsl(request.query_string, keep_blank_values=True)
        if request.page is not None:
            self.page = request.page
        if ctx is self._muted:
            return
        if refresh:
            # The browser shows what it sent, not what it was last sent: no `same` marker for
            # those widgets (a callback or a rejected value may put the old value back, and the
            # browser must then be corrected).
            with self._out_lock:
                for wid in refresh:
                    path = self._widget_paths.get(wid)
                    if path is not None:
                        self._sent.pop(path, None)
        self._push(_encode(RunStarted(run=ctx.run, fragments=ctx.fragment_run)), ctx)

    def run_finished(self, ctx: RunContext, status: RunStatus) -> None:
        # A fragment run (bastion.app.fragment sets `fragment_run`) reran only its fragments.
        fragments = ctx.fragment_run
        scope = ctx.fragment_scope if fragments else None
        self.runtime.media.run_finished(self.id, ctx.run, status != "rerun", scope=scope)
        with self._out_lock:
            muted = ctx is self._muted
        if not muted:
            self.fragments.run_finished(ctx, status)
        if status != "rerun" and not fragments:
            self.data.prune(ctx.written)  # a fragment run wrote only its part of the page
        with self._out_lock:
            if ctx is self._muted:
                self._muted = None
                return
            if status != "rerun" and ctx.fragment_run:
                self._forget_in(ctx.fragment_paths, ctx.written)
            elif status != "rerun":
                written = ctx.written
                for path in [p for p in self._sent if p not in written]:
                    del self._sent[path]
                self._blocks &= written
                self._widget_paths = {w: p for w, p in self._widget_paths.items() if p in written}
                if self.sources is not None:
                    for path in [p for p in self.sources if p not in written]:
                        del self.sources[path]
        self._push(_encode(RunFinished(run=ctx.run, status=status)), ctx)
        self.flush()

    def _forget_in(self, roots: tuple[Path, ...], written: set[Path]) -> None:
        """A fragment run's end: forget what it did not write inside its blocks, only there."""

        def gone(p: Path) -> bool:
            return p not in written and any(len(p) > len(r) and p[: len(r)] == r for r in roots)

        for path in [p for p in self._sent if gone(p)]:
            del self._sent[path]
        self._blocks = {p for p in self._blocks if not gone(p)}
        self._widget_paths = {w: p for w, p in self._widget_paths.items() if not gone(p)}
        if self.sources is not None:
            for path in [p for p in self.sources if gone(p)]:
                del self.sources[path]

    def write_node(
        self,
        ctx: RunContext,
        path: Path,
        data: bytes,
        is_block: bool,
        source: object,
        widget_id: str | None = None,
    ) -> None:
        if len(data) > self._max_node_bytes:
            data = _encode(_too_big(len(data), self._max_node_bytes))
            is_block = False
        digest = hash(data)
        pj = _encode(path)
        with self._out_lock:
            if ctx is self._muted:
                return
            if widget_id is not None:
                self._widget_paths[widget_id] = path
            sent = self._sent
            if sent.get(path) == digest:
                part = b'{"type":"same","path":' + pj + b"}"
                self._out.append(part)
                ctx.written.add(path)
            else:
                sent.pop(path, None)  # never claim a node the client may not get
                if path in self._blocks and not is_block:
                    self._blocks.discard(path)
                    n = len(path)
                    for p in [p for p in sent if len(p) > n and p[:n] == path]:
                        del sent[p]
                if is_block:
                    part = b'{"type":"block","path":' + pj + b',"block":' + data + b"}"
                else:
                    part = b'{"type":"element","path":' + pj + b',"element":' + data + b"}"
                self._out.append(part)
                ctx.written.add(path)
                sent[path] = digest
                if is_block:
                    self._blocks.add(path)
            if self.sources is not None:
                self.sources[path] = source
            if self._flush_requested:
                return
            self._flush_requested = True
        self._client.request_flush()

    def push_event(self, event: msgspec.Struct) -> None:
        self._push(_encode(event), context.peek())

    def _push(self, part: bytes, ctx: RunContext | None) -> None:
        with self._out_lock:
            if ctx is not None and ctx is self._muted:
                return
            self._out.append(part)
            if self._flush_requested:
                return
            self._flush_requested = True
        self._client.request_flush()

    def _send_now(self, frame: bytes) -> None:
        """A frame outside any batch (an answer to a client request), sent at once."""
        with self._out_lock:
            self._client.send(frame)

    def flush(self) -> None:
        """Send everything queued as one frame. Safe from any thread."""
        with self._out_lock:
            self._flush_requested = False
            if not self._out:
                return
            frame = _BATCH_HEAD + b",".join(self._out) + b"]}"
            self._out.clear()
            self._client.send(frame)  # under the lock: frames leave in order

    # --- helpers for elements and the runner ----------------------------------------------------

    def magic(self, value: object) -> object:
        from bastion.app.elements.write import write

        write(value)
        return value

    def show_exception(self, ctx: RunContext, exc: BaseException) -> None:
        from bastion.app.container import current, next_path

        element = exception_element(exc, self.runtime.show_tracebacks, self.redactor())
        path = next_path(ctx, current(ctx))
        self.write_node(ctx, path, _encode(element), False, exc)

    def warn_missing_submit_buttons(self, ctx: RunContext) -> None:
        """As Streamlit does: a form without a submit button can never send its values."""
        for form_id, path in ctx.form_paths.items():
            if form_id in ctx.forms_submittable:
                continue
            index = ctx.cursors.get(path, 0)
            ctx.cursors[path] = index + 1
            text = (
                f"Missing submit button: form {form_id!r} has no st.form_submit_button(), so its "
                "values can never be sent. Add one inside the form."
            )
            alert = Alert(kind="error", body_html=markup.markdown(text))
            self.write_node(ctx, (*path, index), _encode(alert), False, text)

    def redactor(self) -> Redactor:
        return self.runtime.redactor(self.resume_token, self.id)

    def set_query(self, pairs: list[tuple[str, str]]) -> None:
        self.query = pairs
        self.push_event(QueryChanged(query_string=urlencode(pairs)))


def _too_big(size: int, limit: int) -> ExceptionInfo:
    return ExceptionInfo(
        exc_type="MessageSizeError",
        message=(
            f"An element of {size / 1e6:.1f} MB exceeds the {limit / 1e6:.0f} MB limit "
            "(server.maxMessageSize). Show less data, or raise the limit."
        ),
    )


PRODUCTION_MESSAGE = (
    "This app has encountered an error. The details are in the server log under the error id "
    "below; give it to the app's operator."
)


def exception_element(
    exc: BaseException, details: bool, redact: Redactor | None = None
) -> ExceptionInfo:
    """An exception as shown in the app; the runtime's own frames are left out.

    With `details` (development mode on loopback) the browser gets the message and traceback.
    Without (production) it gets the type, a short message and an error id; the server log gets
    the full report under that id. Secrets are redacted from both (`redact`).
    """
    redact = redact or Redactor(())
    tb = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.startswith(_APP_DIR)]
    frames = tuple(redact(line) for line in traceback.format_list(tb))
    message = str(exc)
    if isinstance(exc, SyntaxError) and exc.lineno:
        message = f"{exc.msg} ({exc.filename}, line {exc.lineno})"
    message = redact(message)
    name = type(exc).__name__
    if details:
        return ExceptionInfo(exc_type=name, message=message, traceback=frames)
    error_id = secrets.token_hex(6)
    log.error("app error %s: %s: %s\n%s", error_id, name, message, "".join(frames))
    return ExceptionInfo(exc_type=name, message=PRODUCTION_MESSAGE, error_id=error_id)
