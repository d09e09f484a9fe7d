"""Piston's interactive WebSocket, `/api/v2/connect`, with its defects fixed.

Protocol (Piston's, message for message): the client sends `init` (an `/execute` body) within
1 s, the server answers `runtime`, then per stage `stage`, `data` (stdout/stderr) and `exit`, and
closes with 4999 `Job Completed`. The client may send `data` (stream `stdin`) and `signal`.
Close codes: 4000 Already Initialized, 4001 Initialization Timeout, 4002 Notified Error (after an
`error` message), 4003 Not yet Initialized, 4004 Can only write to stdin, 4005 Invalid signal.

Fixed here: signals reach every process of the job (Piston's never arrive); output is capped per
stream (Piston has no cap); a closed socket kills the job. Extension: `{"type": "data", "stream":
"stdin", "data": "...", "eof": true}` closes the job's stdin after writing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import Any

import msgspec
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from bastion.protocol.errors import ExecError
from bastion.protocol.exec import Job, JobEvent, Output, RunningJob, StageExited, StageStarted
from bastion.sandbox.service.admission import QueueFull
from bastion.sandbox.service.context import KILL_GRACE_S, ExecContext
from bastion.sandbox.service.guard import principal
from bastion.sandbox.service.piston import SIGNALS, RequestError, exit_json, parse_job


class _Closed(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class Connection:
    def __init__(self, ws: WebSocket, ctx: ExecContext) -> None:
        self.ws = ws
        self.ctx = ctx
        self.job: RunningJob | None = None
        self.initialized = False
        self._send_lock = asyncio.Lock()
        self._pump: asyncio.Task[None] | None = None
        # What the client sent before its job started (it may wait in the queue): kept, in order.
        self._pending: list[tuple[str, str]] = []

    async def send(self, message: dict[str, Any]) -> None:
        async with self._send_lock:
            if self.ws.application_state == WebSocketState.CONNECTED:
                await self.ws.send_text(json.dumps(message))

    async def close(self, code: int, reason: str) -> None:
        async with self._send_lock:
            if self.ws.application_state == WebSocketState.CONNECTED:
                await self.ws.close(code, reason)

    async def serve(self) -> None:
        await self.ws.accept()
        deadline = time.monotonic() + self.ctx.config.ws_init_timeout_s
        try:
            while True:
                timeout = None if self.initialized else deadline - time.monotonic()
                if timeout is not None and timeout <= 0:
                    raise _Closed(4001, "Initialization Timeout")
                try:
                    message = await asyncio.wait_for(self.ws.receive(), timeout)
                except TimeoutError:
                    raise _Closed(4001, "Initialization Timeout") from None
                if message["type"] == "websocket.disconnect":
                    return
                text = message.get("text")
                if not isinstance(text, str):
                    await self.notify_error("messages must be JSON text frames, not binary")
                    return
                await self.handle(text)
        except _Closed as closed:
            await self.close(closed.code, closed.reason)
        except (WebSocketDisconnect, RuntimeError):
            pass  # the client went away (RuntimeError: receive after a server-side close)
        finally:
            await self.stop()

    async def notify_error(self, message: str) -> None:
        await self.send({"type": "error", "message": message})
        raise _Closed(4002, "Notified Error")

    async def handle(self, text: str) -> None:
        try:
            msg = json.loads(text)
        except json.JSONDecodeError as e:
            await self.notify_error(f"message is not valid JSON: {e.msg} at position {e.pos}")
        if not isinstance(msg, dict):
            await self.notify_error("each message must be a JSON object with a 'type'")
        kind = msg.get("type")
        if kind == "init":
            if self.initialized:
                raise _Closed(4000, "Already Initialized")
            await self.init(msg)
        elif kind == "data":
            if not self.initialized:
                raise _Closed(4003, "Not yet Initialized")
            if msg.get("stream") != "stdin":
                raise _Closed(4004, "Can only write to stdin")
            data = msg.get("data", "")
            if not isinstance(data, str):
                await self.notify_error("data must be a string")
            await self.stdin(data, eof=msg.get("eof") is True)
        elif kind == "signal":
            if not self.initialized:
                raise _Closed(4003, "Not yet Initialized")
            signal = msg.get("signal")
            if not isinstance(signal, str) or signal not in SIGNALS:
                raise _Closed(4005, "Invalid signal")
            if self.job is None:
                self._pending.append(("signal", signal))
            else:
                with contextlib.suppress(ExecError, OSError):
                    await self.job.signal(signal)
        # Piston ignores any other type; so do we.

    async def stdin(self, data: str, *, eof: bool) -> None:
        if self.job is None:
            self._pending += [("stdin", data)] + ([("eof", "")] if eof else [])
            return
        with contextlib.suppress(ExecError, OSError):
            if data:
                await self.job.write_stdin(data)
            if eof:
                await self.job.close_stdin()

    async def flush_pending(self, job: RunningJob) -> None:
        for kind, value in self._pending:
            with contextlib.suppress(ExecError, OSError):
                if kind == "stdin":
                    await job.write_stdin(value)
                elif kind == "eof":
                    await job.close_stdin()
                else:
                    await job.signal(value)
        self._pending.clear()

    async def init(self, msg: dict[str, Any]) -> None:
        cfg = self.ctx.config
        try:
            parsed = parse_job(msg, self.ctx.runtimes(), cfg.limits, interactive=True)
        except RequestError as e:
            await self.notify_error(e.message)
            return
        cap = cfg.ws_output_max_size
        job = msgspec.structs.replace(
            parsed.job,
            compile_limits=msgspec.structs.replace(parsed.job.compile_limits, output_max_bytes=cap),
            run_limits=msgspec.structs.replace(parsed.job.run_limits, output_max_bytes=cap),
        )
        self.initialized = True
        self._pump = asyncio.create_task(
            self.pump(job, parsed.runtime.language, parsed.runtime.version)
        )

    async def pump(self, job: Job, language: str, version: str) -> None:
        key = principal(self.ws.scope)
        try:
            async with self.ctx.admission.slot(key):
                running = await self.ctx.sandbox.start(job)
                finished = False
                try:
                    await self.flush_pending(running)
                    self.job = running
                    await self.send({"type": "runtime", "language": language, "version": version})
                    async for event in running.events():
                        await self.forward(event, language)
                    await running.wait()
                    finished = True
                finally:
                    if not finished:  # the socket broke or we were cancelled: kill, then free
                        with contextlib.suppress(Exception):
                            await running.signal("SIGKILL")
                            await asyncio.wait_for(running.wait(), KILL_GRACE_S)
            await self.close(4999, "Job Completed")
        except (QueueFull, ExecError) as e:
            await self.send({"type": "error", "message": str(e)})
            await self.close(4002, "Notified Error")
        except (WebSocketDisconnect, RuntimeError, OSError):
            pass

    async def forward(self, event: JobEvent, language: str) -> None:
        if isinstance(event, Output):
            await self.send({"type": "data", "stream": event.stream, "data": event.data})
        elif isinstance(event, StageStarted):
            await self.send({"type": "stage", "stage": event.stage})
        elif isinstance(event, StageExited):
            self.ctx.metrics.stage_finished(language, event.stage, event.result)
            await self.send(exit_json(event.stage, event.result))

    async def stop(self) -> None:
        """The socket is gone or closing: kill whatever still runs."""
        pump = self._pump
        if pump is None or pump.done():
            return
        if self.job is not None:
            # Kill, then let the pump see the job end so its slot frees only once it is dead.
            with contextlib.suppress(Exception):
                await self.job.signal("SIGKILL")
                await asyncio.wait_for(asyncio.shield(pump), KILL_GRACE_S)
        if not pump.done():
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await pump


async def connect(ws: WebSocket) -> None:
    await Connection(ws, ws.app.state.exec).serve()
