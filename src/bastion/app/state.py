"""Session state: widget values and user keys, with Streamlit's rules.

Three sources feed a value, and a read takes the first that has one: a user write made this run
(``st.session_state[k] = v`` before the widget with key ``k`` is created), then the value the
frontend sent, then the value from earlier runs. The rules enforced here:

- Writing a widget's key after the widget was created in this run is an error.
- Buttons are one-shot triggers: ``True`` for the run their click started, then ``False``; their
  keys cannot be written at all. A chat input is a trigger too: its text for one run, then None.
- At the end of a complete run (finished, or ended by an uncaught exception), the state of every
  widget that run did not render is dropped. A stopped or interrupted run drops nothing.
- Client values are parsed by the widget's own definition (type, bounds, options, length); a
  value that does not parse, or one for a disabled widget, is ignored and the last valid value
  stays. Values for a form's widgets are accepted only with that form's submission.

The state is owned by one session and touched only from that session's script thread (or from
AppTest's thread while no script runs), so it needs no lock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from bastion.app.errors import DuplicateWidgetID, DuplicateWidgetKey, WidgetStateError


class InvalidValue(ValueError):
    """A widget value that its definition rejects."""


@dataclass(slots=True, eq=False)
class Widget:
    """What the runtime knows of one widget: identity, default, validation and callback."""

    id: str
    kind: str  # the st.* function name, for messages
    label: str
    key: str | None
    default: Any
    parse: Callable[[Any], Any]  # client wire value -> Python value; raises InvalidValue
    check: Callable[[Any], Any]  # a Python value (session_state write) -> coerced; raises
    form_id: str | None = None
    disabled: bool = False
    trigger: bool = False  # buttons: True for one run
    form_submit: bool = False
    on_change: Callable[..., Any] | None = None
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    help: str | None = None
    fragment_id: str | None = None  # the innermost fragment that renders it


class SessionState:
    __slots__ = (
        "_carry_triggers",
        "_created",
        "_created_keys",
        "_key_to_id",
        "_user",
        "_values",
        "_widgets",
        "_written",
    )

    def __init__(self) -> None:
        self._user: dict[str, Any] = {}
        self._values: dict[str, Any] = {}
        self._widgets: dict[str, Widget] = {}
        self._key_to_id: dict[str, str] = {}
        self._written: set[str] = set()
        self._created: set[str] = set()
        self._created_keys: dict[str, str] = {}  # key -> kind, for this run
        self._carry_triggers = False  # the last run was interrupted: its clicks still count

    # --- the run's life ------------------------------------------------------------------------

    def begin_run(
        self, client_values: Mapping[str, Any], submit: tuple[str, str] | None
    ) -> tuple[list[Widget], list[str]]:
        """Apply the frontend's values. Return the widgets whose callbacks must run, in order,
        and the ids of widgets the browser may now show differently from what it was last sent
        (a new value, or one this rejected): their elements must be sent again in full."""
        self._written.clear()
        self._created.clear()
        self._created_keys.clear()
        if not self._carry_triggers:
            self.reset_triggers()  # one-shot: a click was seen by the run it started
        self._carry_triggers = False
        changed: list[Widget] = []
        shown_differently: list[str] = []
        widgets = self._widgets
        if submit is not None and not self.valid_submit(submit):
            submit = None  # forged: not a live, enabled submit button of that form
        form = submit[0] if submit else None
        for wid, raw in client_values.items():
            w = widgets.get(wid)
            if w is None or w.form_submit:
                continue  # unknown (stale or forged) or not settable this way
            if w.form_id is not None and w.form_id != form:
                continue  # a form's values count only when that form is submitted
            if w.disabled:
                shown_differently.append(wid)  # a forged change: put the browser right
                continue
            try:
                value = w.parse(raw)
            except (InvalidValue, TypeError, ValueError, OverflowError):
                shown_differently.append(wid)  # forged or stale: keep the last valid value
                continue
            if w.trigger:
                if value:  # True for a button, the submitted text for a chat input
                    self._values[wid] = value
                    changed.append(w)
            elif value != self._values.get(wid, w.default):
                self._values[wid] = value
                changed.append(w)
                shown_differently.append(wid)
        if submit is not None:
            button = widgets[submit[1]]
            self._values[button.id] = True
            changed.append(button)
        return changed, shown_differently

    def valid_submit(self, submit: tuple[str, str]) -> bool:
        button = self._widgets.get(submit[1])
        return (
            button is not None
            and button.form_submit
            and button.form_id == submit[0]
            and not button.disabled
        )

    def finish_run(
        self,
        complete: bool,
        *,
        keep_triggers: bool = False,
        scope: frozenset[str] | None = None,
    ) -> None:
        """End of a run. `complete`: the run reached its end (or an uncaught exception).

        `scope`: a fragment run's fragments; only their widgets can have gone away."""
        self._written.clear()
        self._carry_triggers = keep_triggers
        created = self._created
        if complete:
            widgets = self._widgets
            for wid in [
                w
                for w in widgets
                if w not in created and (scope is None or widgets[w].fragment_id in scope)
            ]:
                gone = self._widgets.pop(wid)
                self._values.pop(wid, None)
                if gone.key is not None and self._key_to_id.get(gone.key) == wid:
                    del self._key_to_id[gone.key]
        # Between runs no widget is "already created": writes to widget keys are allowed again
        # (they become the widget's value in the next run).
        self._created = set()
        self._created_keys.clear()

    def register(self, w: Widget) -> Any:
        """A widget is being rendered: record it and return the value the script sees."""
        if w.id in self._created:
            raise DuplicateWidgetID(
                f"There are two identical `st.{w.kind}` widgets (label {w.label!r}) with the same "
                f"generated identity. Give each a unique `key=` argument, e.g. "
                f"st.{w.kind}({w.label!r}, key='{w.kind}_2')."
            )
        key = w.key
        if key is not None and key in self._created_keys:
            raise DuplicateWidgetKey(
                f"There are two widgets with key={key!r} (`st.{self._created_keys[key]}` and "
                f"`st.{w.kind}` {w.label!r}). Keys must be unique: give each widget its own key."
            )
        self._created.add(w.id)
        self._widgets[w.id] = w
        value: Any
        if key is not None:
            self._created_keys[key] = w.kind
            old_id = self._key_to_id.get(key)
            if old_id is not None and old_id != w.id:
                # Same key, new identity (another widget type): the old value does not carry over.
                self._values.pop(old_id, None)
            self._key_to_id[key] = w.id
            if key in self._user:
                if w.trigger:
                    raise WidgetStateError(
                        f"st.{w.kind} values cannot be set using st.session_state (key {key!r}): "
                        "a button is only True for the run its click started. Remove the write."
                    )
                self._written.discard(key)
                raw = self._user.pop(key)
                try:
                    value = w.check(raw)
                except (InvalidValue, TypeError, ValueError) as e:
                    raise WidgetStateError(
                        f"st.session_state[{key!r}] = {raw!r} is not a valid value for "
                        f"st.{w.kind} {w.label!r}: {e}"
                    ) from None
                self._values[w.id] = value
                return value
        if w.id in self._values:
            value = self._values[w.id]
            if not w.trigger:
                try:
                    value = w.check(value)
                except (InvalidValue, TypeError, ValueError):
                    value = w.default  # the definition changed (options, bounds): start over
        else:
            value = w.default
        self._values[w.id] = value
        return value

    def widget(self, widget_id: str) -> Widget | None:
        return self._widgets.get(widget_id)

    def reset_value(self, widget_id: str, value: Any) -> None:
        self._values[widget_id] = value

    def reset_triggers(self) -> None:
        for wid, w in self._widgets.items():
            if w.trigger:
                self._values[wid] = w.default  # False for buttons, None for chat inputs

    # --- what scripts see through st.session_state ------------------------------------------

    def __getitem__(self, key: str) -> Any:
        if key in self._written:
            return self._user[key]
        wid = self._key_to_id.get(key)
        if wid is not None and wid in self._values:
            return self._values[wid]
        return self._user[key]

    def __setitem__(self, key: str, value: Any) -> None:
        wid = self._key_to_id.get(key)
        if wid is not None:
            w = self._widgets.get(wid)
            if w is not None and w.trigger:
                raise WidgetStateError(
                    f"st.{w.kind} values cannot be set using st.session_state (key {key!r}). "
                    "Use another key for your own data."
                )
            if wid in self._created:
                raise WidgetStateError(
                    f"st.session_state.{key} cannot be modified after the widget with key {key!r} "
                    "is instantiated. Set it before the widget is created, or change it in the "
                    "widget's on_change callback."
                )
        self._user[key] = value
        self._written.add(key)

    def __delitem__(self, key: str) -> None:
        found = False
        if key in self._user:
            del self._user[key]
            self._written.discard(key)
            found = True
        wid = self._key_to_id.get(key)
        if wid is not None and wid in self._values:
            del self._values[wid]
            found = True
        if not found:
            raise KeyError(key)

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        if key in self._user:
            return True
        wid = self._key_to_id.get(key)
        return wid is not None and wid in self._values

    def keys(self) -> list[str]:
        keys = dict.fromkeys(self._user)
        for key, wid in self._key_to_id.items():
            if wid in self._values:
                keys[key] = None
        return list(keys)

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.keys())

    def to_dict(self) -> dict[str, Any]:
        return {k: self[k] for k in self.keys()}

    def clear(self) -> None:
        self._user.clear()
        self._written.clear()
        for wid in self._key_to_id.values():
            self._values.pop(wid, None)

    # --- by widget id (the runtime and AppTest) --------------------------------------------------

    def value_of(self, widget_id: str) -> Any:
        return self._values[widget_id]


