"""Jobs: a `protocol.exec.Job` becomes stages (compile if the runtime compiles, then run).

Each stage is its own box with its own cgroup and limits. The compile box hands its work dir to the
run box as a tar stream on a collect pipe; the supervisor reads that stream *in memory* (regular
files and their modes only: links and devices are dropped, names are checked like a job's own) and
writes the files into the run box with bwrap. Nothing from a box ever touches the host
filesystem, so a symlink planted by the compiler or the program can point nowhere that matters.

Piston's rule holds: when compilation fails, the run stage is skipped and `run` repeats the
compile result.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import io
import logging
import signal as signal_
import tarfile
from collections.abc import AsyncIterator, Awaitable, Callable

from bastion.protocol.errors import InvalidJob
from bastion.protocol.exec import (
    Job,
    JobEvent,
    JobResult,
    Limits,
    Output,
    StageExited,
    StageName,
    StageResult,
    StageStarted,
    Status,
)
from bastion.sandbox import files as files_
from bastion.sandbox.contain.pipeline import ContainError
from bastion.sandbox.contain.spec import BoxFile, BoxResult, BoxSpec, KillReason
from bastion.sandbox.contain.supervisor import Box, OutputCallback
from bastion.sandbox.policy import Policy, StageLimits
from bastion.sandbox.runtimes import RuntimeDef

_log = logging.getLogger(__name__)

# bash, not sh: dash cannot redirect to a file descriptor above 9.
COMPILE_WRAPPER = (
    "/bin/bash",
    "-c",
    '"$@"; rc=$?; if [ $rc -eq 0 ]; then exec 1>&- 2>&-; '
    'tar -C /box -cf - . >&"$BASTION_COLLECT_FD" || exit 125; fi; exit $rc',
    "bastion-compile",
)

Spawner = Callable[[BoxSpec, RuntimeDef, StageName, OutputCallback], Awaitable[Box]]


def stage_limits(policy: Policy, rt: RuntimeDef, job: Job, stage: StageName) -> StageLimits:
    """Policy defaults, then the runtime's overrides (clamped), then the job's (refused if over)."""
    if stage == "compile":
        base, rt_limits, asked = policy.compile_defaults, rt.compile_limits, job.compile_limits
    else:
        base, rt_limits, asked = policy.run_defaults, rt.run_limits, job.run_limits
    clamped = Limits(
        **{
            f.name: min(v, getattr(policy.maxima, f.name))
            for f in dataclasses.fields(StageLimits)
            if (v := getattr(rt_limits, f.name)) is not None
        }
    )
    with_runtime = base.merged(clamped, policy.maxima, prefix=f"{stage}_limits")
    return with_runtime.merged(asked, policy.maxima, prefix=f"{stage}_limits")


def stage_result(r: BoxResult) -> StageResult:
    """The client's view of a finished box."""
    sig_name = signal_.Signals(r.signal).name if r.signal else None
    status: Status | None
    if r.error is not None:
        status, message = Status.INTERNAL, r.error
    elif r.killed is KillReason.STDOUT:
        status, message = Status.STDOUT_LIMIT, "stdout exceeded the output limit"
    elif r.killed is KillReason.STDERR:
        status, message = Status.STDERR_LIMIT, "stderr exceeded the output limit"
    elif r.killed is KillReason.WALL_TIME:
        status, message = Status.TIMEOUT, "Time limit exceeded (wall clock)"
    elif r.killed is KillReason.CPU_TIME:
        status, message = Status.TIMEOUT, "Time limit exceeded (cpu time)"
    elif r.oom_killed:
        status, message = Status.SIGNALED, "Memory limit exceeded"
    elif r.signal is not None:
        status, message = Status.SIGNALED, f"Caught fatal signal {r.signal}"
    elif r.exit_code:
        status, message = Status.RUNTIME_ERROR, f"Exited with error status {r.exit_code}"
    else:
        status, message = None, None
    if r.killed is not None and sig_name is None:
        sig_name = "SIGKILL"
    return StageResult(
        stdout=r.stdout.decode("utf-8", "replace"),
        stderr=r.stderr.decode("utf-8", "replace"),
        output=r.output,
        code=r.exit_code,
        signal=sig_name,
        status=status,
        message=message,
        cpu_time_ms=r.cpu_time_ms,
        wall_time_ms=r.wall_time_ms,
        memory_bytes=r.memory_bytes,
        oom_killed=r.oom_killed,
        stdout_truncated=r.stdout_truncated,
        stderr_truncated=r.stderr_truncated,
    )


