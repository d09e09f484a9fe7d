"""st.selectbox: pick one option from a drop-down."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

from bastion.app import markup, widgets
from bastion.app.container import emit
from bastion.app.elements.radio import check_index, one_of
from bastion.app.state import Widget
from bastion.protocol.app import Selectbox


def selectbox(
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
    placeholder: str = "Choose an option",
    disabled: bool = False,
    label_visibility: Literal["visible", "hidden", "collapsed"] = "visible",
) -> Any:
    kind = "selectbox"
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
    wid = widgets.widget_id(kind, user_key, form_id, (text, shown_opts, idx, help, placeholder))
    parse, check = one_of(opts, allow_none=idx is None)
    w = Widget(
        id=wid,
        kind=kind,
        label=text,
        key=user_key,
        default=None if idx is None else opts[idx],
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
        Selectbox(
            id=wid,
            label_html=markup.inline(text),
            options=shown_opts,
            index=None if shown is None else widgets.option_index(opts, shown),
            placeholder=str(placeholder),
            form_id=form_id,
            help_html=widgets.help_html(help, kind),
            disabled=bool(disabled),
            label_visibility=visibility,
            key=user_key,
        ),
        (w, shown_opts, opts),
    )
    return value
