"""st.echo: show the code of a `with` block, then run it."""

from __future__ import annotations

import contextlib
import linecache
import sys
import textwrap
from collections.abc import Iterator
from typing import Literal

from bastion.app.container import DeltaGenerator
from bastion.app.elements.layout import empty
from bastion.app.elements.text import code
from bastion.app.errors import InvalidArgument


def _block_source(filename: str, with_line: int) -> str:
    lines = linecache.getlines(filename)
    if not lines or with_line > len(lines):
        return ""
    head = lines[with_line - 1]
    indent = len(head) - len(head.lstrip())
    body: list[str] = []
    for line in lines[with_line:]:
        stripped = line.strip()
        if stripped and len(line) - len(line.lstrip()) <= indent:
            break
        body.append(line)
    while body and not body[-1].strip():
        body.pop()
    return textwrap.dedent("".join(body)).rstrip("\n")


def echo(
    code_location: Literal["above", "below"] = "above",
) -> contextlib.AbstractContextManager[None]:
    if code_location not in ("above", "below"):
        raise InvalidArgument("echo", "code_location", "'above' or 'below'", code_location)
    return _echo(code_location)


@contextlib.contextmanager
def _echo(code_location: str) -> Iterator[None]:
    frame = sys._getframe(2)  # the script's `with st.echo():` line (past contextmanager)
    source = _block_source(frame.f_code.co_filename, frame.f_lineno)
    placeholder: DeltaGenerator | None = empty() if code_location == "above" else None
    if placeholder is not None:
        placeholder.code(source, "python")
    yield
    if placeholder is None:
        code(source, "python")
