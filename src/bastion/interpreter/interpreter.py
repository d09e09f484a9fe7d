"""`Interpreter`: the Python API, and the driver that performs the loop's effects.

    interp = Interpreter(sandbox=..., model="llama3.1", base_url="http://localhost:11434/v1",
                         approve=lambda request: Approval(action="run"))
    for chunk in interp.chat("plot sin(x)", stream=True): ...
    interp.chat("and cos(x)")          # -> the new messages

Code runs only after approval: `approve` is called with each `CodeRequest` (sync or async) and
answers an `Approval`; without it, blocks are refused unless `auto_run=True` is passed
explicitly. The synchronous API runs the async engine on a private event-loop thread, so the
sandbox session (and the kernel's variables) survive from one `chat()` to the next.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import inspect
import os
import secrets
import threading
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Iterator,
    Mapping,
)
from pathlib import Path
from typing import Any, Literal, TypeVar, overload

import msgspec

from bastion.interpreter.errors import ConversationError
from bastion.interpreter.executor import BlockRunner
from bastion.interpreter.llm import ChatModel, OpenAIChat
from bastion.interpreter.loop import (
    AskApproval,
    CallModel,
    ChatState,
    Emit,
    ExecOutcome,
    Execute,
    ModelEvent,
    ModelFailed,
    NextModelEvent,
    notice,
    run_turn,
    visible_messages,
)
from bastion.interpreter.prompt import sanitize
from bastion.interpreter.settings import Settings, load_settings
from bastion.protocol.chat import (
    Approval,
    Chunk,
    CodeRequest,
    Conversation,
    Message,
    decode_conversation,
    encode_conversation,
)
from bastion.protocol.exec import Sandbox, StreamName

Approver = Callable[[CodeRequest], Approval | Awaitable[Approval]]
T = TypeVar("T")


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    env = os.environ if env is None else env
    base = env.get("XDG_DATA_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".local/share")
    return Path(base) / "bastion"


class _Stopped(Exception):
    pass


class Interpreter:
    def __init__(
        self,
        *,
        sandbox: Sandbox,
        approve: Approver | None = None,
        profile: str | os.PathLike[str] | None = None,
        settings: Settings | None = None,
        model_client: ChatModel | None = None,
        language_map: Mapping[str, str] | None = None,
        **options: Any,
    ) -> None:
        """`options` are `Settings` fields (model, base_url, auto_run, network, workdir...) and
        `Limits` fields (max_steps, block_seconds...); they override profile and environment."""
        self.settings = settings or load_settings(options, profile=profile)
        self.approve = approve
        self.state = ChatState(self.settings)
        self.conversation_id = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S")
        self.conversation_id += "-" + secrets.token_hex(3)
        self.created_at = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        self._model = model_client
        if self._model is None and self.settings.model:
            # Built now, not on the first message: creating the HTTP client costs ~0.1-0.2 s.
            self._model = OpenAIChat(self.settings)
        self._runner = BlockRunner(
            sandbox, self.settings, data_dir() / "outputs" / self.conversation_id, language_map
        )
        self._stop: asyncio.Event | None = None
        self._stop_reason = ""
        self._executing = False
        self._thread: _LoopThread | None = None
        self.history_path: Path | None = (
            data_dir() / "conversations" / f"{self.conversation_id}.json"
            if self.settings.history
            else None
        )

    # -- conversation --------------------------------------------------------------------

    @property
    def messages(self) -> list[Message]:
        return self.state.messages

    def save(self, path: str | os.PathLike[str]) -> Path:
        conversation = Conversation(
            messages=self.state.messages, created_at=self.created_at, model=self.settings.model
        )
        target = Path(path).expanduser()
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = target.with_name(f"{target.name}.{secrets.token_hex(4)}.tmp")
        # Private to the user: conversations hold whatever programs printed.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(encode_conversation(conversation))
        tmp.replace(target)
        return target

    def load(self, path: str | os.PathLike[str]) -> None:
        """Resume a saved conversation. The sandbox session restarts: variables are not restored."""
        try:
            conversation = decode_conversation(Path(path).expanduser().read_bytes())
        except FileNotFoundError:
            raise ConversationError(f"no saved conversation at {os.fspath(path)!r}") from None
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            raise ConversationError(
                f"{os.fspath(path)!r} is not a saved conversation: {exc}"
            ) from None
        self.state.messages[:] = conversation.messages
        self.created_at = conversation.created_at or self.created_at
        self.state.always_approve = False
        self._call(self._runner.restart())  # the old kernel's variables belong to another story

    def reset(self) -> None:
        """Forget the conversation and restart the sandbox session."""
        self._call(self.areset())

    async def areset(self) -> None:
        """`reset()` for the async API (call it on the loop that runs `achat`)."""
        self.state.messages.clear()
        self.state.always_approve = False
        await self._runner.restart()

    def undo(self) -> int:
        """Remove the last user message and everything after it; returns how many were removed."""
        messages = self.state.messages
        last = max((i for i, m in enumerate(messages) if m.role == "user"), default=None)
        if last is None:
            return 0
        removed = len(messages) - last
        del messages[last:]
        return removed

    def token_report(self) -> dict[str, int | bool]:
        meter = self.state.meter
        estimate = meter.system(self.state.system()) + sum(
            meter.tokens_of(m) for m in visible_messages(self.state)
        )
        return {
            "next_request_estimate": estimate,
            "context_window": self.settings.context_window,
            "last_prompt_tokens": meter.last_prompt_tokens,
            "last_completion_tokens": meter.last_completion_tokens,
            "session_prompt_tokens": meter.total_prompt_tokens,
            "session_completion_tokens": meter.total_completion_tokens,
            "measured_by_endpoint": meter.measured,
        }

    # -- chatting ------------------------------------------------------------------------

    @overload
    def chat(self, message: str, *, stream: Literal[False] = False) -> list[Message]: ...

    @overload
    def chat(self, message: str, *, stream: Literal[True]) -> Iterator[Chunk]: ...

    def chat(self, message: str, *, stream: bool = False) -> list[Message] | Iterator[Chunk]:
        """Send a message; returns the new messages, or an iterator of chunks if `stream`."""
        chunks = self._iterate(self.achat(message))
        if stream:
            return chunks
        before = len(self.state.messages)
        for _ in chunks:
            pass
        return self.state.messages[before:]

    async def achat(self, message: str) -> AsyncIterator[Chunk]:
        """The async form of `chat(stream=True)`."""
        loop = asyncio.get_running_loop()
        self._stop, self._stop_reason = asyncio.Event(), ""
        deadline = loop.call_later(
            self.settings.limits.max_turn_seconds, self._request_stop, "time"
        )
        turn = run_turn(self.state, message)
        events: AsyncIterator[ModelEvent] | None = None
        reply: Any = None
        try:
            while True:
                try:
                    effect = turn.send(reply)
                except StopIteration:
                    break
                reply = None
                if isinstance(effect, Emit):
                    yield effect.chunk
                elif isinstance(effect, CallModel):
                    self._runner.warm()
                    events = self.model.stream(effect.messages, effect.tools)
                elif isinstance(effect, NextModelEvent):
                    try:
                        reply = await self._until_stopped(anext(_started(events)))
                    except _Stopped:
                        reply = ModelFailed(self._stop_message(), stopped=True)
                    except StopAsyncIteration:
                        reply = ModelFailed("The model's reply ended without a finish.")
                elif isinstance(effect, AskApproval):
                    try:
                        reply = await self._until_stopped(self._ask(effect.request))
                    except _Stopped:
                        reply = Approval(action="skip")
                elif isinstance(effect, Execute):
                    if self._stop is not None and self._stop.is_set():
                        reply = ExecOutcome("interrupted", "[stopped before it ran]")
                        continue
                    # aclosing: if our consumer leaves mid-block, the block is stopped too.
                    async with contextlib.aclosing(self._execute(effect.request)) as items:
                        async for item in items:
                            if isinstance(item, Chunk):
                                yield item
                            else:
                                reply = item
            last = self.state.messages[-1] if self.state.messages else None
            if self._stop_reason and (last is None or last.content != self._stop_message()):
                for chunk in notice(self.state, self._stop_message()):
                    yield chunk
        finally:
            deadline.cancel()
            if events is not None and hasattr(events, "aclose"):
                await events.aclose()
            self._stop = None
            if self.history_path is not None and self.state.messages:
                with contextlib.suppress(OSError):
                    self.save(self.history_path)

    def stop(self) -> None:
        """Stop the current turn: interrupt the running block, or end the model's reply."""
        thread = self._thread
        if thread is not None and threading.current_thread() is not thread.thread:
            thread.loop.call_soon_threadsafe(self._request_stop, "user")
        else:
            self._request_stop("user")

    def interrupt_block(self) -> bool:
        """Stop only the running block (Ctrl-C in the terminal); False if none is running."""
        if not self._executing:
            return False
        self.stop()
        return True

    def close(self) -> None:
        self._call(self.aclose())
        if self._thread is not None:
            self._thread.close()
            self._thread = None

    async def aclose(self) -> None:
        await self._runner.close()
        if self._model is not None:
            await self._model.close()

    def __enter__(self) -> Interpreter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals -----------------------------------------------------------------------

    @property
    def model(self) -> ChatModel:
        if self._model is None:
            self._model = OpenAIChat(self.settings)  # raises NoModelConfigured, with the fix
        return self._model

    def _request_stop(self, reason: str) -> None:
        if self._stop is not None and not self._stop.is_set():
            self._stop_reason = reason
            self._stop.set()

    def _stop_message(self) -> str:
        if self._stop_reason == "time":
            limit = self.settings.limits.max_turn_seconds
            return f"Stopped: this turn took longer than {limit:g} s (the time limit)."
        return "Stopped by the user."

    async def _until_stopped(self, awaitable: Awaitable[T]) -> T:
        stop = self._stop or asyncio.Event()
        if stop.is_set():
            if inspect.iscoroutine(awaitable):
                awaitable.close()
            raise _Stopped
        task = asyncio.ensure_future(awaitable)
        stopper = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({task, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
        if task.done():
            return task.result()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        raise _Stopped

    async def _ask(self, request: CodeRequest) -> Approval | None:
        if self.approve is None:
            return None
        if inspect.iscoroutinefunction(self.approve):
            answer = await self.approve(request)
        else:
            answer = await asyncio.to_thread(self.approve, request)
            if inspect.isawaitable(answer):
                answer = await answer
        if not isinstance(answer, Approval):
            return None  # fail closed on anything but a real answer
        return answer

    async def _execute(self, request: CodeRequest) -> AsyncGenerator[Chunk | ExecOutcome, None]:
        queue: asyncio.Queue[tuple[StreamName, str]] = asyncio.Queue()
        self._executing = True

        def on_output(stream: StreamName, data: str) -> None:
            queue.put_nowait((stream, data))

        task = asyncio.create_task(self._runner.run(request, on_output))
        stopper = asyncio.ensure_future((self._stop or asyncio.Event()).wait())
        interrupted = False
        try:
            while not (task.done() and queue.empty()):
                getter = asyncio.ensure_future(queue.get())
                waiting: set[asyncio.Future[Any]] = {task, getter}
                if not interrupted:
                    waiting.add(stopper)
                await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                if getter.done():
                    _, data = getter.result()
                    text = sanitize(data)
                    if text:
                        yield Chunk(
                            role="computer",
                            type="console",
                            format="output",
                            call_id=request.call_id,
                            content=text,
                        )
                else:
                    getter.cancel()
                if stopper.done() and not interrupted:
                    interrupted = True
                    await self._runner.interrupt()
            outcome = task.result()
        finally:
            self._executing = False
            stopper.cancel()
            if not task.done():  # the consumer went away mid-block: stop the block
                await self._runner.interrupt()
                task.cancel()
        if interrupted and outcome.status != "interrupted":
            outcome = ExecOutcome("interrupted", outcome.output, outcome.files, outcome.exit_code)
        yield outcome

    def _thread_loop(self) -> _LoopThread:
        if self._thread is None:
            self._thread = _LoopThread()
        return self._thread

    def _call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self._thread_loop().run(coroutine)

    def _iterate(self, agen: AsyncIterator[Chunk]) -> Iterator[Chunk]:
        thread = self._thread_loop()
        try:
            while True:
                try:
                    yield thread.run(anext(agen))
                except StopAsyncIteration:
                    return
        finally:
            closer = getattr(agen, "aclose", None)
            if closer is not None:
                thread.run(closer())


def _started(events: AsyncIterator[ModelEvent] | None) -> AsyncIterator[ModelEvent]:
    if events is None:
        raise RuntimeError("the loop asked for a model event before calling the model")
    return events


class _LoopThread:
    """A private event loop on its own thread, for the synchronous API."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="bastion-chat", daemon=True
        )
        self.thread.start()

    def run(self, awaitable: Awaitable[T]) -> T:
        finished = threading.Event()

        async def wrapper() -> T:
            try:
                return await awaitable
            finally:
                finished.set()

        future = asyncio.run_coroutine_threadsafe(wrapper(), self.loop)
        try:
            return future.result()
        except BaseException:
            # Interrupted while waiting (Ctrl-C in the Python API): cancel the work on the loop
            # and let its cleanup (stop the block, close the stream) finish before raising.
            future.cancel()
            finished.wait(timeout=30)
            raise

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()
