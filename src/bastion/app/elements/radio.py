"""st.radio: pick one option."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

from bastion.app import markup, widgets
from bastion.app.container import emit
from bastion.app.errors import InvalidArgument
from bastion.app.state import InvalidValue, Widget
from bastion.protocol.app import Radio


def check_index(kind: str, index: object, n: int, allow_none: bool = True) -> int | None:
    if index is None and allow_none:
        return None
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < max(n, 1):
        raise InvalidArgument(kind, "index", f"an int in [0, {n}) or None", index)
    if n == 0:
        return None
    return index


def one_of(
    options: Sequence[Any], allow_none: bool
) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """(parse, check) for a widget whose value is one option (or None)."""
    n = len(options)

    def parse(raw: object) -> Any:
        i = widgets.parse_index(raw, n, allow_none)
        return None if i is None else options[i]

    def check(value: object) -> Any:
        if value is None:
            if allow_none:
                return None
            raise InvalidValue("None is not an option")
        return options[widgets.option_index(options, value)]

    return parse, check


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
    kind = "radio"
    ctx, form_id = widgets.start(kind)
    text = widgets.check_label(kind, label)
    user_key = widgets.check_key(kind, key)
    opts = widgets.check_options(kind, options)
    shown_opts = widgets.format_options(kind, opts, format_func)
    idx = check_index(kind, index, len(opts))
    callback, cargs, ckwargs = widgets.check_callback(
        kind, on_change, args, kwargs, form_id, "on_change"
    )
    visibility = widgets.check_visibility(kind, label_visibility)
    caps = tuple(markup.inline(str(c)) for c in captions) if captions else ()
    wid = widgets.widget_id(
        kind, user_key, form_id, (text, shown_opts, idx, help, tuple(captions or ()))
    )
    parse, check = one_of(opts, allow_none=idx is None)
    default = None if idx is None else opts[idx]
    w = Widget(
        id=wid,
        kind=kind,
        label=text,
        key=user_key,
        default=default,
        parse=parse,
        check=check,
        form_id=form_id,
        disabled=bool(disabled),
        on_change=callback,
        args=cargs,
        kwargs=ckwargs,
    )
    value, shown = widgets.register(ctx, w)
    emit(
        kind,
        Radio(
            id=wid,
            label_html=markup.inline(text),
            options_html=tuple(markup.inline(o) for o in shown_opts),
            index=None if shown is None else widgets.option_index(opts, shown),
            horizontal=bool(horizontal),
            captions_html=caps,
            form_id=form_id,
            help_html=widgets.help_html(help, kind),
            disabled=bool(disabled),
            label_visibility=visibility,
            key=user_key,
        ),
        (w, shown_opts, opts),
    )
    return value
