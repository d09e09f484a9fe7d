"""One matplotlib figure registry per app session.

pyplot keeps its figures in one process-wide registry (``Gcf.figs``), and "the current figure" is
its last entry. App scripts of several sessions run at once in threads of one process, so with the
stock registry ``plt.plot(...)`` in one session could draw on another session's figure, and
``st.pyplot()`` could show (and clear) it. `install()` swaps the registry for a proxy that gives
each session its own (figures made outside any script keep the shared one); a session's figures
go when the session does.

Installed once, when a script first runs with pyplot loaded (the runner checks, which costs a dict
lookup per run), or by st.pyplot at the latest. Figures made before that are adopted by the
session that installs. The window before installation, pyplot's first import in the process,
is the one moment two sessions could still share figures.
"""

from __future__ import annotations

import sys
import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from bastion.app import context

_lock = threading.Lock()


class SessionFigures:
    """Stands in for ``Gcf.figs`` (an OrderedDict): every operation goes to the running session's
    own OrderedDict."""

    def __init__(self, shared: OrderedDict[Any, Any]) -> None:
        self._shared = shared
        self._by_session: weakref.WeakKeyDictionary[object, OrderedDict[Any, Any]] = (
            weakref.WeakKeyDictionary()
        )

    def _figs(self) -> OrderedDict[Any, Any]:
        ctx = context.peek()
        if ctx is None:
            return self._shared
        figs = self._by_session.get(ctx.session)
        if figs is None:
            figs = self._by_session.setdefault(ctx.session, OrderedDict())
        return figs

    def adopt_shared(self) -> None:
        """Move figures made before installation to the running session."""
        if context.peek() is not None and self._shared:
            mine = self._figs()
            while self._shared:
                num, manager = self._shared.popitem(last=False)
                mine[num] = manager

    def __getattr__(self, name: str) -> Any:  # get, pop, values, items, move_to_end, clear...
        return getattr(self._figs(), name)

    def __contains__(self, num: object) -> bool:
        return num in self._figs()

    def __len__(self) -> int:
        return len(self._figs())

    def __bool__(self) -> bool:
        return bool(self._figs())

    def __iter__(self) -> Iterator[Any]:
        return iter(self._figs())

    def __reversed__(self) -> Iterator[Any]:
        figs: OrderedDict[Any, Any] = self._figs()
        return iter(reversed(figs))

    def __getitem__(self, num: Any) -> Any:
        return self._figs()[num]

    def __setitem__(self, num: Any, manager: Any) -> None:
        self._figs()[num] = manager

    def __delitem__(self, num: Any) -> None:
        del self._figs()[num]

    def __repr__(self) -> str:
        return f"SessionFigures({self._figs()!r})"


def install() -> None:
    """Give each session its own pyplot figures (idempotent)."""
    from matplotlib._pylab_helpers import Gcf

    with _lock:
        current: Any = Gcf.figs
        if not isinstance(current, SessionFigures):
            current = SessionFigures(current)
            Gcf.figs = current
    current.adopt_shared()


def install_if_loaded() -> None:
    """Called before each run: install as soon as any script has imported pyplot."""
    if "matplotlib._pylab_helpers" in sys.modules:
        install()
