"""A fake OpenAI-compatible chat server: real HTTP on 127.0.0.1, streamed SSE, scripted replies.

Each request to /v1/chat/completions pops the next scripted `Reply` and records the request (body
and headers) for assertions. Used by the tests and by bench/interpreter (to drive Open Interpreter
and Bastion with the very same replies).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route


@dataclass
class ToolCall:
    name: str = "execute"
    arguments: list[str] = field(default_factory=list)  # fragments, streamed in order
    id: str | None = None

    @classmethod
    def execute(
        cls, language: str, code: str, *, pieces: int = 3, id: str | None = None
    ) -> ToolCall:
        text = json.dumps({"language": language, "code": code})
        step = max(1, len(text) // pieces)
        return cls(arguments=[text[i : i + step] for i in range(0, len(text), step)], id=id)


@dataclass
class Reply:
    chunks: list[str] = field(default_factory=list)  # text content, streamed piece by piece
    tool_calls: list[ToolCall] = field(default_factory=list)
    usage: tuple[int, int] | None = (100, 20)  # prompt, completion; None: no usage chunk
    status: int = 200  # non-200: answer an error body instead of a stream
    error: str = "scripted error"
    break_after: int | None = None  # drop the connection after this many chunks
    delay_s: float = 0.0  # before each chunk

    @classmethod
    def text(cls, text: str, *, pieces: int = 4, **kw: Any) -> Reply:
        step = max(1, len(text) // pieces)
        return cls(chunks=[text[i : i + step] for i in range(0, len(text), step)], **kw)


class _Broken(Exception):
    pass


class FakeOpenAI:
    def __init__(self, replies: list[Reply] | None = None, *, default: Reply | None = None) -> None:
        self.replies = list(replies or [])
        self.default = default
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.app = Starlette(
            routes=[
                Route("/v1/chat/completions", self._completions, methods=["POST"]),
                Route("/v1/models", self._models),
            ]
        )
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/v1"

    def script(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    async def _models(self, request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [{"id": "fake", "object": "model"}]})

    async def _completions(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(body)
        self.headers.append({k.lower(): v for k, v in request.headers.items()})
        if self.replies:
            reply = self.replies.pop(0)
        elif self.default is not None:
            reply = self.default
        else:
            return JSONResponse({"error": {"message": "no scripted reply left"}}, status_code=500)
        if reply.status != 200:
            return JSONResponse(
                {"error": {"message": reply.error, "type": "fake"}}, status_code=reply.status
            )
        if not body.get("stream"):
            return JSONResponse(_whole(body, reply))
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        return StreamingResponse(
            self._sse(body, reply, include_usage), media_type="text/event-stream"
        )

    async def _sse(self, body: dict[str, Any], reply: Reply, usage: bool) -> AsyncIterator[bytes]:
        for n, chunk in enumerate(_chunks(body, reply, usage)):
            if reply.break_after is not None and n >= reply.break_after:
                raise _Broken("scripted disconnect")
            if reply.delay_s:
                await asyncio.sleep(reply.delay_s)
            yield f"data: {json.dumps(chunk)}\n\n".encode()
        yield b"data: [DONE]\n\n"

    def __enter__(self) -> FakeOpenAI:
        config = uvicorn.Config(self.app, host="127.0.0.1", port=0, log_level="critical")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("fake OpenAI server did not start")
            time.sleep(0.005)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.server is not None
        assert self.thread is not None
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _frame(
    body: dict[str, Any], delta: dict[str, Any], finish: str | None = None
) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": body.get("model", "fake"),
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _chunks(body: dict[str, Any], reply: Reply, usage: bool) -> Iterator[dict[str, Any]]:
    yield _frame(body, {"role": "assistant", "content": ""})
    for piece in reply.chunks:
        yield _frame(body, {"content": piece})
    for index, call in enumerate(reply.tool_calls):
        call_id = call.id or f"call_fake_{index}"
        yield _frame(
            body,
            {
                "tool_calls": [
                    {
                        "index": index,
                        "id": call_id,
                        "type": "function",
                        "function": {"name": call.name, "arguments": ""},
                    }
                ]
            },
        )
        for fragment in call.arguments:
            yield _frame(
                body, {"tool_calls": [{"index": index, "function": {"arguments": fragment}}]}
            )
    yield _frame(body, {}, "tool_calls" if reply.tool_calls else "stop")
    if usage and reply.usage is not None:
        prompt, completion = reply.usage
        yield {
            "id": "chatcmpl-fake",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": body.get("model", "fake"),
            "choices": [],
            "usage": {
                "prompt_tokens": prompt,
                "completion_tokens": completion,
                "total_tokens": prompt + completion,
            },
        }


def _whole(body: dict[str, Any], reply: Reply) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": "".join(reply.chunks)}
    if reply.tool_calls:
        message["tool_calls"] = [
            {
                "id": call.id or f"call_fake_{i}",
                "type": "function",
                "function": {"name": call.name, "arguments": "".join(call.arguments)},
            }
            for i, call in enumerate(reply.tool_calls)
        ]
    prompt, completion = reply.usage or (0, 0)
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": body.get("model", "fake"),
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        },
    }