def internal_error(message: str) -> StageResult:
    return StageResult(
        stdout="",
        stderr="",
        output="",
        code=None,
        signal=None,
        status=Status.INTERNAL,
        message=message,
        cpu_time_ms=0,
        wall_time_ms=0,
        memory_bytes=0,
    )


def unpack_artifacts(tar: bytes) -> tuple[BoxFile, ...]:
    """Regular files of the compile box's tar stream, read in memory; anything else is dropped."""
    out: list[BoxFile] = []
    with tarfile.open(fileobj=io.BytesIO(tar), mode="r:") as archive:
        for member in archive:
            if not member.isreg():
                continue
            name = member.name.removeprefix("./")
            try:
                files_.check_name(name, "artifact")
            except InvalidJob:
                continue
            data = archive.extractfile(member)
            if data is not None:
                out.append(BoxFile(name, data.read(), 0o755 if member.mode & 0o111 else 0o644))
    return tuple(out)


def signal_number(name: str) -> int:
    """``"SIGINT"`` or ``"INT"`` or ``"2"`` -> 2; `InvalidJob` (field ``signal``) otherwise."""
    text = name.strip().upper()
    try:
        if text.isdigit():
            return signal_.Signals(int(text)).value
        return signal_.Signals[text if text.startswith("SIG") else "SIG" + text].value
    except (KeyError, ValueError):
        raise InvalidJob(
            f"signal {name!r} is not a signal; use a name like SIGINT or SIGKILL", field="signal"
        ) from None


