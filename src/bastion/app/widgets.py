"""What every widget shares: argument checks, identity, registration and value validation.

Identity: a ``key=`` is the identity (so a keyed widget keeps its value when its label or options
change, the 1.67 rule); without a key, the identity is a hash of the widget type, its form and its
defining parameters (label, options, bounds, default...). Two widgets with the same identity in one
run raise `DuplicateWidgetID` naming the widget and the fix.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bastion.app import context, markup
from bastion.app.container import DeltaGenerator, current, emit
from bastion.app.context import RunContext
from bastion.app.errors import FormError, InvalidArgument
from bastion.app.state import InvalidValue, Widget
from bastion.protocol.app import Element

LABEL_VISIBILITIES = ("visible", "hidden", "collapsed")


def widget_id(kind: str, key: str | None, form_id: str | None, identity: Sequence[object]) -> str:
    if key is not None:
        return f"$$ID-{kind}-{key}"
    text = "\x1f".join([kind, form_id or "", *map(repr, identity)])
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=10).hexdigest()
    return f"$$ID-{kind}-{digest}"


def check_key(kind: str, key: object) -> str | None:
    if key is None:
        return None
    if isinstance(key, bool) or not isinstance(key, str | int):
        raise InvalidArgument(kind, "key", "a str or an int", key)
    return str(key)


def check_label(kind: str, label: object) -> str:
    if not isinstance(label, str):
        raise InvalidArgument(kind, "label", "a str", label, "Pass the widget's label as text.")
    return label


def check_visibility(kind: str, value: object) -> Any:
    if value not in LABEL_VISIBILITIES:
        raise InvalidArgument(kind, "label_visibility", "'visible', 'hidden' or 'collapsed'", value)
    return value


def check_callback(
    kind: str, callback: object, args: object, kwargs: object, form_id: str | None, param: str
) -> tuple[Callable[..., Any] | None, tuple[Any, ...], Mapping[str, Any]]:
    if callback is not None and not callable(callback):
        raise InvalidArgument(kind, param, "a callable or None", callback)
    if callback is not None and form_id is not None and kind != "form_submit_button":
        raise FormError(
            f"st.{kind}() inside form {form_id!r} cannot have an {param} callback: within a form, "
            "only st.form_submit_button may have a callback. Move the callback to the form's "
            "submit button, or move the widget out of the form."
        )
    if args is None:
        args = ()
    elif isinstance(args, list):
        args = tuple(args)
    if not isinstance(args, tuple):
        raise InvalidArgument(kind, "args", "a tuple or list", args)
    if kwargs is None:
        kwargs = {}
    if not isinstance(kwargs, Mapping):
        raise InvalidArgument(kind, "kwargs", "a dict", kwargs)
    return callback, args, kwargs


def help_html(help: object, kind: str) -> str | None:
    if help is None:
        return None
    if not isinstance(help, str):
        raise InvalidArgument(kind, "help", "a str or None", help)
    return markup.markdown(help)


def register(ctx: RunContext, w: Widget) -> tuple[Any, Any]:
    """Register a widget; return (value the script gets, value the element shows)."""
    if ctx.fragment is not None or ctx.fragment_run:
        from bastion.app.fragment import own_widget

        own_widget(ctx, w)
    value = ctx.state.register(w)
    if (
        w.form_id is not None
        and w.form_id == ctx.submitted_form
        and ctx.forms.get(w.form_id)
        and not w.trigger
    ):
        # clear_on_submit: the script sees what was submitted; the form shows its defaults again.
        ctx.state.reset_value(w.id, w.default)
        return value, w.default
    return value, value


def _salt(ctx: RunContext) -> tuple[str, ...]:
    return (ctx.page_salt,) if ctx.page_salt else ()


class Common:
    """The checked arguments every widget takes, and where it is being created."""

    __slots__ = (
        "args",
        "callback",
        "ctx",
        "disabled",
        "form_id",
        "help",
        "help_html",
        "key",
        "kind",
        "kwargs",
        "label",
        "visibility",
    )

    def __init__(
        self,
        kind: str,
        label: object,
        key: object,
        help: object,
        callback: object,
        args: object,
        kwargs: object,
        disabled: object,
        label_visibility: object = "visible",
        callback_param: str = "on_change",
    ) -> None:
        self.kind = kind
        self.ctx = context.get(kind)
        self.form_id = current(self.ctx).form_id
        self.label = check_label(kind, label)
        self.key = check_key(kind, key)
        self.callback, self.args, self.kwargs = check_callback(
            kind, callback, args, kwargs, self.form_id, callback_param
        )
        self.visibility = check_visibility(kind, label_visibility)
        self.disabled = bool(disabled)
        self.help = help
        self.help_html = help_html(help, kind)  # checked before anything is registered

    def register(
        self,
        identity: Sequence[object],
        default: Any,
        parse: Callable[[Any], Any],
        check: Callable[[Any], Any],
        *,
        trigger: bool = False,
        form_submit: bool = False,
    ) -> tuple[Widget, Any, Any]:
        """Create the widget's definition and register it: (widget, script value, shown value)."""
        w = Widget(
            id=widget_id(
                self.kind,
                self.key,
                self.form_id,
                # A page's widgets differ from another page's (single-page apps: no salt).
                (self.label, self.help, *identity, *_salt(self.ctx)),
            ),
            kind=self.kind,
            label=self.label,
            key=self.key,
            default=default,
            parse=parse,
            check=check,
            form_id=self.form_id,
            disabled=self.disabled,
            trigger=trigger,
            form_submit=form_submit,
            on_change=self.callback,
            args=self.args,
            kwargs=self.kwargs,
            help=self.help if isinstance(self.help, str) else None,
        )
        value, shown = register(self.ctx, w)
        return w, value, shown

    def emit(
        self, w: Widget, element: Element, source: object = None, dg: DeltaGenerator | None = None
    ) -> None:
        emit(self.kind, element, w if source is None else source, widget_id=w.id, dg=dg)

    def fields(self, w: Widget, *, visibility: bool = True) -> dict[str, Any]:
        """The fields every widget element carries."""
        out: dict[str, Any] = {
            "id": w.id,
            "label_html": markup.inline(self.label),
            "form_id": self.form_id,
            "help_html": self.help_html,
            "disabled": self.disabled,
            "key": self.key,
        }
        if visibility:
            out["label_visibility"] = self.visibility
        return out


