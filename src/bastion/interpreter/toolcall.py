"""The one tool the model gets, `execute(language, code)`, and strict parsing of its calls.

Streamed tool calls arrive as fragments (an id and name once, arguments in pieces). They are
assembled per index and parsed only when the reply has ended: a call whose arguments are not a
JSON object with exactly a known ``language`` and a string ``code`` is refused with a reason the
model can act on, and never run. Each call runs at most once, whatever the stream repeats.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

TOOL_NAME = "execute"


def tool_schema(languages: tuple[str, ...]) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": TOOL_NAME,
            "description": (
                "Run code in the sandboxed session (after the user approves it) and return its "
                "output. The Python session keeps variables between calls."
            ),
            "parameters": {
                "type": "object",
                "properties": {
                    "language": {"type": "string", "enum": list(languages)},
                    "code": {"type": "string", "description": "The code to run."},
                },
                "required": ["language", "code"],
                "additionalProperties": False,
            },
        },
    }


@dataclass
class PendingCall:
    index: int
    id: str = ""
    name: str = ""
    arguments: str = ""


@dataclass
class ParsedCall:
    id: str
    language: str
    code: str
    error: str | None = None  # set when the call is refused; the text goes back to the model
    raw_arguments: str = ""
    name: str = TOOL_NAME


@dataclass
class ToolCallAssembler:
    calls: dict[int, PendingCall] = field(default_factory=dict)

    def feed(self, index: int, id: str | None, name: str | None, arguments: str | None) -> None:
        call = self.calls.setdefault(index, PendingCall(index=index))
        if id and not call.id:
            call.id = id
        if name:
            # Some servers resend the whole name with every fragment; others send it once.
            call.name = name if name.startswith(call.name) or not call.name else call.name + name
        if arguments:
            call.arguments += arguments

    def finish(self, languages: tuple[str, ...], fallback_id: str) -> list[ParsedCall]:
        parsed: list[ParsedCall] = []
        seen: set[str] = set()
        for n, index in enumerate(sorted(self.calls)):
            call = self.calls[index]
            call_id = call.id or f"{fallback_id}-{n}"
            if call_id in seen:
                call_id = f"{call_id}-{n}"
            seen.add(call_id)
            parsed.append(parse_call(call_id, call.name, call.arguments, languages))
        return parsed


def parse_call(call_id: str, name: str, arguments: str, languages: tuple[str, ...]) -> ParsedCall:
    def refuse(reason: str, language: str = "", code: str = "") -> ParsedCall:
        return ParsedCall(call_id, language, code, reason, arguments, name)

    if name != TOOL_NAME:
        return refuse(f"unknown tool {name!r}: the only tool is {TOOL_NAME}(language, code)")
    try:
        args = json.loads(arguments or "{}", object_pairs_hook=_no_duplicate_keys)
    except (ValueError, _DuplicateKey) as exc:
        return refuse(f"the arguments are not a valid JSON object ({exc}); nothing was run")
    if not isinstance(args, dict):
        return refuse("the arguments must be a JSON object with language and code")
    extra = sorted(set(args) - {"language", "code"})
    if extra:
        return refuse(f"unexpected arguments {extra}: pass exactly language and code")
    language, code = args.get("language"), args.get("code")
    if not isinstance(code, str) or not code.strip():
        return refuse("code must be a non-empty string")
    if not isinstance(language, str) or language not in languages:
        return refuse(
            f"language {language!r} is not available; use one of {list(languages)}", code=code
        )
    return ParsedCall(call_id, language, code, None, arguments, name)


class _DuplicateKey(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(f"duplicate key {key!r}")
        result[key] = value
    return result
