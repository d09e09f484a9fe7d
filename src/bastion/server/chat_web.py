"""`bastion chat --web`: the interpreter behind a Bastion app, one conversation per browser tab.

The composition root's half of the web chat. `WebChat` holds what the operator chose (settings:
model, work dir, network, limits; the sandbox) and hands each app session its own `ChatWorker`.
The page (`chat_web_app.py`) renders a worker's transcript and sends it the user's words and
decisions; nothing the browser sends can change the work dir, the network, the model or the
limits, because none of them is ever read from a widget.

A `ChatWorker` owns one `Interpreter` (so one sandbox session, with its kernel's variables) and
runs each turn on a thread of its own, independent of script runs: a rerun, a disconnect or a
closed tab never cuts a block in half. Approval requests wait for an answer from the page (run,
edit, skip, always); the Stop button really stops the block (`Interpreter.stop`). When the app
session ends (tab closed and expired, or server shutdown), the worker stops its turn and closes
the interpreter, which closes its sandbox session.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from typing import Any

from bastion.interpreter import Approval, Chunk, CodeRequest, Interpreter, Settings
from bastion.interpreter.errors import HOW_TO_CONFIGURE
from bastion.protocol.exec import Sandbox

SERVICE = "bastion.web_chat"  # the key of the `WebChat` in the app runtime's services


@dataclass
class Entry:
    """One message of the transcript as the page shows it (built from streamed chunks)."""

    role: str
    type: str
    content: str = ""
    format: str | None = None
    call_id: str | None = None
    status: str | None = None
    done: bool = False


@dataclass(frozen=True)
class View:
    """A consistent copy of a worker's state for one render."""

    version: int
    entries: tuple[Entry, ...]
    running: bool
    pending: CodeRequest | None
    always: bool


@dataclass
class ChatWorker:
    interpreter: Interpreter
    _lock: threading.Condition = field(default_factory=threading.Condition)
    _entries: list[Entry] = field(default_factory=list)
    _open: dict[tuple[str, str, str | None], Entry] = field(default_factory=dict)
    _version: int = 0
    _thread: threading.Thread | None = None
    _pending: CodeRequest | None = None
    _answer: Approval | None = None
    _answered: threading.Event = field(default_factory=threading.Event)
    _closed: bool = False

    # -- what the page reads ---------------------------------------------------------------

    def view(self) -> View:
        with self._lock:
            return View(
                self._version,
                tuple(Entry(**vars(e)) for e in self._entries),
                self._thread is not None,
                self._pending,
                self.interpreter.state.always_approve,
            )

    def wait_change(self, version: int, timeout: float) -> bool:
        """Wait until the state moves past `version` (True), or `timeout` passes (False)."""
        with self._lock:
            return self._lock.wait_for(lambda: self._version != version, timeout)

    # -- what the page asks --------------------------------------------------------------------

    def send(self, text: str) -> bool:
        """Start a turn with the user's message; False if one is running (or closed)."""
        with self._lock:
            if self._thread is not None or self._closed:
                return False
            self._entries.append(Entry("user", "message", text, done=True))
            self._bump()
            self._thread = threading.Thread(
                target=self._turn, args=(text,), name="bastion-web-chat-turn", daemon=True
            )
            self._thread.start()
        return True

    def answer(self, call_id: str, action: str, code: str | None = None) -> bool:
        """The user's decision on the block waiting for approval; ignored if it is another's."""
        if action not in ("run", "edit", "skip", "always"):
            return False
        with self._lock:
            if self._pending is None or self._pending.call_id != call_id:
                return False  # a stale button (an earlier block) approves nothing
            self._answer = Approval(action=action, code=code if action == "edit" else None)  # type: ignore[arg-type]
            if action == "edit" and code is not None:
                for entry in self._entries:  # show what really runs, as the stored message does
                    if entry.type == "code" and entry.call_id == call_id:
                        entry.content = code
            self._pending = None
            self._bump()
        self._answered.set()
        return True

    def stop(self) -> None:
        """Stop the turn: a waiting block is skipped, a running one is interrupted."""
        with self._lock:
            if self._pending is not None:
                self._answer = Approval(action="skip")
                self._pending = None
                self._bump()
        self._answered.set()
        self.interpreter.stop()

    def close(self) -> threading.Thread | None:
        """End of the app session: stop the turn, close the interpreter (and its sandbox
        session). Quick for the caller; the closing itself happens on the returned thread."""
        with self._lock:
            if self._closed:
                return None
            self._closed = True
        closer = threading.Thread(target=self.close_now, name="bastion-web-chat-close", daemon=True)
        closer.start()
        return closer

    def close_now(self, timeout: float = 10.0) -> None:
        with self._lock:
            self._closed = True
            thread = self._thread
        self.stop()
        if thread is not None:
            thread.join(timeout)
        with contextlib.suppress(Exception):
            self.interpreter.close()

    # -- the turn's thread ----------------------------------------------------------------------

    def approve(self, request: CodeRequest) -> Approval:
        """The interpreter's approval callback (runs on a worker thread): wait for the page."""
        with self._lock:
            if self._closed:
                return Approval(action="skip")
            self._answered.clear()
            self._answer = None
            self._pending = request
            self._bump()
        self._answered.wait()
        with self._lock:
            answer, self._answer = self._answer, None
        return answer or Approval(action="skip")

    def _turn(self, text: str) -> None:
        try:
            for chunk in self.interpreter.chat(text, stream=True):
                self._apply(chunk)
        except Exception as exc:  # shown in the page; the worker stays usable
            with self._lock:
                self._entries.append(
                    Entry(
                        "computer",
                        "console",
                        f"{type(exc).__name__}: {exc}",
                        "notice",
                        status="failed",
                        done=True,
                    )
                )
        finally:
            with self._lock:
                self._thread = None
                self._pending = None
                self._open.clear()
                self._bump()

    def _apply(self, chunk: Chunk) -> None:
        key = (chunk.role, chunk.type, chunk.call_id)
        with self._lock:
            entry = self._open.get(key)
            if chunk.start or entry is None:
                entry = Entry(chunk.role, chunk.type, "", chunk.format, chunk.call_id)
                self._entries.append(entry)
                self._open[key] = entry
            entry.content += chunk.content
            if chunk.format is not None:
                entry.format = chunk.format
            if chunk.end:
                entry.done = True
                entry.status = chunk.status
                self._open.pop(key, None)
            self._bump()

    def _bump(self) -> None:
        self._version += 1
        self._lock.notify_all()