class LocalRunningJob:
    """A job running on this host: `protocol.exec.RunningJob`.

    Stdin written before the run stage starts is kept and delivered to it; the compile stage gets
    none. `signal()` goes to the stage running now; SIGKILL/SIGTERM during compilation also cancel
    the run stage.
    """

    def __init__(
        self,
        job: Job,
        rt: RuntimeDef,
        policy: Policy,
        spawn: Spawner,
        *,
        keep_stdin_open: bool,
        stream_events: bool = True,
    ) -> None:
        self.job, self.rt, self.policy = job, rt, policy
        self._spawn = spawn
        self._keep_stdin_open = keep_stdin_open
        self._stream = stream_events  # run() has no reader: do not queue output it never reads
        self._events: asyncio.Queue[JobEvent | None] = asyncio.Queue()
        self._box: Box | None = None
        self._stage: StageName | None = None
        self._pending_stdin = bytearray(job.stdin.encode())
        self._stdin_closed = not keep_stdin_open
        self._cancelled = False
        self._pending_signals: list[int] = []
        # Validate everything before the first box starts: bad input is a 400, not a failed run.
        placed = files_.prepare(job.files, max_total_bytes=policy.workdir_bytes)
        names = rt.place_files([n for n, _ in placed])
        self._files = tuple(
            BoxFile(name, data) for name, (_, data) in zip(names, placed, strict=True)
        )
        self._compile_argv = rt.compile_argv(names)
        self._run_argv = rt.run_argv(names, job.args)
        self._compile_limits = (
            stage_limits(policy, rt, job, "compile") if self._compile_argv else None
        )
        self._run_limits = stage_limits(policy, rt, job, "run")
        if job.network and not policy.allow_network:
            raise InvalidJob(
                "network access is disabled by this server's policy; remove 'network'",
                field="network",
            )
        self._task = asyncio.get_running_loop().create_task(self._run())

    # ------------------------------------------------------------ protocol.exec.RunningJob

    async def events(self) -> AsyncIterator[JobEvent]:
        while True:
            event = await self._events.get()
            if event is None:
                self._events.put_nowait(None)  # later readers end too
                return
            yield event

    async def write_stdin(self, data: str) -> None:
        if self._stdin_closed:
            return
        if self._box is not None and self._stage == "run":
            await self._box.write_stdin(data.encode())
        else:
            self._pending_stdin += data.encode()

    async def close_stdin(self) -> None:
        self._stdin_closed = True
        if self._box is not None and self._stage == "run":
            await self._box.close_stdin()

    async def signal(self, name: str) -> None:
        signum = signal_number(name)
        if signum in (signal_.SIGKILL, signal_.SIGTERM):
            self._cancelled = True
        if self._box is not None:
            self._box.signal(signum)
        else:  # between stages or before the first: delivered as soon as the next box exists
            self._pending_signals.append(signum)

    async def wait(self) -> JobResult:
        return await asyncio.shield(self._task)

    # ------------------------------------------------------------ the stages

    def _emit(self, stream: str, data: str) -> None:
        if self._stream:
            self._events.put_nowait(Output(stream=stream, data=data))  # type: ignore[arg-type]

    async def _stage_run(self, stage: StageName, spec: BoxSpec) -> tuple[StageResult, BoxResult]:
        self._events.put_nowait(StageStarted(stage=stage))
        self._stage = stage
        try:
            self._box = await self._spawn(spec, self.rt, stage, self._emit)
            for signum in self._pending_signals:
                self._box.signal(signum)
            self._pending_signals.clear()
            if stage == "run":
                if self._pending_stdin:
                    await self._box.write_stdin(bytes(self._pending_stdin))
                    self._pending_stdin.clear()
                if self._stdin_closed:
                    await self._box.close_stdin()
            raw = await self._box.wait()
            result = stage_result(raw)
        except ContainError as exc:
            raw, result = _empty(), internal_error(str(exc))
        finally:
            self._box = None
        self._events.put_nowait(StageExited(stage=stage, result=result))
        return result, raw

    async def _run(self) -> JobResult:
        try:
            return await self._stages()
        except Exception as exc:  # a bug of ours: the client gets status XX, not a traceback
            _log.exception("job failed inside the sandbox supervisor")
            return self._result(None, internal_error(f"sandbox supervisor error: {exc!r}"))
        finally:
            self._events.put_nowait(None)

    async def _stages(self) -> JobResult:
        env = dict(self.rt.env)
        run_files = self._files
        compile_result: StageResult | None = None
        if self._compile_argv is not None and self._compile_limits is not None:
            spec = BoxSpec(
                argv=(*COMPILE_WRAPPER, *self._compile_argv),
                env=env,
                files=self._files,
                limits=self._compile_limits,
                ro_binds=self.rt.host_paths,
                network=False,
                collect=True,
            )
            compile_result, raw = await self._stage_run("compile", spec)
            if compile_result.status is not None or compile_result.code != 0 or self._cancelled:
                return self._result(compile_result, compile_result)
            try:
                run_files = unpack_artifacts(raw.collected)
            except (tarfile.TarError, EOFError) as exc:
                failed = internal_error(f"cannot carry the compile stage's files over: {exc}")
                return self._result(compile_result, failed)
        spec = BoxSpec(
            argv=self._run_argv,
            env=env,
            files=run_files,
            limits=self._run_limits,
            ro_binds=self.rt.host_paths,
            network=self.job.network and self.policy.allow_network,
            keep_stdin_open=True,  # closed by us once pending stdin is written (see _stage_run)
        )
        run_result, _ = await self._stage_run("run", spec)
        return self._result(compile_result, run_result)

    def _result(self, compile_: StageResult | None, run: StageResult) -> JobResult:
        return JobResult(
            language=self.rt.language, version=str(self.rt.version), compile=compile_, run=run
        )

    def add_done_callback(self, callback: Callable[[], object]) -> None:
        self._task.add_done_callback(lambda _: callback())

    def kill(self) -> None:
        """Kill whatever runs now and skip any later stage (the job then finishes cleaning up)."""
        self._cancelled = True
        if self._box is not None:
            self._box.kill()
        else:
            self._pending_signals.append(signal_.SIGKILL)

    async def aclose(self) -> None:
        """Kill whatever is running and wait for the job to finish cleaning up."""
        self.kill()
        with contextlib.suppress(Exception):
            await self._task


def _empty() -> BoxResult:
    return BoxResult(
        exit_code=None,
        signal=None,
        killed=None,
        oom_killed=False,
        stdout=b"",
        stderr=b"",
        output="",
        stdout_truncated=False,
        stderr_truncated=False,
        cpu_time_ms=0,
        wall_time_ms=0,
        memory_bytes=0,
    )
