"""Runtime: one app script, its sessions, and the handshake. Sans I/O.

The server adapter creates one `Runtime` per served script and, for each WebSocket, decodes the
first frame and calls `connect()`: the answer is the frame to send back (`Welcome` or `Refused`)
and, on success, the session to feed every later frame to. On a drop it calls `disconnect()`; a
session then waits `server.disconnectedSessionTTL` seconds for a `Hello` carrying its resume
token. Resume tokens are random, single use (each `Welcome` issues a fresh one) and bound to the
user the session was created for. `expire()` drops sessions whose wait is over; the adapter calls
it on a timer.
"""

from __future__ import annotations

import logging
import secrets as _secrets
import sys
import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import msgspec

from bastion._version import __version__
from bastion.app.client_context import ClientContext, Handshake
from bastion.app.config import AppConfig, effective_mode
from bastion.app.context import install_interruptible_sleep
from bastion.app.frames import FrameStore
from bastion.app.media import MB, MediaStore
from bastion.app.pages import AppPages
from bastion.app.redact import Redactor, leaf_values, secret_env_values
from bastion.app.runner import Interrupter, Workers
from bastion.app.script import Script
from bastion.app.secrets import Secrets
from bastion.app.session import AppSession, SessionClient
from bastion.app.timers import Timers
from bastion.app.uploads import UploadStore
from bastion.protocol.app import PROTOCOL_VERSION, Hello, Refused, Welcome

if TYPE_CHECKING:
    from bastion.app.caching.store import Caches

_encode = msgspec.json.encode


