"""The conversation loop, as a sans-I/O core.

`run_turn(state, text)` is a generator: it yields *effects* (emit a chunk, call the model, wait for
the next model event, ask for approval, execute a block) and receives their results through
`send()`. It never touches the network, the sandbox, a clock or a terminal, so every path
(limits, refusals, broken streams, injected output) is testable by scripting the sends.

One turn: call the model; stream its reply (tool calls, or fenced blocks for text-only models);
for each block, ask approval, execute, record the output as the tool result; call the model again
with the results; stop when the model answers without code, the user skips a block or stops, or a
limit is hit (steps, tokens, repeated identical failures; wall time is the driver's clock).
"""

from __future__ import annotations

import secrets
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

from bastion.interpreter.context import TokenMeter, Usage, WireMessage, select, to_wire
from bastion.interpreter.fences import BlockCode, BlockEnd, BlockStart, FenceParser, Text
from bastion.interpreter.prompt import new_frame_key, sanitize, system_prompt, truncate
from bastion.interpreter.settings import Settings
from bastion.interpreter.toolcall import ParsedCall, ToolCallAssembler, tool_schema
from bastion.protocol.chat import (
    Approval,
    BlockStatus,
    Chunk,
    CodeRequest,
    Message,
    MessageType,
    Role,
)

# Effects: what the core asks its driver to do.


@dataclass(frozen=True)
class Emit:
    chunk: Chunk


@dataclass(frozen=True)
class CallModel:
    messages: list[WireMessage]
    tools: list[dict[str, Any]] | None


@dataclass(frozen=True)
class NextModelEvent:
    """Send back the next `ModelEvent` of the reply started by the last `CallModel`."""


@dataclass(frozen=True)
class AskApproval:
    """Send back an `Approval`, or None when nobody can approve (the block is then not run)."""

    request: CodeRequest


@dataclass(frozen=True)
class Execute:
    """Run the block; stream its output as console chunks; send back an `ExecOutcome`."""

    request: CodeRequest


Effect = Emit | CallModel | NextModelEvent | AskApproval | Execute

# What the driver sends back.


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class ToolDelta:
    index: int
    id: str | None = None
    name: str | None = None
    arguments: str | None = None


@dataclass(frozen=True)
class ModelDone:
    usage: Usage | None = None


@dataclass(frozen=True)
class ModelFailed:
    """The request failed or the stream broke. Nothing is retried once output has been seen."""

    message: str
    tools_refused: bool = False  # the endpoint rejected the tool schema: retry as text-only
    context_exceeded: bool = False  # the prompt is over the model's real window: trim, retry
    stopped: bool = False  # the user stopped the turn


ModelEvent = TextDelta | ToolDelta | ModelDone | ModelFailed


@dataclass(frozen=True)
class ExecOutcome:
    status: BlockStatus
    output: str
    files: tuple[tuple[str, str], ...] = ()  # (mime, path) of rich outputs saved as files
    exit_code: int | None = None


@dataclass
class ChatState:
    """Everything the loop keeps between turns. The driver owns it; the core mutates it."""

    settings: Settings
    messages: list[Message] = field(default_factory=list)
    meter: TokenMeter = field(default_factory=TokenMeter)
    tools: bool = True
    always_approve: bool = False
    workdir_note: str = "Your current directory is the user's work directory (read-write)."
    frame_key: bytes = field(default_factory=new_frame_key)
    # The model's real window when the endpoint proved `settings.context_window` too large.
    window: int | None = None

    def __post_init__(self) -> None:
        if self.settings.tools == "off":
            self.tools = False

    def system(self, omitted: int = 0) -> str:
        text = system_prompt(
            languages=self.settings.languages,
            tools=self.tools,
            network=self.settings.network,
            workdir_note=self.workdir_note,
            custom_instructions=self.settings.custom_instructions,
        )
        if omitted:
            text += f"\n\n({omitted} earlier messages were left out to fit the context window.)"
        return text


