"""st.write_stream: write a stream of text (an LLM's reply) as it arrives.

Accepts generators, iterables, async generators and iterables, a callable returning one of
those, OpenAI-style chat completion chunks (`.choices[0].delta.content`) and LangChain-style
messages (`.content`). Consecutive text goes into one markdown element, rewritten in place as it
grows (each rewrite is an element at the same path; the session's flush window batches them);
anything else is written with `st.write`. Returns the text, or a list when the stream mixed text
and other objects, as Streamlit does.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterable, Iterable, Iterator
from typing import Any

from bastion.app import context
from bastion.app.container import DeltaGenerator
from bastion.app.elements import text as text_elements
from bastion.app.elements import write
from bastion.app.errors import InvalidArgument

_REDRAW_SECONDS = 0.015  # at most ~60 rewrites a second: each one renders all text so far
_CURSOR = "▏"


def _items(stream: object) -> Iterator[object]:
    if callable(stream) and not isinstance(stream, Iterable | AsyncIterable):
        stream = stream()
    if isinstance(stream, AsyncIterable):
        yield from _sync_iter(stream)
        return
    if isinstance(stream, str | bytes) or not isinstance(stream, Iterable):
        raise InvalidArgument(
            "write_stream",
            "stream",
            "a generator, an iterable, an async generator, or an OpenAI/LangChain stream",
            stream,
            "To write a plain string, use st.write.",
        )
    yield from stream


def _sync_iter(stream: AsyncIterable[object]) -> Iterator[object]:
    """Iterate an async iterable from the script thread, on a loop of its own."""
    loop = asyncio.new_event_loop()
    agen = aiter(stream)
    try:
        while True:
            try:
                yield loop.run_until_complete(anext(agen))
            except StopAsyncIteration:
                return
    finally:
        closer = getattr(agen, "aclose", None)
        if closer is not None:
            loop.run_until_complete(closer())
        loop.close()


def _text_of(item: object) -> str | None:
    """The text an item carries, or None if it is not a piece of text."""
    if isinstance(item, str):
        return item
    choices = getattr(item, "choices", None)
    if choices is not None and not isinstance(item, type):
        # OpenAI chat completion chunk: content may be None (role-only or final chunks).
        if not choices:
            return ""
        delta = getattr(choices[0], "delta", None)
        content = getattr(delta, "content", None)
        return content if isinstance(content, str) else ""
    content = getattr(item, "content", None)
    if isinstance(content, str) and not isinstance(item, type):
        return content  # LangChain AIMessageChunk and the like
    return None


def write_stream(stream: Any) -> str | list[Any]:
    context.get("write_stream")
    out: list[Any] = []
    text = ""
    holder: DeltaGenerator | None = None
    drawn_at = 0.0

    def draw(final: bool) -> None:
        nonlocal holder
        body = text if final else text + _CURSOR
        if holder is None:
            holder = text_elements.markdown(body)  # later draws replace it in place
        else:
            holder.markdown(body)

    for item in _items(stream):
        piece = _text_of(item)
        if piece is None:
            if text:
                draw(True)
                out.append(text)
            text, holder = "", None
            write.write(item)
            out.append(item)
            continue
        if not piece:
            context.get("write_stream")  # an interrupt point even for empty chunks
            continue
        text += piece
        now = time.monotonic()
        if holder is None or now - drawn_at >= _REDRAW_SECONDS:
            draw(False)
            drawn_at = now
    if text:
        draw(True)
        out.append(text)
    if not out:
        return ""
    if len(out) == 1 and isinstance(out[0], str):
        return out[0]
    return out
