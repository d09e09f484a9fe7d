"""Layout: columns, container, expander, tabs, empty. Each returns handles usable in `with`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from bastion.app import context, markup
from bastion.app.container import DeltaGenerator, emit, emit_block
from bastion.app.errors import InvalidArgument
from bastion.protocol.app import Column, Columns, Empty, Expander, Tab, Tabs, Vertical

_GAPS = ("small", "medium", "large")


def columns(
    spec: int | Sequence[int | float],
    *,
    gap: Literal["small", "medium", "large"] = "small",
    vertical_alignment: Literal["top", "center", "bottom"] = "top",
    border: bool = False,
) -> list[DeltaGenerator]:
    if isinstance(spec, bool):
        raise InvalidArgument(
            "columns", "spec", "a positive int or a list of positive numbers", spec
        )
    if isinstance(spec, int):
        if spec < 1:
            raise InvalidArgument("columns", "spec", "a positive int", spec)
        weights: list[float] = [1.0] * spec
    else:
        try:
            weights = [float(w) for w in spec]
        except (TypeError, ValueError):
            raise InvalidArgument("columns", "spec", "a list of positive numbers", spec) from None
        if not weights or any(w <= 0 for w in weights) or any(isinstance(w, bool) for w in spec):
            raise InvalidArgument("columns", "spec", "a non-empty list of positive numbers", spec)
    if gap not in _GAPS:
        raise InvalidArgument("columns", "gap", "'small', 'medium' or 'large'", gap)
    if vertical_alignment not in ("top", "center", "bottom"):
        raise InvalidArgument(
            "columns", "vertical_alignment", "'top', 'center' or 'bottom'", vertical_alignment
        )
    row = emit_block("columns", Columns(gap=gap))
    total = sum(weights)
    return [
        emit_block(
            "columns",
            Column(
                weight=w / total,
                gap=gap,
                vertical_alignment=vertical_alignment,
                border=bool(border),
            ),
            dg=row,
        )
        for w in weights
    ]


def container(
    *, height: int | None = None, border: bool | None = None, key: str | None = None
) -> DeltaGenerator:
    if height is not None and (
        isinstance(height, bool) or not isinstance(height, int) or height < 1
    ):
        raise InvalidArgument("container", "height", "a positive int (pixels) or None", height)
    if key is not None and not isinstance(key, str):
        raise InvalidArgument("container", "key", "a str or None", key)
    show_border = bool(border) if border is not None else height is not None
    return emit_block("container", Vertical(border=show_border, height=height, key=key))


def expander(label: str, expanded: bool = False, *, icon: str | None = None) -> DeltaGenerator:
    if not isinstance(label, str):
        raise InvalidArgument("expander", "label", "a str", label)
    block = Expander(label_html=markup.inline(label), expanded=bool(expanded), icon=icon)
    return emit_block("expander", block)


def tabs(tabs: Sequence[str]) -> list[DeltaGenerator]:
    if isinstance(tabs, str) or not isinstance(tabs, Sequence) or not tabs:
        raise InvalidArgument("tabs", "tabs", "a non-empty list of tab labels", tabs)
    if not all(isinstance(t, str) for t in tabs):
        raise InvalidArgument("tabs", "tabs", "a list of str labels", tabs)
    labels = tuple(markup.inline(t) for t in tabs)
    bar = emit_block("tabs", Tabs(labels_html=labels))
    return [emit_block("tabs", Tab(label_html=label), dg=bar) for label in labels]


def empty() -> DeltaGenerator:
    """A placeholder: write into it (`ph.text(...)`, `with ph:`) to replace its content."""
    context.get("empty")
    return emit("empty", Empty(), None)
