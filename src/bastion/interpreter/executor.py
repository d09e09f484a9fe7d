"""Runs approved blocks in one sandbox session, through the `protocol.exec` interface only.

The session (a persistent Python kernel, a shell, JavaScript) is opened on first use, with the
user's work directory as its only host mount and network off unless the user allowed it. End of
execution is the sandbox's result object, never a marker in the output stream. Rich outputs
(images, HTML) are written as files to a host directory the sandbox cannot see (so a link planted
in the work dir cannot redirect the write), and are never rendered or opened.
"""

from __future__ import annotations

import asyncio
import contextlib
import mimetypes
import os
from collections.abc import Callable, Mapping
from pathlib import Path

from bastion.interpreter.loop import ExecOutcome
from bastion.interpreter.settings import Settings
from bastion.protocol.chat import BlockStatus, CodeRequest
from bastion.protocol.errors import BastionError
from bastion.protocol.exec import (
    CellResult,
    Limits,
    Sandbox,
    SandboxSession,
    SessionSpec,
    Status,
    StreamName,
)

OnOutput = Callable[[StreamName, str], object]
WARM_UP = ("python", "pass")  # the only cell the interpreter runs on its own: it starts the kernel


class BlockRunner:
    def __init__(
        self,
        sandbox: Sandbox,
        settings: Settings,
        outputs_dir: Path,
        language_map: Mapping[str, str] | None = None,
    ) -> None:
        self.sandbox = sandbox
        self.settings = settings
        self.outputs_dir = outputs_dir
        self.language_map = dict(language_map or {})
        self._session: SandboxSession | None = None
        self._opening: asyncio.Task[SandboxSession] | None = None
        self._interrupted = False
        self.restarted = False  # set when a lost session had to be replaced (state is gone)

    def spec(self) -> SessionSpec:
        limits = self.settings.limits
        return SessionSpec(
            network=self.settings.network,
            workdir=str(Path(self.settings.workdir).expanduser().resolve()),
            memory_bytes=limits.block_memory_mb * 2**20,
        )

    def warm(self) -> None:
        """Open the session and start its Python kernel in the background, while the model
        writes the first block (no model code runs: the warm-up cell is `pass`)."""
        if self._session is None and self._opening is None:
            self._opening = asyncio.create_task(
                self._open(warm="python" in self.settings.languages)
            )

    async def _open(self, *, warm: bool) -> SandboxSession:
        session = await self.sandbox.open_session(self.spec())
        if warm:
            with contextlib.suppress(BastionError):
                language, code = WARM_UP
                await session.execute(self.language_map.get(language, language), code)
        return session

    async def session(self) -> SandboxSession:
        if self._session is None:
            if self._opening is None:
                self._opening = asyncio.create_task(self._open(warm=False))
            try:
                self._session = await self._opening
            finally:
                self._opening = None
        return self._session

    async def run(self, request: CodeRequest, on_output: OnOutput) -> ExecOutcome:
        self._interrupted = False
        limits = self.settings.limits
        try:
            session = await self.session()
            if self._interrupted:  # stopped while the session was starting: run nothing
                return ExecOutcome("interrupted", "[stopped by the user before it ran]")
            result = await session.execute(
                self.language_map.get(request.language, request.language),
                request.code,
                limits=Limits(
                    wall_time_ms=int(limits.block_seconds * 1000),
                    memory_bytes=limits.block_memory_mb * 2**20,
                ),
                on_output=on_output,
            )
        except BastionError as exc:
            await self._drop_session()
            return ExecOutcome("failed", f"The sandbox could not run this block: {exc}")
        return self._outcome(request, result)

    async def interrupt(self) -> None:
        self._interrupted = True
        if self._session is not None:
            await self._session.interrupt()

    async def restart(self) -> None:
        await self._drop_session()

    async def close(self) -> None:
        await self._drop_session()

    async def _drop_session(self) -> None:
        opening, self._opening = self._opening, None
        if opening is not None and self._session is None:
            # A warm-up still running, or done but not used yet: its session must close too.
            with contextlib.suppress(BastionError, asyncio.CancelledError):
                self._session = await opening
        session, self._session = self._session, None
        if session is not None:
            self.restarted = True
            with contextlib.suppress(BastionError):
                await session.close()

    def _outcome(self, request: CodeRequest, result: CellResult) -> ExecOutcome:
        stage = result.stage
        status: BlockStatus
        note = ""
        if self._interrupted:
            status, note = "interrupted", "[stopped by the user]"
        elif stage.status is Status.TIMEOUT:
            status = "timeout"
            note = f"[stopped: time limit of {self.settings.limits.block_seconds:g} s]"
        elif stage.oom_killed:
            status = "killed"
            note = f"[killed: memory limit of {self.settings.limits.block_memory_mb} MiB]"
        elif stage.status in (Status.STDOUT_LIMIT, Status.STDERR_LIMIT):
            status, note = "killed", "[killed: output limit reached]"
        elif stage.status is Status.SIGNALED:
            status, note = "killed", f"[killed by {stage.signal or 'a signal'}]"
        elif stage.status is Status.INTERNAL:
            status, note = "failed", f"[sandbox error: {stage.message or 'unknown'}]"
        elif stage.code not in (0, None) or stage.status is Status.RUNTIME_ERROR:
            status, note = "error", f"[exit code {stage.code}]"
        else:
            status = "ok"
        if stage.stdout_truncated or stage.stderr_truncated:
            note = (note + " [output truncated by the sandbox]").strip()
        output = stage.output + (("\n" if stage.output else "") + note if note else "")
        files = tuple(
            (rich.mime, str(self._save(request.call_id, n, rich.mime, rich.data)))
            for n, rich in enumerate(result.outputs)
        )
        return ExecOutcome(status, output, files, stage.code)

    def _save(self, call_id: str, n: int, mime: str, data: bytes) -> Path:
        self.outputs_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        extension = mimetypes.guess_extension(mime) or ".bin"
        path = self.outputs_dir / f"{call_id}-{n}{extension}"
        # O_EXCL + O_NOFOLLOW: never follow or overwrite anything already there.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        return path
