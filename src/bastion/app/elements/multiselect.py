"""st.multiselect: pick any number of options."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

from bastion.app import markup, widgets
from bastion.app.container import emit
from bastion.app.errors import InvalidArgument
from bastion.app.state import InvalidValue, Widget
from bastion.protocol.app import Multiselect


def multiselect(
    label: str,
    options: Sequence[Any],
    default: Any | None = None,
    format_func: Callable[[Any], Any] = str,
    key: str | int | None = None,
    help: str | None = None,
    on_change: Callable[..., Any] | None = None,
    args: tuple[Any, ...] | list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    *,
    max_selections: int | None = None,
    placeholder: str = "Choose an option",
    disabled: bool = False,
    label_visibility: Literal["visible", "hidden", "collapsed"] = "visible",
) -> list[Any]:
    kind = "multiselect"
    ctx, form_id = widgets.start(kind)
    text = widgets.check_label(kind, label)
    user_key = widgets.check_key(kind, key)
    opts = widgets.check_options(kind, options)
    shown_opts = widgets.format_options(kind, opts, format_func)
    if max_selections is not None and (
        isinstance(max_selections, bool)
        or not isinstance(max_selections, int)
        or max_selections < 1
    ):
        raise InvalidArgument(kind, "max_selections", "a positive int or None", max_selections)

    def check(value: object) -> list[Any]:
        if value is None:
            return []
        items = [value] if isinstance(value, str) or not hasattr(value, "__iter__") else list(value)
        picked = [opts[widgets.option_index(opts, v)] for v in items]
        if max_selections is not None and len(picked) > max_selections:
            raise InvalidValue(f"at most {max_selections} selections")
        return picked

    try:
        default_list = check(default)
    except InvalidValue as e:
        raise InvalidArgument(
            kind, "default", f"options from {list(shown_opts)[:10]}", default, str(e)
        ) from None

    def parse(raw: object) -> list[Any]:
        return [opts[i] for i in widgets.parse_indices(raw, len(opts), max_selections)]

    callback, cargs, ckwargs = widgets.check_callback(
        kind, on_change, args, kwargs, form_id, "on_change"
    )
    visibility = widgets.check_visibility(kind, label_visibility)
    wid = widgets.widget_id(
        kind,
        user_key,
        form_id,
        (text, shown_opts, [repr(d) for d in default_list], help, max_selections),
    )
    w = Widget(
        id=wid,
        kind=kind,
        label=text,
        key=user_key,
        default=default_list,
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
        Multiselect(
            id=wid,
            label_html=markup.inline(text),
            options=shown_opts,
            indices=tuple(widgets.option_index(opts, v) for v in shown),
            max_selections=max_selections,
            placeholder=str(placeholder),
            form_id=form_id,
            help_html=widgets.help_html(help, kind),
            disabled=bool(disabled),
            label_visibility=visibility,
            key=user_key,
        ),
        (w, shown_opts, opts),
    )
    return list(value)