@dataclass
class WebChat:
    """What the operator configured, and the workers of the live app sessions."""

    settings: Settings
    sandbox: Sandbox | None
    warnings: tuple[str, ...] = ()
    model_client: Any = None  # tests: a ChatModel to use instead of the OpenAI client
    _workers: dict[str, ChatWorker] = field(default_factory=dict)
    _closing: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def configured(self) -> bool:
        return bool(self.settings.model) and self.sandbox is not None

    how_to_configure = HOW_TO_CONFIGURE

    def worker(self, session_id: str) -> tuple[ChatWorker, bool]:
        """The session's worker, created on first use: (worker, created)."""
        with self._lock:
            worker = self._workers.get(session_id)
            if worker is not None:
                return worker, False
            if self.sandbox is None:
                raise RuntimeError("the web chat has no sandbox")
            interp = Interpreter(
                sandbox=self.sandbox, settings=self.settings, model_client=self.model_client
            )
            worker = ChatWorker(interp)
            interp.approve = worker.approve  # blocks run only on the page's answer
            self._workers[session_id] = worker
            return worker, True

    def end_session(self, session_id: str) -> None:
        with self._lock:
            worker = self._workers.pop(session_id, None)
        closer = worker.close() if worker is not None else None
        if closer is not None:
            with self._lock:
                self._closing = [t for t in self._closing if t.is_alive()]
                self._closing.append(closer)

    @property
    def session_count(self) -> int:
        return len(self._workers)

    def close(self, timeout: float = 15.0) -> None:
        """Close every worker, and wait for those already closing (before the sandbox goes)."""
        with self._lock:
            workers, self._workers = list(self._workers.values()), {}
            closing, self._closing = self._closing, []
        for worker in workers:
            worker.close_now()
        for closer in closing:
            closer.join(timeout)
