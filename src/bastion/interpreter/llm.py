"""The LLM adapter: any OpenAI-compatible endpoint through the official `openai` client.

Streams a reply as `ModelEvent`s. Retries (the client's own, with backoff) happen only while no
byte of the reply has arrived: connection errors, 408/409/429 and 5xx before the stream starts.
A stream that breaks midway is reported, never replayed, so no output is ever shown twice.
The client's platform headers (OS, architecture, Python version) are not sent. No telemetry.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any, Protocol, cast

import openai
from openai import AsyncOpenAI, AsyncStream
from openai.types.chat import ChatCompletionChunk

from bastion.interpreter.context import Usage, WireMessage
from bastion.interpreter.errors import NoModelConfigured
from bastion.interpreter.loop import ModelDone, ModelEvent, ModelFailed, TextDelta, ToolDelta
from bastion.interpreter.settings import Settings

_PLATFORM_HEADERS = (
    "X-Stainless-Lang",
    "X-Stainless-Package-Version",
    "X-Stainless-OS",
    "X-Stainless-Arch",
    "X-Stainless-Runtime",
    "X-Stainless-Runtime-Version",
)


# How servers say the prompt is over the window: OpenAI "maximum context length", vLLM/llama.cpp
# "context length"/"exceeds the available context size", others "too long", "token limit".
_CONTEXT = re.compile(
    r"context (length|size|window)|too long|too many tokens|token limit|maximum .*tokens", re.I
)


class ChatModel(Protocol):
    """What the interpreter needs of a model (a seam for other adapters)."""

    def stream(
        self, messages: list[WireMessage], tools: list[dict[str, Any]] | None
    ) -> AsyncIterator[ModelEvent]: ...

    async def close(self) -> None: ...


class OpenAIChat:
    def __init__(self, settings: Settings) -> None:
        if not settings.model:
            raise NoModelConfigured()
        self.settings = settings
        headers: dict[str, Any] = {name: openai.Omit() for name in _PLATFORM_HEADERS}
        self.client = AsyncOpenAI(
            # Local servers need no key, but the client insists on one.
            api_key=settings.api_key or "no-key",
            base_url=settings.base_url,
            timeout=settings.request_timeout_s,
            max_retries=settings.retries,
            default_headers=cast(dict[str, str], headers),
        )
        self._usage_option = True  # dropped for servers that reject stream_options
        # The client loads its resources lazily; done here, not on the user's first message.
        self._completions = self.client.chat.completions

    @property
    def endpoint(self) -> str:
        return str(self.client.base_url)

    async def close(self) -> None:
        await self.client.close()

    async def stream(
        self, messages: list[WireMessage], tools: list[dict[str, Any]] | None
    ) -> AsyncIterator[ModelEvent]:
        params: dict[str, Any] = {
            "model": self.settings.model,
            "messages": messages,
            "stream": True,
            "max_tokens": self.settings.max_output_tokens,
        }
        if self.settings.temperature is not None:
            params["temperature"] = self.settings.temperature
        if tools:
            params["tools"] = tools
        stream: AsyncStream[ChatCompletionChunk] | None = None
        for _ in range(2):
            if self._usage_option:
                params["stream_options"] = {"include_usage": True}
            else:
                params.pop("stream_options", None)
            try:
                stream = cast(
                    AsyncStream[ChatCompletionChunk],
                    await self._completions.create(**params),
                )
                break
            except openai.APIConnectionError as exc:
                yield ModelFailed(
                    f"Cannot reach the model endpoint {self.endpoint} ({exc.__class__.__name__}: "
                    f"{exc}). Is the server running, and is --base-url right?"
                )
                return
            except openai.APIStatusError as exc:
                detail = _detail(exc)
                if self._usage_option and "stream_options" in detail:
                    self._usage_option = False
                    continue
                if exc.status_code in (400, 413, 422) and _CONTEXT.search(detail):
                    yield ModelFailed(
                        f"The prompt is too long for the model: {detail}", context_exceeded=True
                    )
                    return
                if tools and exc.status_code in (400, 404, 422, 500, 501) and "tool" in detail:
                    yield ModelFailed(f"The endpoint refused tools: {detail}", tools_refused=True)
                    return
                hint = {
                    401: " Check the API key (--api-key-env, BASTION_API_KEY or OPENAI_API_KEY).",
                    404: " Check --model and --base-url (an OpenAI-compatible base ends in /v1).",
                }.get(exc.status_code, "")
                yield ModelFailed(
                    f"The model endpoint answered HTTP {exc.status_code}: {detail}.{hint}"
                )
                return
        if stream is None:
            yield ModelFailed("The endpoint refused the request twice; see the messages above.")
            return
        usage: Usage | None = None
        try:
            async for chunk in stream:
                if chunk.usage is not None:
                    usage = Usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
                for choice in chunk.choices:
                    delta = choice.delta
                    if delta.content:
                        yield TextDelta(delta.content)
                    for call in delta.tool_calls or ():
                        function = call.function
                        yield ToolDelta(
                            index=call.index,
                            id=call.id,
                            name=function.name if function else None,
                            arguments=function.arguments if function else None,
                        )
        except Exception as exc:  # httpx transport errors surface raw mid-stream
            yield ModelFailed(
                f"The model's reply broke off ({exc.__class__.__name__}: {exc}). What arrived is "
                "kept; it is not retried, so nothing is shown twice, and its code does not run."
            )
            return
        finally:
            await stream.close()
        yield ModelDone(usage)


def _detail(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        message = body.get("message") or body.get("error") or body
        if isinstance(message, dict):
            message = message.get("message", message)
        return str(message)[:500]
    return (str(body) if body else exc.message)[:500]
