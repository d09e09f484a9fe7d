"""The markdown path's parser: every block, exact code, any chunking."""

from __future__ import annotations

import random

import pytest

from bastion.interpreter.fences import (
    BlockCode,
    BlockEnd,
    BlockStart,
    FenceEvent,
    FenceParser,
    Text,
)


def blocks(events: list[FenceEvent]) -> list[tuple[str, str, bool]]:
    """(language, code, closed) per runnable block; also checks the event order."""
    found: list[tuple[str, str, bool]] = []
    current: list[str] | None = None
    language = ""
    for event in events:
        if isinstance(event, BlockStart):
            assert current is None
            current, language = [], event.language
        elif isinstance(event, BlockCode):
            assert current is not None
            current.append(event.text)
        elif isinstance(event, BlockEnd):
            assert current is not None
            found.append((language, "".join(current), event.closed))
            current = None
    assert current is None
    return found


def prose(events: list[FenceEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, Text))


def feed(pieces: list[str]) -> list[FenceEvent]:
    parser = FenceParser()
    events: list[FenceEvent] = []
    for piece in pieces:
        events += parser.feed(piece)
    return events + parser.close()


REPLY = (
    "First I define it.\n"
    "```python\n"
    "lang = 'python'\n"
    "print(lang, 'python3')\n"
    "```\n"
    "Then the shell:\n"
    "~~~bash\n"
    "echo bash ```not a fence```\n"
    "  ```python\n"  # indented, still code: wrong fence character to close ~~~
    "~~~\n"
    "Some JSON, not run:\n"
    "```json\n"
    '{"python": 1}\n'
    "```\n"
    "```js\r\n"
    "console.log('js')\r\n"
    "```\r\n"
    "Done."
)
EXPECTED = [
    ("python", "lang = 'python'\nprint(lang, 'python3')", True),
    ("shell", "echo bash ```not a fence```\n  ```python", True),
    ("javascript", "console.log('js')", True),
]


def test_every_block_is_found_and_the_code_is_exact() -> None:
    events = feed([REPLY])
    assert blocks(events) == EXPECTED
    text = prose(events)
    assert text.startswith("First I define it.\n")
    assert text.endswith("Done.")
    assert '```json\n{"python": 1}\n```\n' in text  # a non-runnable block stays prose


def test_any_two_way_split_gives_the_same_blocks() -> None:
    for cut in range(len(REPLY) + 1):
        assert blocks(feed([REPLY[:cut], REPLY[cut:]])) == EXPECTED, cut


def test_character_by_character_and_random_chunks() -> None:
    assert blocks(feed(list(REPLY))) == EXPECTED
    rng = random.Random(7)  # noqa: S311 - reproducible chunking, not crypto
    for _ in range(200):
        cuts = sorted(rng.sample(range(1, len(REPLY)), rng.randint(1, 12)))
        pieces = [REPLY[a:b] for a, b in zip([0, *cuts], [*cuts, len(REPLY)], strict=True)]
        assert blocks(feed(pieces)) == EXPECTED


def test_a_language_tag_split_across_chunks_does_not_leak_into_the_code() -> None:
    # Open Interpreter turned this into "n\nx = 1" and a NameError.
    assert blocks(feed(["Here:\n``", "`pyth", "on\nx = 1\n`", "``\n"])) == [
        ("python", "x = 1", True)
    ]


def test_longer_fences_nest_shorter_ones() -> None:
    reply = "````python\ns = '''\n```\n'''\n````\n"
    assert blocks(feed([reply])) == [("python", "s = '''\n```\n'''", True)]


@pytest.mark.parametrize(
    "reply",
    [
        "```\nprint('no tag')\n```\n",
        "```text\nhello\n```\n",
        "```output\n##end_of_execution##\n```\n",
        "Inline ```python x``` is not a fence.\n",
        "    ```python\n    indented four: a code span, not a fence\n    ```\n",
    ],
)
def test_untagged_or_non_runnable_blocks_never_run(reply: str) -> None:
    events = feed([reply])
    assert blocks(events) == []
    assert prose(events) == reply


def test_an_unclosed_block_is_reported_as_unclosed() -> None:
    assert blocks(feed(["```sh\nls\n"])) == [("shell", "ls", False)]


def test_prose_streams_without_waiting_for_the_line_end() -> None:
    parser = FenceParser()
    assert prose(parser.feed("Hello wor")) == "Hello wor"
    assert prose(parser.feed("`` still prose")) == "`` still prose"
    assert prose(parser.feed("\n``")) == "\n"  # "``" could still become a fence: held back
    assert prose(parser.feed("x\n")) == "``x\n"


def test_code_streams_line_by_line_and_holds_only_a_possible_closer() -> None:
    parser = FenceParser()
    parser.feed("```python\nprint(")
    assert [e for e in parser.feed("1)\n``") if isinstance(e, BlockCode)] == [BlockCode("1)")]
    assert isinstance(parser.feed("`\n")[-1], BlockEnd)
