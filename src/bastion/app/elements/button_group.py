"""st.pills, st.segmented_control and st.feedback: a row of toggle buttons."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

from bastion.app import markup, widgets
from bastion.app.errors import InvalidArgument
from bastion.app.state import InvalidValue
from bastion.protocol.app import ButtonGroup

Visibility = Literal["visible", "hidden", "collapsed"]
Style = Literal["pills", "segmented_control", "thumbs", "faces", "stars"]
_FEEDBACK = {
    "thumbs": ("\N{THUMBS DOWN SIGN}", "\N{THUMBS UP SIGN}"),
    "faces": ("😞", "🙁", "😐", "🙂", "😀"),
    "stars": ("★",) * 5,
}


def _group(
    c: widgets.Common,
    style: Style,
    options: list[Any],
    labels: tuple[str, ...],
    labels_html: tuple[str, ...],
    mode: object,
    default: object,
    format_func: Callable[[Any], Any] | None,
) -> Any:
    if mode not in ("single", "multi"):
        raise InvalidArgument(c.kind, "selection_mode", '"single" or "multi"', mode)
    multi = mode == "multi"
    n = len(options)
    fmt = format_func or str

    def index(v: object) -> int:
        return widgets.option_index(options, v, labels, fmt)

    try:
        if multi:
            given = (
                []
                if default is None
                else list(default)
                if isinstance(default, list | tuple)
                else [default]
            )
            start = [index(v) for v in given]
        else:
            start = [] if default is None else [index(default)]
    except InvalidValue as e:
        raise InvalidArgument(
            c.kind, "default", "one of the options (or a list of them)", default, str(e)
        ) from None

    def convert(indices: list[int]) -> Any:
        if multi:
            return [options[i] for i in indices]
        return options[indices[0]] if indices else None

    def parse(raw: object) -> Any:
        if multi:
            return convert(widgets.parse_indices(raw, n, None))
        i = widgets.parse_index(raw, n, True)
        return convert([] if i is None else [i])

    def check(v: object) -> Any:
        if multi:
            vs = list(v) if isinstance(v, list | tuple) else [v]
            return convert([index(x) for x in vs])
        return convert([] if v is None else [index(v)])

    w, current, shown = c.register(
        (style, labels, mode, tuple(start)), convert(start), parse, check
    )
    shown_items = shown if multi else ([] if shown is None else [shown])
    element = ButtonGroup(
        **c.fields(w),
        style=style,
        options_html=labels_html,
        value=tuple(widgets.option_index(options, x) for x in shown_items),
        selection_mode=mode,
    )
    c.emit(w, element, (w, labels, options))
    return current


def _options_group(
    kind: Literal["pills", "segmented_control"],
    label: str,
    options: Sequence[Any],
    selection_mode: str,
    default: Any,
    format_func: Callable[[Any], Any] | None,
    key: str | int | None,
    help: str | None,
    on_change: Callable[..., Any] | None,
    args: tuple[Any, ...] | list[Any] | None,
    kwargs: dict[str, Any] | None,
    disabled: bool,
    label_visibility: Visibility,
) -> Any:
    c = widgets.Common(kind, label, key, help, on_change, args, kwargs, disabled, label_visibility)
    opts = widgets.check_options(kind, options)
    labels = widgets.format_options(kind, opts, format_func or str)
    # Labels may carry emoji and inline markdown (Streamlit's icons in labels): sanitized HTML.
    labels_html = tuple(markup.inline(x) for x in labels)
    return _group(c, kind, opts, labels, labels_html, selection_mode, default, format_func)


def pills(
    label: str,
    options: Sequence[Any],
    *,
    selection_mode: Literal["single", "multi"] = "single",
    default: Any = None,
    format_func: Callable[[Any], Any] | None = None,
    key: str | int | None = None,
    help: str | None = None,
    on_change: Callable[..., Any] | None = None,
    args: tuple[Any, ...] | list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    disabled: bool = False,
    label_visibility: Visibility = "visible",
) -> Any:
    return _options_group(
        "pills", label, options, selection_mode, default, format_func, key, help, on_change,
        args, kwargs, disabled, label_visibility,
    )  # fmt: skip


def segmented_control(
    label: str,
    options: Sequence[Any],
    *,
    selection_mode: Literal["single", "multi"] = "single",
    default: Any = None,
    format_func: Callable[[Any], Any] | None = None,
    key: str | int | None = None,
    help: str | None = None,
    on_change: Callable[..., Any] | None = None,
    args: tuple[Any, ...] | list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    disabled: bool = False,
    label_visibility: Visibility = "visible",
) -> Any:
    return _options_group(
        "segmented_control", label, options, selection_mode, default, format_func, key, help,
        on_change, args, kwargs, disabled, label_visibility,
    )  # fmt: skip


def feedback(
    options: Literal["thumbs", "faces", "stars"] = "thumbs",
    *,
    key: str | int | None = None,
    default: int | None = None,
    disabled: bool = False,
    on_change: Callable[..., Any] | None = None,
    args: tuple[Any, ...] | list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
) -> int | None:
    """Thumbs return 0 (down) or 1 (up); faces and stars 0 to 4; None until the user picks."""
    c = widgets.Common("feedback", "", key, None, on_change, args, kwargs, disabled, "collapsed")
    icons = _FEEDBACK.get(options)
    if icons is None:
        raise InvalidArgument(c.kind, "options", '"thumbs", "faces" or "stars"', options)
    values = list(range(len(icons)))
    if default is not None and default not in values:
        raise InvalidArgument(c.kind, "default", f"None or an int in [0, {len(icons)})", default)
    labels = tuple(str(i) for i in values)
    picked: int | None = _group(c, options, values, labels, icons, "single", default, None)
    return picked
