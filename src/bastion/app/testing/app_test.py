"""AppTest: run an app headless and inspect it, with `streamlit.testing.v1.AppTest`'s API.

It drives a real `AppSession` (the same runtime the server uses) and reads only what goes over
the wire: every frame is decoded with the protocol schema and applied to a `ClientTree`, exactly
as a browser would. Interactions (`click`, `set_value`...) are sent as the browser would send
them: a `Rerun` with the changed values, or a `Submit` for a form's submit button.
"""

from __future__ import annotations

import inspect
import textwrap
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bastion.app import pages
from bastion.app.config import AppConfig
from bastion.app.runner import Workers
from bastion.app.runtime import Runtime
from bastion.app.script import Script
from bastion.app.secrets import Secrets
from bastion.app.session import AppSession
from bastion.app.state import SessionState, StateMapping
from bastion.app.testing import elements as el
from bastion.app.testing.tree import ClientTree
from bastion.protocol.app import ClientMsg, Rerun, Submit, decode_server


class _Collector:
    def __init__(self) -> None:
        self.frames: list[bytes] = []
        self._lock = threading.Lock()

    def send(self, frame: bytes) -> None:
        with self._lock:
            self.frames.append(frame)

    def request_flush(self) -> None:
        pass  # AppTest reads the tree after the run; the end-of-run flush carries everything

    def take(self) -> list[bytes]:
        with self._lock:
            frames, self.frames = self.frames, []
        return frames


class SessionStateView(StateMapping):
    """`at.session_state`: read and write the session's state between runs."""

    __slots__ = ("_at",)
    _at: AppTest

    def __init__(self, at: AppTest) -> None:
        object.__setattr__(self, "_at", at)

    def _state(self) -> SessionState:
        return self._at._state

    def filtered_state(self) -> dict[str, Any]:
        return self.to_dict()

    def __repr__(self) -> str:
        return repr(self.to_dict())


