"""Elements a cached function writes: recorded on a miss, replayed at the caller's place on a hit.

A recording is a list of already-encoded nodes, each with where it went relative to the call:
into the container the function was called in (`caller`), into a block the recording itself
opened (`in`, by its op index), at the fixed position of an element it wrote (`at`: a spinner or
placeholder updated in place), or, for anything else (`st.sidebar`), the absolute path. Replay
writes them through the same `container.write` as live elements, so an outer cached function
being computed records an inner one's replay too.

Widgets are refused inside cached functions: a widget's value changes without the function
rerunning, so a cached function that reads one would return stale results silently. The error
names the fix (create the widget outside, pass its value in).
"""

from __future__ import annotations

from typing import Any

from bastion.app.container import DeltaGenerator, current, write
from bastion.app.context import RunContext
from bastion.app.errors import AppError
from bastion.protocol.app import Path

Op = tuple[str, Any, bool, bytes, object]  # (where, argument, is_block, encoded node, source)


class CachedWidgetError(AppError):
    """A widget created inside a cached function."""


class Recorder:
    __slots__ = ("_created", "caller", "func_name", "ops")

    def __init__(self, caller: DeltaGenerator, func_name: str) -> None:
        self.caller = caller
        self.func_name = func_name
        self.ops: list[Op] = []
        self._created: dict[Path, int] = {}

    def record(
        self, dg: DeltaGenerator, path: Path, data: bytes, is_block: bool, source: object
    ) -> None:
        where: str
        arg: Any = None
        locked = dg._locked
        if dg == self.caller:
            where = "caller"
        elif locked is not None:
            index = self._created.get(locked)
            where, arg = ("at", index) if index is not None else ("abs_at", locked)
        else:
            index = self._created.get(dg._path)
            where, arg = ("in", index) if index is not None else ("abs", dg._path)
        self._created[path] = len(self.ops)
        self.ops.append((where, arg, is_block, data, source))

    def refuse_widget(self, what: str) -> None:
        raise CachedWidgetError(
            f"st.{what}() was called inside the cached function {self.func_name}(). Widgets "
            "cannot be cached: their value changes without the function running again. Create "
            f"the widget outside {self.func_name}() and pass its value in as an argument."
        )


def replay(ctx: RunContext, ops: list[Op]) -> None:
    caller = current(ctx)
    placed: list[Path] = []
    for where, arg, is_block, data, source in ops:
        if where == "caller":
            dg = caller
        elif where == "in":
            dg = DeltaGenerator(placed[arg])
        elif where == "at":
            dg = DeltaGenerator(placed[arg][:-1], locked=placed[arg])
        elif where == "abs_at":
            dg = DeltaGenerator(tuple(arg[:-1]), locked=tuple(arg))
        else:
            dg = DeltaGenerator(tuple(arg))
        placed.append(write(ctx, dg, data, is_block, source))
