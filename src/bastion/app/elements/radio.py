"""st.radio: pick one option (and what st.selectbox shares with it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

from bastion.app import markup, widgets
from bastion.app.errors import InvalidArgument
from bastion.app.state import InvalidValue
from bastion.protocol.app import Radio


class OneOf:
    """Options of a pick-one widget, their labels, and its value checks."""

    def __init__(
        self, c: widgets.Common, options: object, format_func: object, index: object
    ) -> None:
        self.options = widgets.check_options(c.kind, options)
        self.labels = widgets.format_options(c.kind, self.options, format_func)  # type: ignore[arg-type]
        self.format_func: Callable[[Any], Any] = format_func  # type: ignore[assignment]
        n = len(self.options)
        if index is not None and (
            isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < max(n, 1)
        ):
            raise InvalidArgument(c.kind, "index", f"an int in [0, {n}) or None", index)
        self.index: int | None = index if n else None
        self.default = None if self.index is None else self.options[self.index]

    def parse(self, raw: object) -> Any:
        i = widgets.parse_index(raw, len(self.options), self.index is None)
        return None if i is None else self.options[i]

    def check(self, value: object) -> Any:
        if value is None:
            if self.index is None:
                return None
            raise InvalidValue("None is not an option")
        i = widgets.option_index(self.options, value, self.labels, self.format_func)
        return self.options[i]

    def index_of(self, value: object) -> int | None:
        return None if value is None else widgets.option_index(self.options, value)

    def register(self, c: widgets.Common, *identity: object) -> tuple[Any, Any, Any]:
        return c.register(
            (self.labels, self.index, *identity), self.default, self.parse, self.check
        )


def radio(
    label: str,
    options: Sequence[Any],
    index: int | None = 0,
    format_func: Callable[[Any], Any] = str,
    key: str | int | None = None,
    help: str | None = None,
    on_change: Callable[..., Any] | None = None,
    args: tuple[Any, ...] | list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    *,
    disabled: bool = False,
    horizontal: bool = False,
    captions: Sequence[str] | None = None,
    label_visibility: Literal["visible", "hidden", "collapsed"] = "visible",
) -> Any:
    c = widgets.Common(
        "radio", label, key, help, on_change, args, kwargs, disabled, label_visibility
    )
    one = OneOf(c, options, format_func, index)
    caps = tuple(str(x) for x in captions) if captions else ()
    w, value, shown = one.register(c, caps)
    element = Radio(
        **c.fields(w),
        options_html=tuple(markup.inline(o) for o in one.labels),
        index=one.index_of(shown),
        horizontal=bool(horizontal),
        captions_html=tuple(markup.inline(x) for x in caps),
    )
    c.emit(w, element, (w, one.labels, one.options))
    return value