class _Writer:
    """Appends streamed content to stored messages and yields the matching chunks."""

    def __init__(self, messages: list[Message]) -> None:
        self.messages = messages
        self.current: Message | None = None
        self.written: list[Message] = []

    def write(
        self,
        role: Role,
        type: MessageType,
        content: str,
        *,
        format: str | None = None,
        call_id: str | None = None,
    ) -> list[Chunk]:
        chunks: list[Chunk] = []
        cur = self.current
        if cur is None or (cur.role, cur.type, cur.format, cur.call_id) != (
            role,
            type,
            format,
            call_id,
        ):
            chunks += self.close()
            self.current = Message(role=role, type=type, format=format, call_id=call_id)
            self.messages.append(self.current)
            self.written.append(self.current)
            chunks.append(Chunk(role=role, type=type, format=format, call_id=call_id, start=True))
        if content and self.current is not None:
            self.current.content += content
            chunks.append(
                Chunk(role=role, type=type, format=format, call_id=call_id, content=content)
            )
        return chunks

    def close(self, status: BlockStatus | None = None) -> list[Chunk]:
        cur, self.current = self.current, None
        if cur is None:
            return []
        cur.status = status
        return [
            Chunk(
                role=cur.role,
                type=cur.type,
                format=cur.format,
                call_id=cur.call_id,
                end=True,
                status=status,
            )
        ]


def new_call_id() -> str:
    return "call_" + secrets.token_hex(6)


def notice(state: ChatState, text: str, call_id: str | None = None) -> list[Chunk]:
    """Record something the interpreter itself reports (trusted), and stream it."""
    writer = _Writer(state.messages)
    return [
        *writer.write("computer", "console", text, format="notice", call_id=call_id),
        *writer.close(),
    ]


@dataclass
class _Reply:
    """Assembles one streamed model reply into messages and runnable calls."""

    state: ChatState
    writer: _Writer
    parser: FenceParser = field(default_factory=FenceParser)
    tool_calls: ToolCallAssembler = field(default_factory=ToolCallAssembler)
    blocks: list[ParsedCall] = field(default_factory=list)
    pending_space: str = ""
    block: ParsedCall | None = None

    def feed(self, event: TextDelta | ToolDelta) -> list[Chunk]:
        if isinstance(event, ToolDelta):
            self.tool_calls.feed(event.index, event.id, event.name, event.arguments)
            return []
        if self.state.tools:
            return self._text(event.text)
        chunks: list[Chunk] = []
        for item in self.parser.feed(event.text):
            chunks += self._fence_event(item)
        return chunks

    def finish(self) -> tuple[list[Chunk], list[ParsedCall]]:
        chunks: list[Chunk] = []
        if not self.state.tools:
            for item in self.parser.close():
                chunks += self._fence_event(item)
            chunks += self.writer.close()
            return chunks, self.blocks
        chunks += self.writer.close()
        calls = self.tool_calls.finish(self.state.settings.languages, new_call_id())
        used = {m.call_id for m in self.state.messages if m.call_id}
        for call in calls:
            if call.id in used:  # some servers number calls per reply: keep ids unique
                call.id = new_call_id()
            used.add(call.id)
            fmt = call.language or "invalid"
            chunks += self.writer.write(
                "assistant", "code", call.code or call.raw_arguments, format=fmt, call_id=call.id
            )
            chunks += self.writer.close()
        return chunks, calls

    def _text(self, text: str) -> list[Chunk]:
        cur = self.writer.current
        if not (cur and cur.type == "message") and not (self.pending_space + text).strip():
            self.pending_space += text  # no message for the blank lines between blocks
            return []
        text, self.pending_space = self.pending_space + text, ""
        return self.writer.write("assistant", "message", text)

    def _fence_event(self, item: Text | BlockStart | BlockCode | BlockEnd) -> list[Chunk]:
        if isinstance(item, Text):
            return self._text(item.text)
        if isinstance(item, BlockStart):
            self.pending_space = ""
            self.block = ParsedCall(new_call_id(), item.language, "")
            self.blocks.append(self.block)
            return self.writer.write(
                "assistant", "code", "", format=item.language, call_id=self.block.id
            )
        if self.block is None:  # the parser never ends a block it did not start
            return []
        if isinstance(item, BlockCode):
            self.block.code += item.text
            return self.writer.write(
                "assistant", "code", item.text, format=self.block.language, call_id=self.block.id
            )
        if not self.block.code.strip():
            self.block.error = "the code block was empty; nothing was run"
        return self.writer.close()


