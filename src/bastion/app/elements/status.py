"""Status elements: spinner, progress, balloons, snow."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from bastion.app import context, markup
from bastion.app.container import DeltaGenerator, emit
from bastion.app.errors import InvalidArgument
from bastion.protocol.app import Balloons, Progress, Spinner


def spinner(
    text: str = "In progress...", *, show_time: bool = False
) -> contextlib.AbstractContextManager[None]:
    if not isinstance(text, str):
        raise InvalidArgument("spinner", "text", "a str", text)
    return _spinner(text, show_time)


@contextlib.contextmanager
def _spinner(text: str, show_time: bool) -> Iterator[None]:
    handle = emit(
        "spinner", Spinner(text_html=markup.inline(text), show_time=bool(show_time)), text
    )
    try:
        yield
    finally:
        ctx = context.peek()
        if ctx is not None and not ctx.interrupt:
            handle.empty()  # the spinner goes away when the block ends


def _percent(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidArgument(
            "progress", "value", "an int in [0, 100] or a float in [0.0, 1.0]", value
        )
    if isinstance(value, int):
        if not 0 <= value <= 100:
            raise InvalidArgument("progress", "value", "an int in [0, 100]", value)
        return value
    if not 0.0 <= value <= 1.0:
        raise InvalidArgument("progress", "value", "a float in [0.0, 1.0]", value)
    return int(value * 100)


def progress(value: int | float, text: str | None = None) -> DeltaGenerator:
    if text is not None and not isinstance(text, str):
        raise InvalidArgument("progress", "text", "a str or None", text)
    percent = _percent(value)
    element = Progress(value=percent, text_html=markup.inline(text) if text else None)
    return emit("progress", element, {"value": percent, "text": text})


def balloons() -> DeltaGenerator:
    return emit("balloons", Balloons(nonce=context.get("balloons").run), None)


def snow() -> DeltaGenerator:
    return emit("snow", Balloons(nonce=context.get("snow").run, kind="snow"), None)
