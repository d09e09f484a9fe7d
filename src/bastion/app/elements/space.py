"""st.space: vertical room between elements."""

from __future__ import annotations

from bastion.app.container import DeltaGenerator, emit
from bastion.app.errors import InvalidArgument
from bastion.protocol.app import Space

_MAX_PX = 10_000


def space(size: str | int = "small") -> DeltaGenerator:
    if isinstance(size, bool) or not (
        size in ("small", "medium", "large") or (isinstance(size, int) and 0 <= size <= _MAX_PX)
    ):
        raise InvalidArgument(
            "space", "size", f"'small', 'medium', 'large' or pixels in [0, {_MAX_PX}]", size
        )
    return emit("space", Space(size=size), size)  # type: ignore[arg-type]