# --- value parsers: client wire value -> Python value, or InvalidValue ---------------------------


def parse_bool(raw: object) -> bool:
    if not isinstance(raw, bool):
        raise InvalidValue(f"expected true or false, got {raw!r}")
    return raw


def parse_index(raw: object, n: int, allow_none: bool) -> int | None:
    if raw is None and allow_none:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw < n:
        raise InvalidValue(f"expected an option index in [0, {n}), got {raw!r}")
    return raw


def parse_indices(raw: object, n: int, max_selections: int | None) -> list[int]:
    if not isinstance(raw, list):
        raise InvalidValue(f"expected a list of option indices, got {raw!r}")
    out = [parse_index(i, n, False) for i in raw]
    if len(set(out)) != len(out):
        raise InvalidValue("duplicate option index")
    if max_selections is not None and len(out) > max_selections:
        raise InvalidValue(f"at most {max_selections} selections")
    return out  # type: ignore[return-value]


def parse_number(raw: object, *, integer: bool, lo: float | None, hi: float | None) -> int | float:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise InvalidValue(f"expected a number, got {raw!r}")
    if isinstance(raw, float) and not math.isfinite(raw):
        raise InvalidValue("expected a finite number")
    if integer:
        if isinstance(raw, float):
            if not raw.is_integer():
                raise InvalidValue(f"expected an integer, got {raw!r}")
            raw = int(raw)
    else:
        raw = float(raw)
    if (lo is not None and raw < lo) or (hi is not None and raw > hi):
        raise InvalidValue(f"{raw!r} is outside [{lo}, {hi}]")
    return raw


def parse_text(raw: object, max_chars: int | None, allow_none: bool) -> str | None:
    if raw is None and allow_none:
        return None
    if not isinstance(raw, str):
        raise InvalidValue(f"expected text, got {raw!r}")
    if max_chars is not None and len(raw) > max_chars:
        raise InvalidValue(f"longer than max_chars={max_chars}")
    return raw


def option_index(
    options: Sequence[object],
    value: object,
    labels: Sequence[str] | None = None,
    format_func: Callable[[Any], Any] | None = None,
) -> int:
    """The index of `value` among `options`, by equality; else, given the labels, by its label.

    The label fallback keeps a widget's value across reruns when the options are objects of a
    class the script defines (a new class each run, so old values never compare equal), as long
    as their labels are unique.
    """
    for i, option in enumerate(options):
        try:
            if option == value:
                return i
        except Exception:  # noqa: S112 - an option whose __eq__ fails simply does not match
            continue
    if labels is not None and format_func is not None:
        try:
            label = str(format_func(value))
        except Exception:
            label = None
        matches = [i for i, shown in enumerate(labels) if shown == label]
        if len(matches) == 1:
            return matches[0]
    raise InvalidValue(f"{value!r} is not one of the options")


def check_options(kind: str, options: object) -> list[Any]:
    if isinstance(options, str | bytes) or options is None:
        raise InvalidArgument(
            kind, "options", "a sequence of options (list, tuple, range...)", options
        )
    try:
        return list(options)  # type: ignore[call-overload,no-any-return]
    except TypeError:
        raise InvalidArgument(kind, "options", "an iterable of options", options) from None


def format_options(
    kind: str, options: Sequence[Any], format_func: Callable[[Any], Any]
) -> tuple[str, ...]:
    if not callable(format_func):
        raise InvalidArgument(kind, "format_func", "a callable", format_func)
    return tuple(str(format_func(o)) for o in options)