def visible_messages(state: ChatState) -> list[Message]:
    """The stored messages the model may see (interpreter notices without a call are UI only)."""
    return [m for m in state.messages if not (m.role == "computer" and m.call_id is None)]


def _request(state: ChatState) -> tuple[CallModel, str, list[Message]]:
    """The next request, the system prompt it carries, and the stored messages it sends."""
    visible = visible_messages(state)
    window = state.window or state.settings.context_window
    budget = window - state.settings.max_output_tokens
    kept, omitted = select(visible, state.system(), state.meter, budget)
    system = state.system(omitted)
    tools = [tool_schema(state.settings.languages)] if state.tools else None
    return (
        CallModel(to_wire(kept, system, tools=state.tools, key=state.frame_key), tools),
        system,
        kept,
    )


@dataclass
class _Turn:
    """What one user turn has spent so far."""

    steps: int = 0
    tokens: int = 0
    context_retries: int = 0
    failures: dict[tuple[str, str], int] = field(default_factory=dict)


def _emit(chunks: list[Chunk]) -> Generator[Effect, Any, None]:
    for chunk in chunks:
        yield Emit(chunk)


def run_turn(state: ChatState, text: str) -> Generator[Effect, Any, str]:
    """One user turn. Returns why it ended.

    The reasons: done, skipped, stopped, steps, tokens, failures, error.
    """
    limits = state.settings.limits
    state.messages.append(Message(role="user", type="message", content=text))
    turn = _Turn()
    while True:
        if turn.tokens >= limits.max_turn_tokens:
            used = f"this turn used {turn.tokens} tokens (limit {limits.max_turn_tokens})"
            yield from _emit(notice(state, f"Stopped: {used}."))
            return "tokens"
        calls = yield from _model_reply(state, turn)
        if calls is None:
            continue  # ask again: as code blocks (tools refused), or trimmed (context too long)
        if isinstance(calls, str):
            return calls
        if not calls:
            return "done"
        end = yield from _run_calls(state, turn, calls)
        if end is not None:
            message = {
                "steps": f"Stopped: {limits.max_steps} blocks ran this turn (the step limit).",
                "failures": f"Stopped: the same block failed {limits.max_repeated_failures} times.",
                "stopped": "Stopped by the user.",
                "skipped": "",
            }[end]
            if message:
                yield from _emit(notice(state, message))
            return end


def _model_reply(
    state: ChatState, turn: _Turn
) -> Generator[Effect, Any, list[ParsedCall] | str | None]:
    """Call the model and stream its reply. Returns its calls, None to ask again, or why the
    turn ended (a string)."""
    request, system, sent = _request(state)
    yield request
    writer = _Writer(state.messages)
    reply = _Reply(state, writer)
    while True:
        event = yield NextModelEvent()
        if not isinstance(event, TextDelta | ToolDelta):
            break
        yield from _emit(reply.feed(event))
    if isinstance(event, ModelFailed):
        yield from _emit(writer.close())
        auto = state.settings.tools == "auto"
        if event.tools_refused and auto and state.tools and not writer.written:
            state.tools = False  # this endpoint has no tool calls: use code blocks from now on
            yield from _emit(notice(state, "The endpoint refused tool calls; using code blocks."))
            return None
        if event.context_exceeded and not writer.written and turn.context_retries < 3:
            turn.context_retries += 1
            sent_tokens = state.meter.system(system) + sum(state.meter.tokens_of(m) for m in sent)
            window = state.window or state.settings.context_window
            output = state.settings.max_output_tokens
            state.window = int(min(window - output, sent_tokens) * 0.6) + output
            if state.window - output > 256:
                text = (
                    f"The model's context window is smaller than {window} tokens: trimming the "
                    f"conversation to {state.window} and retrying (set --context-window)."
                )
                yield from _emit(notice(state, text))
                return None
        if writer.written and not event.stopped:
            _drop_unrun_code(state, writer.written)
        yield from _emit(notice(state, event.message))
        return "stopped" if event.stopped else "error"
    if not isinstance(event, ModelDone):
        raise TypeError(f"expected a ModelEvent, got {event!r}")
    chunks, calls = reply.finish()
    yield from _emit(chunks)
    state.meter.record(system, sent, writer.written, event.usage)
    if event.usage is not None:
        turn.tokens += event.usage.prompt_tokens + event.usage.completion_tokens
    else:
        turn.tokens += state.meter.system(system) + sum(
            state.meter.tokens_of(m) for m in [*sent, *writer.written]
        )
    return calls