class StateMapping(MutableMapping[str, Any]):
    """The mapping users see (`st.session_state`, AppTest's `at.session_state`): items and
    attributes over the `SessionState` that `_state()` returns."""

    __slots__ = ()

    def _state(self) -> SessionState:
        # Abstract: st.session_state finds the running session's state, AppTest holds its own.
        raise NotImplementedError

    def __getitem__(self, key: str) -> Any:
        return self._state()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._state()[key] = value

    def __delitem__(self, key: str) -> None:
        del self._state()[key]

    def __contains__(self, key: object) -> bool:
        return key in self._state()

    def __iter__(self) -> Iterator[str]:
        return iter(self._state().keys())

    def __len__(self) -> int:
        return len(self._state())

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            return self._state()[key]
        except KeyError:
            raise AttributeError(
                f"st.session_state has no attribute {key!r}. Did you forget to initialize it? "
                f"e.g. `if {key!r} not in st.session_state: st.session_state.{key} = ...`"
            ) from None

    def __setattr__(self, key: str, value: Any) -> None:
        self._state()[key] = value

    def __delattr__(self, key: str) -> None:
        try:
            del self._state()[key]
        except KeyError:
            raise AttributeError(key) from None

    def to_dict(self) -> dict[str, Any]:
        return self._state().to_dict()
