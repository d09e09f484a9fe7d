"""DeltaGenerator: a handle on a position in the app tree, and the one `emit()` under all elements.

A container (main, sidebar, a column, an expander...) is a block path; each run keeps one cursor per
container in its `RunContext`, so the n-th element written into a container lands at
``block_path + (n,)``. An element call returns a *locked* handle on the position it wrote, so
writing through that handle replaces the element in place (``st.empty()`` placeholders,
``bar = st.progress(0); bar.progress(50)``).

Handles are plain values with no per-run state, which is why ``st.sidebar`` can be a constant.
Every element function is reachable as a method of any handle (``st.sidebar.button``,
``col.write``): the call runs with that handle as the run's target container.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import msgspec

from bastion.app import context
from bastion.protocol.app import ROOT_BOTTOM, ROOT_MAIN, ROOT_SIDEBAR, Block, Element, Path

if TYPE_CHECKING:
    from types import TracebackType

    from bastion.app.context import RunContext


class DeltaGenerator:
    __slots__ = ("_form_id", "_locked", "_path")

    def __init__(
        self, path: Path, *, locked: Path | None = None, form_id: str | None = None
    ) -> None:
        self._path = path  # the block whose children this handle writes
        self._locked = locked  # a fixed position: writes replace what is there
        self._form_id = form_id

    def __repr__(self) -> str:
        where = self._locked if self._locked is not None else self._path
        return f"DeltaGenerator({list(where)})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, DeltaGenerator)
            and self._path == other._path
            and self._locked == other._locked
        )

    def __hash__(self) -> int:
        return hash((self._path, self._locked))

    @property
    def form_id(self) -> str | None:
        return self._form_id

    def __enter__(self) -> DeltaGenerator:
        context.get("container").stack.append(self)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        ctx = context.peek()
        if ctx is not None and ctx.stack and ctx.stack[-1] is self:
            ctx.stack.pop()

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)
        from bastion.app.api import element_function

        fn = element_function(name)
        if fn is None:
            raise AttributeError(
                f"{type(self).__name__} has no element {name!r}: containers accept the st.* "
                "element and layout functions (write, button, columns...)"
            )
        return functools.partial(_call_on, self, fn)


def _call_on(dg: DeltaGenerator, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    ctx = context.get(fn.__name__)
    previous = ctx.target
    ctx.target = dg
    try:
        return fn(*args, **kwargs)
    finally:
        ctx.target = previous


MAIN = DeltaGenerator((ROOT_MAIN,))
SIDEBAR = DeltaGenerator((ROOT_SIDEBAR,))
BOTTOM = DeltaGenerator((ROOT_BOTTOM,))  # st.bottom: pinned under the page


def current(ctx: RunContext) -> DeltaGenerator:
    """The container an st.* call writes into: a receiver, else the innermost `with`, else main."""
    if ctx.target is not None:
        return ctx.target
    if ctx.stack:
        return ctx.stack[-1]
    return MAIN


def next_path(ctx: RunContext, dg: DeltaGenerator) -> Path:
    if dg._locked is not None:
        return dg._locked
    parent = dg._path
    index = ctx.cursors.get(parent, 0)
    ctx.cursors[parent] = index + 1
    return (*parent, index)


_encode = msgspec.json.encode


def emit(
    what: str,
    element: Element,
    source: object = None,
    *,
    widget_id: str | None = None,
    dg: DeltaGenerator | None = None,
) -> DeltaGenerator:
    """Write `element` at the next position of the current (or given) container; return a handle.

    `source` is what AppTest shows as the element's value (the markdown text rather than the
    rendered HTML); it never goes over the wire. `widget_id` marks a widget's element.
    """
    ctx = context.get(what)
    dg = dg if dg is not None else current(ctx)
    if widget_id is not None and ctx.recorders:
        ctx.recorders[-1].refuse_widget(what)
    path = write(ctx, dg, _encode(element), False, source, widget_id)
    return DeltaGenerator(dg._path, locked=path, form_id=dg._form_id)


def write(
    ctx: RunContext,
    dg: DeltaGenerator,
    data: bytes | Callable[[Path], bytes],
    is_block: bool,
    source: object,
    widget_id: str | None = None,
) -> Path:
    """Write an encoded node at `dg`'s next position (the one path under emit, emit_block and the
    replay of cached elements); cached functions being computed record it. `data` may depend on
    the path (a fragment's block carries an id derived from where it is)."""
    path = next_path(ctx, dg)
    if callable(data):
        data = data(path)
    if is_block:
        ctx.cursors[path] = 0  # a block written again (a placeholder's) starts its children over
    ctx.session.write_node(ctx, path, data, is_block, source, widget_id)
    for recorder in ctx.recorders:
        recorder.record(dg, path, data, is_block, source)
    return path


def emit_block(
    what: str,
    block: Block | Callable[[Path], Block],
    *,
    form_id: str | None = None,
    dg: DeltaGenerator | None = None,
) -> DeltaGenerator:
    """Open a block at the next position of the current (or given) container.

    `block` may be a function of the block's path (a fragment's id depends on where it is)."""
    ctx = context.get(what)
    parent = dg if dg is not None else current(ctx)
    make = block
    data = (lambda path: _encode(make(path))) if callable(make) else _encode(make)
    path = write(ctx, parent, data, True, None)
    return DeltaGenerator(path, form_id=form_id if form_id is not None else parent._form_id)
