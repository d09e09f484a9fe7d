"""The interpreter's conversation format: typed, streamed, versioned messages.

Pure data, no I/O. Every interface (Python API, terminal, a web UI) speaks these types.

A conversation is a list of `Message`s. While a turn runs, the interpreter streams `Chunk`s: a
`start` chunk opens a message (role, type, format, call id), content chunks append to it, an `end`
chunk closes it (and carries the final `status` of a console message). Concatenating the content
of the chunks between start and end gives the stored message's content.

Roles say who produced the content, and so how far it is trusted:

- ``user``: the person at the keyboard (trusted instructions);
- ``assistant``: the language model (untrusted: prompt injection can steer it);
- ``computer``: the sandbox, i.e. program output (untrusted data, never instructions). The
  interpreter sends it back to the model as *tool* output, never in the user role.

Types: ``message`` (prose, markdown), ``code`` (format = language; `call_id` links it to its
output), ``console`` (format ``output`` for program output or ``notice`` for what the interpreter
itself reports: a declined block, a limit that ended the turn), ``image`` (format = MIME type,
content = path of the file it was saved to; rich outputs are files, never rendered inline).
"""

from __future__ import annotations

from typing import Literal

import msgspec

SCHEMA_VERSION = 1

Role = Literal["user", "assistant", "computer"]
MessageType = Literal["message", "code", "console", "image"]

# How a code block ended. None while it runs and for non-console messages.
# ok/error: the program exited 0 / non-zero; timeout, killed (signal or memory), interrupted (stop);
# declined: the user skipped it; refused: not run (no approval, unknown language, a limit);
# failed: the sandbox could not run it.
BlockStatus = Literal[
    "ok", "error", "timeout", "killed", "interrupted", "declined", "refused", "failed"
]


class Message(msgspec.Struct, kw_only=True, omit_defaults=True):
    role: Role
    type: MessageType
    content: str = ""
    format: str | None = None
    call_id: str | None = None
    status: BlockStatus | None = None
    # What this message costs in the model's context, attributed from the endpoint's usage figures.
    tokens: int | None = None


class Chunk(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One piece of a streamed message. See the module docstring for the start/end framing."""

    role: Role
    type: MessageType
    content: str = ""
    format: str | None = None
    call_id: str | None = None
    start: bool = False
    end: bool = False
    status: BlockStatus | None = None


class Conversation(msgspec.Struct, kw_only=True):
    """What `%save` writes and `%load` / ``--resume`` read back (JSON)."""

    schema_version: int = SCHEMA_VERSION
    messages: list[Message] = msgspec.field(default_factory=list)
    created_at: str = ""  # ISO 8601, UTC
    model: str = ""


class CodeRequest(msgspec.Struct, frozen=True, kw_only=True):
    """A block the model wants to run, shown to the user for approval before anything runs."""

    call_id: str
    language: str
    code: str


ApprovalAction = Literal["run", "edit", "skip", "always"]


class Approval(msgspec.Struct, frozen=True, kw_only=True):
    """The user's answer to a `CodeRequest`.

    ``run`` runs the code as shown; ``edit`` runs `code` instead (the edited text); ``skip`` runs
    nothing; ``always`` runs it and every later block of this session without asking.
    """

    action: ApprovalAction
    code: str | None = None


def encode_conversation(conversation: Conversation) -> bytes:
    return msgspec.json.format(msgspec.json.encode(conversation), indent=2)


def decode_conversation(data: bytes) -> Conversation:
    """Parse a saved conversation; raises `msgspec.ValidationError` naming the bad field."""
    conversation = msgspec.json.decode(data, type=Conversation)
    if conversation.schema_version != SCHEMA_VERSION:
        raise msgspec.ValidationError(
            f"schema_version is {conversation.schema_version}, expected {SCHEMA_VERSION}"
        )
    return conversation
