"""A `protocol.exec.Sandbox` double for the loop and interface tests: it runs nothing.

It records each block and answers from a script (by default: echo the code back as output), so the
tests of approval, limits, stop, streaming and rendering do not depend on the isolation pipeline.
Containment itself is tested against the real sandbox (test_battery.py); nothing here stands in
for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from bastion.interpreter.executor import WARM_UP
from bastion.protocol.exec import (
    CellResult,
    Job,
    JobResult,
    Limits,
    OutputCallback,
    RichOutput,
    RunningJob,
    Runtime,
    SessionSpec,
    StageResult,
    Status,
)


def stage(output: str = "", code: int | None = 0, status: Status | None = None) -> StageResult:
    return StageResult(
        stdout=output,
        stderr="",
        output=output,
        code=code,
        signal=None if code is not None else "SIGKILL",
        status=status,
        message=None,
        cpu_time_ms=1,
        wall_time_ms=1,
        memory_bytes=1,
    )


Script = Callable[[str, str], CellResult]
_NO_LIMITS = Limits()


def echo(language: str, code: str) -> CellResult:
    if "FAIL" in code:
        return CellResult(stage=stage(f"Traceback: failed {code}\n", 1, Status.RUNTIME_ERROR))
    if "IMAGE" in code:
        return CellResult(
            stage=stage("drew\n"), outputs=(RichOutput(mime="image/png", data=b"\x89PNG fake"),)
        )
    return CellResult(stage=stage(f"ran {language}: {code}\n"))


class ScriptedSession:
    def __init__(self, script: Script, spec: SessionSpec) -> None:
        self.script = script
        self.spec = spec
        self.executed: list[tuple[str, str]] = []
        self.limits: list[Limits] = []
        self.interrupted = asyncio.Event()
        self.closed = False

    @property
    def id(self) -> str:
        return "scripted"

    async def execute(
        self,
        language: str,
        code: str,
        *,
        limits: Limits = _NO_LIMITS,
        on_output: OutputCallback | None = None,
    ) -> CellResult:
        self.executed.append((language, code))
        self.limits.append(limits)
        self.interrupted.clear()
        if "SLEEP" in code:  # runs until interrupted
            if on_output is not None:
                on_output("stdout", "started\n")
            await self.interrupted.wait()
            return CellResult(stage=stage("started\n", None, Status.SIGNALED))
        result = self.script(language, code)
        if on_output is not None and result.stage.output:
            on_output("stdout", result.stage.output)
        return result

    async def interrupt(self) -> None:
        self.interrupted.set()

    # The interpreter moves no files through a session and runs no batch jobs: a call to any of
    # these is a bug the tests should see, not something to imitate.
    async def put_file(self, path: str, data: bytes) -> None:
        raise NotImplementedError

    async def get_file(self, path: str) -> bytes:
        raise NotImplementedError

    async def list_files(self, path: str = ".") -> Sequence[str]:
        return []

    async def close(self) -> None:
        self.closed = True


class ScriptedSandbox:
    def __init__(self, script: Script = echo) -> None:
        self.script = script
        self.sessions: list[ScriptedSession] = []

    @property
    def executed(self) -> list[tuple[str, str]]:
        """The blocks run for the model (the interpreter's kernel warm-up cell left out)."""
        return [b for s in self.sessions for b in s.executed if b != WARM_UP]

    def runtimes(self) -> Sequence[Runtime]:
        return ()

    async def start(self, job: Job) -> RunningJob:
        raise NotImplementedError

    async def run(self, job: Job) -> JobResult:
        raise NotImplementedError

    async def open_session(self, spec: SessionSpec) -> ScriptedSession:
        session = ScriptedSession(self.script, spec)
        self.sessions.append(session)
        return session
