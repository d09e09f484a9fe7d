"""What the model sees: stored messages -> OpenAI wire messages, token counts, trimming.

Token counts come from the endpoint itself. Every streamed request asks for usage figures
(``stream_options.include_usage``); the prompt tokens of a request are attributed to the messages
it carried (exactly, for the total; in proportion to length, for the split among the messages not
counted before) and the completion tokens to the reply. Only messages the model has not seen yet
are estimated, with the characters-per-token ratio measured on the last request. Nothing is
downloaded (tiktoken fetches its BPE files at run time; this works offline and matches whatever
tokenizer the served model really uses). Endpoints that report no usage fall back to the ratio.

Trimming drops the oldest exchanges whole (an assistant reply with its tool calls and their
outputs), never the current turn, and says in the system prompt that something was left out.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bastion.interpreter.prompt import frame_output
from bastion.interpreter.toolcall import TOOL_NAME
from bastion.protocol.chat import Message

WireMessage = dict[str, Any]
_OVERHEAD = 4  # tokens a chat template adds around one message


@dataclass
class Usage:
    prompt_tokens: int
    completion_tokens: int


@dataclass
class TokenMeter:
    chars_per_token: float = 3.0  # conservative until the endpoint reports real figures
    system_tokens: int | None = None
    system_text: str = ""
    last_prompt_tokens: int = 0
    last_completion_tokens: int = 0
    total_prompt_tokens: int = 0
    total_completion_tokens: int = 0
    measured: bool = False  # whether any figure came from the endpoint

    def estimate_text(self, text: str) -> int:
        return math.ceil(len(text) / self.chars_per_token) + _OVERHEAD

    def tokens_of(self, message: Message) -> int:
        return message.tokens if message.tokens is not None else self.estimate_text(message.content)

    def system(self, text: str) -> int:
        if self.system_tokens is not None and text == self.system_text:
            return self.system_tokens
        return self.estimate_text(text)

    def record(
        self, system: str, sent: Sequence[Message], reply: Sequence[Message], usage: Usage | None
    ) -> None:
        """Attribute a request's real usage figures to the messages it carried and produced."""
        if usage is None:
            return
        self.measured = True
        self.last_prompt_tokens, self.last_completion_tokens = (
            usage.prompt_tokens,
            usage.completion_tokens,
        )
        self.total_prompt_tokens += usage.prompt_tokens
        self.total_completion_tokens += usage.completion_tokens
        chars = len(system) + sum(len(m.content) for m in sent)
        if usage.prompt_tokens > 0 and chars > 0:
            self.chars_per_token = max(1.0, chars / usage.prompt_tokens)
        system_known = self.system_tokens is not None and system == self.system_text
        known = sum(m.tokens for m in sent if m.tokens is not None)
        known += self.system_tokens if system_known and self.system_tokens is not None else 0
        unknown: list[Message | None] = [m for m in sent if m.tokens is None]
        if not system_known:
            unknown.append(None)  # None stands for the system prompt
        remaining = usage.prompt_tokens - known
        if remaining < len(unknown):  # figures disagree (e.g. a different server): recount all
            unknown = [*sent, None]
            remaining = usage.prompt_tokens
        _share(unknown, remaining, system, self)
        _share(list(reply), usage.completion_tokens, system, self)