def _run_calls(
    state: ChatState, turn: _Turn, calls: list[ParsedCall]
) -> Generator[Effect, Any, str | None]:
    """Approve and run each call in order; returns why the turn must end, or None to go on."""
    limits = state.settings.limits
    end: str | None = None
    reply_failed = False
    for call in calls:
        if call.error or end is not None or reply_failed or turn.steps >= limits.max_steps:
            if call.error:
                reason = call.error
            elif end is not None:
                reason = f"Not run: the turn stopped ({end})."
            elif reply_failed:
                reason = "Not run: an earlier block of this reply failed."
            else:
                end = "steps"
                reason = f"Not run: the step limit ({limits.max_steps} blocks a turn) was reached."
            yield from _emit(_closed_console(state, call.id, reason, "refused"))
            continue
        request = yield from _approve(state, call)
        if request is None:
            end = "skipped"
            continue
        turn.steps += 1
        status = yield from _execute(state, request)
        if status == "interrupted":
            end = "stopped"
        elif status != "ok":
            reply_failed = not state.tools  # a script of fenced blocks stops at its first failure
            key = (request.language, request.code)
            turn.failures[key] = turn.failures.get(key, 0) + 1
            if turn.failures[key] >= limits.max_repeated_failures:
                end = "failures"
    return end


def _approve(state: ChatState, call: ParsedCall) -> Generator[Effect, Any, CodeRequest | None]:
    """The request to run (as approved, maybe edited), or None if it must not run."""
    request = CodeRequest(call_id=call.id, language=call.language, code=call.code)
    if state.settings.auto_run or state.always_approve:
        return request
    decision = yield AskApproval(request)
    if not isinstance(decision, Approval):
        yield from _emit(
            _closed_console(
                state,
                call.id,
                "Not run: nobody approved it. Approve blocks interactively, pass an approve= "
                "callback, or set auto_run=True.",
                "refused",
            )
        )
        return None
    if decision.action == "skip":
        text = "The user chose not to run this block."
        yield from _emit(_closed_console(state, call.id, text, "declined"))
        return None
    if decision.action == "edit" and decision.code is not None:
        _replace_code(state, call.id, decision.code)
        request = CodeRequest(call_id=call.id, language=call.language, code=decision.code)
        yield from _emit(notice(state, "The user edited this block before running it.", call.id))
    if decision.action == "always":
        state.always_approve = True
    return request


def _execute(state: ChatState, request: CodeRequest) -> Generator[Effect, Any, BlockStatus]:
    """Run an approved block and record its output; returns its status."""
    writer = _Writer(state.messages)
    yield from _emit(
        writer.write("computer", "console", "", format="output", call_id=request.call_id)
    )
    outcome = yield Execute(request)
    if not isinstance(outcome, ExecOutcome):
        raise TypeError(f"expected an ExecOutcome, got {outcome!r}")
    console = writer.current
    if console is not None:
        limit = state.settings.limits.max_output_chars
        console.content = truncate(sanitize(outcome.output), limit)
    yield from _emit(writer.close(outcome.status))
    for mime, path in outcome.files:
        yield from _emit(
            writer.write("computer", "image", path, format=mime, call_id=request.call_id)
        )
        yield from _emit(writer.close())
    return outcome.status


def _closed_console(state: ChatState, call_id: str, text: str, status: BlockStatus) -> list[Chunk]:
    writer = _Writer(state.messages)
    return [
        *writer.write("computer", "console", text, format="notice", call_id=call_id),
        *writer.close(status),
    ]


def _replace_code(state: ChatState, call_id: str, code: str) -> None:
    for message in state.messages:
        if message.type == "code" and message.call_id == call_id:
            message.content = code


def _drop_unrun_code(state: ChatState, written: list[Message]) -> None:
    """A broken reply's code never runs; keep it visible but out of the model's tool pairing."""
    for message in written:
        if message.type == "code":
            message.type = "message"
            message.content = f"```{message.format}\n{message.content}\n```"
            message.format = None
            message.call_id = None