class Runtime:
    def __init__(
        self,
        script: Script,
        config: AppConfig | None = None,
        *,
        secrets: Secrets | None = None,
        workers: Workers | None = None,
        services: Mapping[str, Any] | None = None,
    ) -> None:
        self.script = script
        # What the composition root gives the script (e.g. `bastion chat --web`'s interpreter
        # factory): objects, never anything a browser sends. Scripts reach it through their
        # run context (`context.get(...).session.runtime.services`).
        self.services: Mapping[str, Any] = dict(services or {})
        self.config = config or AppConfig()
        self.secrets = secrets if secrets is not None else Secrets.for_script(script.directory)
        self.workers = workers or Workers()
        self.pages = AppPages(script)
        self.interrupter = Interrupter(grace=self.config.runner.interrupt_grace_ms / 1000)
        self.timers = Timers()  # fragments' run_every
        install_interruptible_sleep()
        self._lock = threading.Lock()
        self._sessions: dict[str, AppSession] = {}
        self._by_token: dict[str, AppSession] = {}
        self._caches: Caches | None = None
        self._welcome_theme = self.config.theme.to_protocol()
        server = self.config.server
        self.media = MediaStore(
            max_session_bytes=server.max_media_session_size * MB,
            max_total_bytes=server.max_media_total_size * MB,
            grace_seconds=server.media_grace_seconds,
        )
        self.uploads = UploadStore(
            max_file_bytes=server.max_upload_size * MB,
            max_session_bytes=server.max_upload_session_size * MB,
        )
        self.frames = FrameStore()  # components.html documents and declared components' files
        # The script's directory is importable, as with `python app.py` (Streamlit does the same).
        if script.directory not in sys.path:
            sys.path.insert(0, script.directory)

    @property
    def caches(self) -> Caches:
        """This app's st.cache_data / st.cache_resource entries (made on first use)."""
        with self._lock:
            if self._caches is None:
                from bastion.app.caching.disk import default_directory
                from bastion.app.caching.store import Caches

                self._caches = Caches(
                    max_bytes=self.config.runner.max_cache_size * 1024 * 1024,
                    disk_dir=default_directory(self.script.filename),
                )
            return self._caches

    def clear_caches(self) -> None:
        """The operator's hook to clear every cache of this app, in memory and on disk. Nothing a
        browser sends reaches it (Streamlit lets any viewer do this for everyone)."""
        self.caches.clear_all()

    @property
    def show_tracebacks(self) -> bool:
        """Full tracebacks in the browser: development mode (loopback only) and the client
        option allow it; otherwise a short message and an error id."""
        return (
            effective_mode(self.config.server) == "development"
            and self.config.client.show_error_details
        )

    def redactor(self, *extra: str) -> Redactor:
        """What must never appear in an error report: secrets, secret-looking environment
        variables, and `extra` (a session's tokens). Built per error: errors are rare, and
        secrets may change on disk."""
        try:
            from_secrets = list(leaf_values(self.secrets.to_dict()))
        except Exception:  # unreadable secrets.toml: nothing of it can leak either
            from_secrets = []
        return Redactor([*from_secrets, *secret_env_values(), *extra])

    @property
    def session_count(self) -> int:
        return len(self._sessions)

    def sessions(self) -> list[AppSession]:
        with self._lock:
            return list(self._sessions.values())

    def new_session(self, client: SessionClient, *, user: str | None = None) -> AppSession:
        session = AppSession(self, _secrets.token_urlsafe(16), client)
        session.user = user
        with self._lock:
            self._sessions[session.id] = session
        return session

    def connect(
        self,
        hello: Hello,
        client: SessionClient,
        *,
        user: str | None = None,
        peer: str | None = None,
        user_info: Mapping[str, object] | None = None,
        handshake: Handshake | None = None,
    ) -> tuple[AppSession | None, bytes]:
        """Answer a Hello: `(session, welcome frame)`, or `(None, refused frame)`.

        `peer` identifies the client (the server passes its CSRF cookie, i.e. the browser): a
        resume token only works for the same user from the same peer. `handshake`: the
        connection's headers and peer, for `st.context` (filtered there).
        """
        if hello.protocol != PROTOCOL_VERSION:
            return None, _encode(
                Refused(
                    code="protocol",
                    message=f"this server speaks app protocol {PROTOCOL_VERSION}, the page "
                    f"speaks {hello.protocol}: reload the page to get the matching frontend",
                )
            )
        session: AppSession | None = None
        resumed = False
        with self._lock:
            if hello.resume_token:
                candidate = self._by_token.pop(hello.resume_token, None)
                # A token presented by anyone else is burned: the owner starts afresh.
                if candidate is not None and candidate.user == user and candidate.peer == peer:
                    session, resumed = candidate, True
            if session is None and len(self._sessions) >= self.config.server.max_sessions:
                return None, _encode(
                    Refused(code="overloaded", message="too many sessions; try again later")
                )
        if session is None:
            session = self.new_session(client, user=user)
            session.peer = peer
        else:
            session.attach(client)
        session.user_info = dict(user_info or {}) if user is not None else {}
        session.page = hello.page  # checked against the app's pages when the run starts
        session.client_context = ClientContext.build(handshake, hello.client)
        if hello.query_string and not resumed:
            from urllib.parse import parse_qsl

            session.query = parse_qsl(hello.query_string, keep_blank_values=True)
        token = _secrets.token_urlsafe(32)
        with self._lock:
            if session.resume_token:
                self._by_token.pop(session.resume_token, None)
            session.resume_token = token
            self._by_token[token] = session
        welcome = Welcome(
            protocol=PROTOCOL_VERSION,
            server_version=__version__,
            resume_token=token,
            resumed=resumed,
            theme=self._welcome_theme,
            max_message_bytes=self.config.server.max_message_size * 1024 * 1024,
        )
        return session, _encode(welcome)

    def disconnect(
        self,
        session: AppSession,
        now: float | None = None,
        *,
        client: SessionClient | None = None,
    ) -> None:
        """The socket dropped: stop the script, keep the state for a resume.

        Pass the socket's `client`: if the session was meanwhile resumed by a newer socket (a
        half-open connection noticed late), the late notice is ignored.
        """
        if client is not None and not session.has_client(client):
            return
        session.detach(time.monotonic() if now is None else now)

    def close_session(self, session: AppSession) -> None:
        session.close()
        with self._lock:
            self._sessions.pop(session.id, None)
            if session.resume_token:
                self._by_token.pop(session.resume_token, None)
        self.media.drop_session(session.id)
        self.uploads.drop_session(session.id)
        for callback in session.on_close[:]:
            try:
                callback()  # must be quick: expiry calls this on the server's event loop
            except Exception:
                logging.getLogger("bastion.app").exception("session close callback failed")
        session.on_close.clear()

    def expire(self, now: float | None = None) -> int:
        """Drop sessions disconnected for longer than the TTL; return how many."""
        now = time.monotonic() if now is None else now
        ttl = self.config.server.disconnected_session_ttl
        gone = [
            s
            for s in self.sessions()
            if s.disconnected_at is not None and now - s.disconnected_at >= ttl
        ]
        for s in gone:
            self.close_session(s)
        self.media.sweep(now)
        return len(gone)

    def shutdown(self, timeout: float = 2.0) -> None:
        """Stop every script and wait (up to `timeout` in all) for them to end."""
        sessions = self.sessions()
        for s in sessions:
            self.close_session(s)
        deadline = time.monotonic() + timeout
        for s in sessions:
            s.wait_idle(max(0.0, deadline - time.monotonic()))