def _share(targets: Sequence[Message | None], total: int, system: str, meter: TokenMeter) -> None:
    if not targets:
        return
    weights = [len(system if m is None else m.content) + 1 for m in targets]
    whole = sum(weights)
    given = 0
    for n, (message, weight) in enumerate(zip(targets, weights, strict=True)):
        part = total - given if n == len(targets) - 1 else max(1, total * weight // whole)
        given += part
        if message is None:
            meter.system_tokens, meter.system_text = max(1, part), system
        else:
            message.tokens = max(1, part)


def exchanges(messages: Sequence[Message]) -> list[list[Message]]:
    """Split into units that are kept or dropped whole: a user message, or a reply + its outputs."""
    groups: list[list[Message]] = []
    for message in messages:
        starts_group = (
            not groups
            or message.role == "user"
            or groups[-1][-1].role == "user"
            or (message.role == "assistant" and groups[-1][-1].role == "computer")
        )
        if starts_group:
            groups.append([message])
        else:
            groups[-1].append(message)
    return groups


def select(
    messages: Sequence[Message], system: str, meter: TokenMeter, budget: int
) -> tuple[list[Message], int]:
    """The newest messages that fit `budget` tokens with the system prompt, and how many did not.

    The current turn (from the last user message on) is always kept.
    """
    groups = exchanges(messages)
    last_user = max((i for i, g in enumerate(groups) if g[0].role == "user"), default=0)
    total = meter.system(system) + sum(meter.tokens_of(m) for g in groups for m in g)
    first = 0
    while total > budget and first < last_user:
        total -= sum(meter.tokens_of(m) for m in groups[first])
        first += 1
    kept = [m for g in groups[first:] for m in g]
    return kept, len(messages) - len(kept)


def to_wire(
    messages: Sequence[Message], system: str, *, tools: bool, key: bytes
) -> list[WireMessage]:
    wire: list[WireMessage] = [{"role": "system", "content": system}]
    for group in exchanges(messages):
        if group[0].role == "user":
            wire.append({"role": "user", "content": group[0].content})
        elif tools:
            wire.extend(_tool_group(group, key))
        else:
            wire.append(_markdown_group(group, key))
    return wire


def _outputs(group: Sequence[Message]) -> dict[str, list[Message]]:
    outputs: dict[str, list[Message]] = {}
    for message in group:
        if message.role == "computer" and message.call_id is not None:
            outputs.setdefault(message.call_id, []).append(message)
    return outputs


def _result_text(code: Message, outputs: Sequence[Message], key: bytes) -> str:
    """Notices are the interpreter's own words; program output goes inside an untrusted frame."""
    if not outputs:
        return "(not run: the turn ended before this block)"
    notes = [m.content for m in outputs if m.type == "console" and m.format == "notice"]
    output = next((m for m in outputs if m.type == "console" and m.format == "output"), None)
    parts = list(notes)
    if output is not None:
        body = output.content
        for image in (m for m in outputs if m.type == "image"):
            body += f"\n[{image.format} output saved to {image.content}]"
        status = output.status or "ok"
        parts.append(frame_output(code.call_id or "", code.format or "", status, body, key))
    return "\n".join(parts)


def _tool_group(group: Sequence[Message], key: bytes) -> list[WireMessage]:
    text = "".join(m.content for m in group if m.role == "assistant" and m.type == "message")
    codes = [m for m in group if m.role == "assistant" and m.type == "code" and m.call_id]
    assistant: WireMessage = {"role": "assistant", "content": text or None}
    if codes:
        assistant["tool_calls"] = [
            {
                "id": m.call_id,
                "type": "function",
                "function": {
                    "name": TOOL_NAME,
                    "arguments": json.dumps({"language": m.format, "code": m.content}),
                },
            }
            for m in codes
        ]
    elif not text:
        assistant["content"] = ""
    outputs = _outputs(group)
    results: list[WireMessage] = [
        {
            "role": "tool",
            "tool_call_id": m.call_id,
            "content": _result_text(m, outputs.get(m.call_id or "", []), key),
        }
        for m in codes
    ]
    return [assistant, *results]


def _markdown_group(group: Sequence[Message], key: bytes) -> WireMessage:
    # Text-only endpoints have no tool role. Output goes on the assistant side, framed as
    # untrusted data, never as a user message (Open Interpreter's mistake).
    parts: list[str] = []
    outputs = _outputs(group)
    codes = [m for m in group if m.role == "assistant" and m.type == "code"]
    for message in group:
        if message.role != "assistant":
            continue
        if message.type == "code":
            parts.append(f"\n```{message.format}\n{message.content}\n```\n")
        else:
            parts.append(message.content)
    for code in codes:
        parts.append("\n" + _result_text(code, outputs.get(code.call_id or "", []), key) + "\n")
    return {"role": "assistant", "content": "".join(parts).strip()}
