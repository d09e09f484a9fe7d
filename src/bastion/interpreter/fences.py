"""A streaming parser for fenced code blocks, for models that cannot call tools.

Feed it the reply as it streams, in chunks split anywhere (inside a fence, inside a language tag,
between ``\\r`` and ``\\n``); it yields prose, and every runnable block of the reply with its
language. Nothing is inferred from content: the code is exactly the lines between the fences.

Rules (CommonMark's, cut to what models write):
- a fence is 3+ backticks or tildes, indented at most 3 spaces; the info string's first word is
  the language; a block closes at a line of at least as many of the same character and nothing else;
- a block is runnable only if its language is one the interpreter runs (see `LANGUAGES`); other
  blocks (``text``, ``json``, ``output``, no tag at all) stay part of the prose, fences included;
- a line is held back only while it could still turn out to be a fence; everything else streams
  at once.
"""

from __future__ import annotations

import re

import msgspec

# Tag (lowercase) -> the language the interpreter runs it as.
LANGUAGES: dict[str, str] = {
    "python": "python",
    "py": "python",
    "python3": "python",
    "ipython": "python",
    "shell": "shell",
    "sh": "shell",
    "bash": "shell",
    "zsh": "shell",
    "javascript": "javascript",
    "js": "javascript",
    "node": "javascript",
    "nodejs": "javascript",
}

_OPENER = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
# A partial line that may still become a fence once more characters arrive.
_MAYBE_OPENER = re.compile(r"^ {0,3}(`{0,2}|~{0,2}|`{3,}.*|~{3,}.*)$")


class Text(msgspec.Struct, frozen=True):
    text: str


class BlockStart(msgspec.Struct, frozen=True):
    language: str  # canonical (python, shell, javascript)
    tag: str  # as the model wrote it


class BlockCode(msgspec.Struct, frozen=True):
    text: str


class BlockEnd(msgspec.Struct, frozen=True):
    closed: bool  # False when the reply ended inside the block


FenceEvent = Text | BlockStart | BlockCode | BlockEnd


def language_of(tag: str) -> str | None:
    """The canonical language for an info string's first word, or None if not runnable."""
    word = tag.strip().split(maxsplit=1)[0] if tag.strip() else ""
    return LANGUAGES.get(word.strip("{}.").lower())


class FenceParser:
    def __init__(self) -> None:
        self._buf = ""  # the current, incomplete line (never contains "\n")
        self._line_out = 0  # characters of the current line already emitted
        self._fence: str | None = None  # the opening fence while inside a block
        self._runnable = False  # whether the open block is a runnable one
        self._code_lines = 0  # complete lines emitted in the open runnable block

    def feed(self, chunk: str) -> list[FenceEvent]:
        events: list[FenceEvent] = []
        self._buf += chunk
        while "\n" in self._buf:
            line, self._buf = self._buf.split("\n", 1)
            self._complete_line(line, events)
            self._line_out = 0
        self._partial_line(events)
        return events

    def close(self) -> list[FenceEvent]:
        events: list[FenceEvent] = []
        if self._buf:
            self._complete_line(self._buf, events, last=True)
            self._buf = ""
        if self._fence is not None and self._runnable:
            events.append(BlockEnd(closed=False))
        self._fence = None
        return events

    def _complete_line(self, line: str, events: list[FenceEvent], *, last: bool = False) -> None:
        eol = "" if last else "\n"
        bare = line[:-1] if line.endswith("\r") else line
        if self._fence is None:
            opener = _OPENER.match(bare) if self._line_out == 0 else None
            if opener and not (opener.group(1)[0] == "`" and "`" in opener.group(2)):
                self._fence = opener.group(1)
                language = language_of(opener.group(2))
                self._runnable = language is not None
                if language is not None:
                    events.append(BlockStart(language=language, tag=opener.group(2).strip()))
                    self._code_lines = 0
                    return
            self._text(line[self._line_out :] + eol, events)
            return
        if self._is_closer(bare):
            self._fence = None
            if self._runnable:
                events.append(BlockEnd(closed=True))
            else:
                self._text(line[self._line_out :] + eol, events)
            return
        if self._runnable:
            self._code(bare[self._line_out :], events)
            self._code_lines += 1
        else:
            self._text(line[self._line_out :] + eol, events)

    def _partial_line(self, events: list[FenceEvent]) -> None:
        pending = self._buf[self._line_out :]
        if not pending or self._holds(self._buf):
            return
        if self._fence is not None and self._runnable:
            # A trailing "\r" may be half of "\r\n": keep it until the line completes.
            pending = pending.removesuffix("\r")
            if not pending:
                return
            self._code(pending, events)
        else:
            self._text(pending, events)
        self._line_out += len(pending)

    def _holds(self, line: str) -> bool:
        if self._line_out:
            return False  # part of this line is out already, so it is not a fence
        bare = line.removesuffix("\r")
        if self._fence is None:
            return _MAYBE_OPENER.match(bare) is not None
        fence_char = self._fence[0]
        return re.fullmatch(rf" {{0,3}}{re.escape(fence_char)}*[ \t]*", bare) is not None

    def _is_closer(self, bare: str) -> bool:
        match = re.fullmatch(r" {0,3}(`{3,}|~{3,})[ \t]*", bare)
        return (
            match is not None
            and self._fence is not None
            and match.group(1)[0] == self._fence[0]
            and len(match.group(1)) >= len(self._fence)
        )

    def _code(self, text: str, events: list[FenceEvent]) -> None:
        # Newlines go *before* each line after the first, so the block never ends with one.
        if self._line_out == 0 and self._code_lines:
            text = "\n" + text
        if text:
            events.append(BlockCode(text))

    @staticmethod
    def _text(text: str, events: list[FenceEvent]) -> None:
        if text:
            events.append(Text(text))


def parse(reply: str) -> list[FenceEvent]:
    """Parse a whole reply at once (the events merged the same way as when streamed)."""
    parser = FenceParser()
    return [*parser.feed(reply), *parser.close()]