class AppTest:
    def __init__(
        self,
        script: Script,
        *,
        default_timeout: float = 3,
        config: AppConfig | None = None,
        services: dict[str, Any] | None = None,
    ) -> None:
        self._script = script
        self._services = services
        self.default_timeout = default_timeout
        self.secrets: dict[str, Any] = {}
        self.query_params: dict[str, Any] = {}
        self._config = config or AppConfig()
        self._client = _Collector()
        self._runtime: Runtime | None = None
        self._session: AppSession | None = None
        self._early_state = SessionState()  # writes made before the first run
        self._pending: dict[str, Any] = {}
        self._widgets: dict[str, el.Widget] = {}
        self._tree = ClientTree()
        self._sent_query: str | None = None
        self._page: str | None = None  # a page to switch to on the next run (a script path)
        self.session_state = SessionStateView(self)

    # --- construction (Streamlit's three ways) ---------------------------------------------------

    @classmethod
    def from_file(cls, script_path: str | Path, *, default_timeout: float = 3) -> AppTest:
        """`script_path` is absolute, or relative to the file of the test calling this."""
        path = Path(script_path)
        if not path.is_absolute():
            caller = Path(inspect.stack()[1].filename).parent
            candidate = caller / path
            path = candidate if candidate.exists() else Path.cwd() / path
        if not path.is_file():
            raise FileNotFoundError(f"AppTest.from_file: no script at {path}")
        return cls(Script(path=path), default_timeout=default_timeout)

    @classmethod
    def from_string(cls, script: str, *, default_timeout: float = 3) -> AppTest:
        source = textwrap.dedent(script)
        name = f"<apptest-{abs(hash(source)):x}>"
        return cls(Script(source=source, name=name), default_timeout=default_timeout)

    @classmethod
    def from_function(
        cls,
        script: Callable[..., Any],
        *,
        default_timeout: float = 3,
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
    ) -> AppTest:
        source = textwrap.dedent(inspect.getsource(script))
        source += f"\n{script.__name__}(*__apptest_args, **__apptest_kwargs)\n"
        name = f"<apptest-{script.__name__}-{abs(hash(source)):x}>"
        extra: dict[str, object] = {
            "__apptest_args": tuple(args or ()),
            "__apptest_kwargs": dict(kwargs or {}),
        }
        return cls(
            Script(source=source, name=name, extra_globals=extra), default_timeout=default_timeout
        )

    # --- running ----------------------------------------------------------------------------

    @property
    def _state(self) -> SessionState:
        return self._session.state if self._session is not None else self._early_state

    @property
    def session(self) -> AppSession:
        """The underlying session (for tests that speak the protocol directly)."""
        return self._ensure_session()

    def _ensure_session(self) -> AppSession:
        if self._session is None:
            secrets = (
                Secrets(values=self.secrets)
                if self.secrets
                else Secrets.for_script(self._script.directory)
            )
            self._runtime = Runtime(
                self._script,
                self._config,
                secrets=secrets,
                workers=Workers(idle_timeout=1.0),
                services=self._services,
            )
            session = self._runtime.new_session(self._client)
            session.sources = {}
            session.state = self._early_state
            self._session = session
        return self._session

    def run(self, *, timeout: float | None = None) -> AppTest:
        """Run the script (again) with the pending widget changes; wait for it to finish."""
        self._ensure_session()
        if self.secrets and self._runtime is not None:
            self._runtime.secrets = Secrets(values=self.secrets)
        query = urlencode([(k, v) for k, vs in self.query_params.items() for v in _as_list(vs)])
        query_string = query if query != self._sent_query else None
        self._sent_query = query
        msg: ClientMsg
        submit = next(
            (
                w
                for wid, w in self._widgets.items()
                if isinstance(w, el.FormSubmitButton) and self._pending.get(wid)
            ),
            None,
        )
        if submit is not None:
            form = submit.form_id or ""
            values = {
                wid: self._widgets[wid].wire_value(v)
                for wid, v in self._pending.items()
                if wid in self._widgets and self._widgets[wid].form_id == form and wid != submit.id
            }
            fragment = self._tree.fragment_of(submit.path)
            msg = Submit(form=form, button=submit.id, widgets=values, fragment_id=fragment)
            self._pending = {
                k: v
                for k, v in self._pending.items()
                if k in self._widgets and self._widgets[k].form_id not in (None, form)
            }
        else:
            values = {
                wid: self._widgets[wid].wire_value(v)
                for wid, v in self._pending.items()
                if wid in self._widgets and self._widgets[wid].form_id is None
            }
            page = None
            if self._page is not None:
                session = self._ensure_session()
                if not session.page_table and session.runtime.pages.uses_navigation():
                    self._send(Rerun())  # st.navigation declares the pages: learn them first
                page = pages.page_for_test(session, self._page)
                self._page = None
            # As the browser does: a change inside a fragment reruns only that fragment.
            fragments = {self._tree.fragment_of(self._widgets[wid].path) for wid in values}
            fragment = (
                fragments.pop()
                if len(fragments) == 1 and query_string is None and page is None
                else None
            )
            msg = Rerun(widgets=values, query_string=query_string, fragment_id=fragment, page=page)
            self._pending = {
                k: v
                for k, v in self._pending.items()
                if k in self._widgets and self._widgets[k].form_id is not None
            }
        return self._send(msg, timeout)

    def _send(self, msg: ClientMsg, timeout: float | None = None) -> AppTest:
        session = self._ensure_session()
        limit = self.default_timeout if timeout is None else timeout
        session.handle(msg)
        if not session.wait_idle(limit):
            session.stop()
            session.wait_idle(1.0)
            self._absorb()
            raise RuntimeError(f"AppTest script run timed out after {limit}(s)")
        self._absorb()
        return self

    def _absorb(self) -> None:
        for frame in self._client.take():
            self._tree.apply(decode_server(frame))
        session = self._session
        if session is not None and session.sources is not None:
            for path, source in session.sources.items():
                node = self._tree.node(path)
                if node is not None:
                    node.source = source
            self.query_params = {}
            for k, v in session.query:
                if k in self.query_params:
                    self.query_params[k] = [*_as_list(self.query_params[k]), v]
                else:
                    self.query_params[k] = v
            self._sent_query = urlencode(session.query)
        self._widgets = {
            w.id: w
            for root in self._tree.roots.values()
            for w in el.collect(root, self, "_widgets")
        }

    def switch_page(self, page_path: str) -> AppTest:
        """Show another page on the next `run()`: a page script's path relative to the main
        script (`"pages/2_data.py"`), or a page's URL path. Streamlit's `AppTest.switch_page`."""
        self._page = page_path
        return self

    # --- inspection ---------------------------------------------------------------------------

    @property
    def main(self) -> el.Block:
        return el.Container(self._tree.roots[0], self)

    @property
    def sidebar(self) -> el.Block:
        return el.Container(self._tree.roots[1], self)

    @property
    def bottom(self) -> el.Block:
        """`st.bottom`'s container."""
        return el.Container(self._tree.roots[2], self)

    @property
    def page_config(self) -> Any:
        return self._tree.page_config

    @property
    def navigation(self) -> Any:
        """The last `Navigation` the app sent (its pages and the current one), or None."""
        return self._tree.navigation

    @property
    def page(self) -> str | None:
        """The URL path of the page shown ("" is the default page); None in a single-page app."""
        nav = self._tree.navigation
        return nav.current if nav is not None else None

    @property
    def page_not_found(self) -> str | None:
        return self._tree.page_not_found

    @property
    def run_status(self) -> str | None:
        """How the last run ended: "ok", "error", "stopped", "rerun" or "compile_error"."""
        return self._tree.last_status

    @property
    def toast(self) -> el.ElementList[el.Toast]:
        """The toasts shown since the last full run began (updated toasts once, as last shown)."""
        sources = self._session.toast_sources if self._session is not None else {}
        return el.ElementList([el.Toast(t, sources.get(t.id)) for t in self._tree.toasts.values()])

    def refresh(self, timeout: float | None = None) -> AppTest:
        """Take in what runs the test did not start produced (a fragment's `run_every` timer):
        wait for a run in progress to end, then read the frames."""
        session = self._ensure_session()
        session.wait_idle(self.default_timeout if timeout is None else timeout)
        self._absorb()
        return self

    def get(self, element_type: str) -> el.ElementList[Any]:
        return el.ElementList(
            [e for root in self._tree.roots.values() for e in el.collect(root, self, element_type)]
        )

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in el.TYPES:
            raise AttributeError(f"AppTest has no attribute {name!r}")
        return self.get(name)

    def __repr__(self) -> str:
        """The tree as the client holds it, one node per line (for debugging a test)."""
        lines = [f"AppTest({self._script.filename!r}):"]
        for name, root in (("main", self.main), ("sidebar", self.sidebar), ("bottom", self.bottom)):
            if len(root):
                lines.append(f"  {name}:")
                lines.extend(_outline(root, "    "))
        return "\n".join(lines)

    def close(self) -> None:
        """End the session as the server does (its `on_close` callbacks run)."""
        if self._session is not None:
            if self._runtime is not None:
                self._runtime.close_session(self._session)
            else:
                self._session.stop()
            self._session.wait_idle(1.0)


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [str(value)]


def _outline(block: el.Block, indent: str) -> list[str]:
    lines = []
    for child in block.children:
        if isinstance(child, el.Block):
            label = getattr(child.proto, "label_html", "")
            lines.append(f"{indent}{child.type}{f' {label!r}' if label else ''}")
            lines.extend(_outline(child, indent + "  "))
        else:
            key = f"(key={child.key!r})" if child.key else ""
            try:
                value = child.value
            except Exception:  # a widget whose state is gone: show the node anyway
                value = "?"
            shown = repr(value)
            lines.append(f"{indent}{child.type}{key}: {shown[:60]}")
    return lines
