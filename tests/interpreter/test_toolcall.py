"""Tool calls are parsed strictly; anything odd is refused with a reason, never run."""

from __future__ import annotations

import json

import pytest

from bastion.interpreter.toolcall import ToolCallAssembler, parse_call, tool_schema

LANGS = ("python", "shell", "javascript")


def test_fragments_assemble_per_index() -> None:
    calls = ToolCallAssembler()
    args = json.dumps({"language": "python", "code": "x = 1"})
    calls.feed(0, "a", "execute", args[:5])
    calls.feed(1, "b", "execute", '{"language": "shell", ')
    calls.feed(0, None, None, args[5:])
    calls.feed(1, None, None, '"code": "ls"}')
    parsed = calls.finish(LANGS, "fallback")
    assert [(c.id, c.language, c.code, c.error) for c in parsed] == [
        ("a", "python", "x = 1", None),
        ("b", "shell", "ls", None),
    ]


@pytest.mark.parametrize(
    ("name", "arguments", "reason"),
    [
        ("execute", '{"language": "ruby", "code": "puts 1"}', "not available"),
        ("execute", '{"language": "python", "code": "1", "sudo": true}', "unexpected"),
        ("execute", '{"language": "python", "code": "1", "code": "2"}', "duplicate"),
        ("execute", '{"language": "python", "code": "print(1)"', "not a valid JSON"),
        ("execute", '["python", "1"]', "JSON object"),
        ("execute", '{"language": "python", "code": "   "}', "non-empty"),
        ("functions.execute", '{"language": "python", "code": "1"}', "unknown tool"),
        ("python", '{"language": "python", "code": "1"}', "unknown tool"),
    ],
)
def test_odd_calls_are_refused(name: str, arguments: str, reason: str) -> None:
    call = parse_call("c1", name, arguments, LANGS)
    assert call.error is not None
    assert reason in call.error


def test_the_schema_lists_only_available_languages_and_no_extras() -> None:
    schema = tool_schema(("python",))
    params = schema["function"]["parameters"]
    assert params["properties"]["language"]["enum"] == ["python"]
    assert params["additionalProperties"] is False
    assert "user's machine" not in schema["function"]["description"]
