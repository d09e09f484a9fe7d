"""A stateful sandbox session: REPL kernels in boxes over one work dir, with real timers.

`LocalSession` implements `bastion.protocol.exec.SandboxSession`. Cells run one at a time (a lock);
each language's kernel starts on its first cell and keeps its state until the session closes, the
kernel dies (OOM, `exit`), or an interrupt had to kill it. The idle timer is re-armed whenever the
session finishes something and is never armed while a cell runs; the lifetime timer is fixed at
creation. Either one closes the session for real: every kernel box is killed through its cgroup,
the cgroups are removed, the tmpfs work dir is unmounted, and later calls raise `SessionNotFound`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import Callable, Sequence

import msgspec

from bastion.protocol.errors import InvalidJob, SessionNotFound, UnknownRuntime
from bastion.protocol.exec import (
    CellResult,
    Limits,
    OutputCallback,
    SessionSpec,
    StageResult,
    Status,
)
from bastion.sandbox.contain.cgroup import JobCgroup
from bastion.sandbox.policy import StageLimits
from bastion.sandbox.runtimes import RuntimeDef, RuntimeRegistry
from bastion.sandbox.sessions import files
from bastion.sandbox.sessions.kernel import Kernel, Spawn
from bastion.sandbox.sessions.languages import ALIASES, LANGUAGES
from bastion.sandbox.sessions.oneshot import OneShot
from bastion.sandbox.sessions.workdir import WorkDir

MiB = 1024 * 1024
MAX_CODE_BYTES = 1 * MiB
MAX_FILE_BYTES = 64 * MiB


# A REPL cell may legitimately run for minutes (a model training, a download): larger than a
# batch job's defaults, still bounded.
CELL_DEFAULTS = StageLimits(wall_time_ms=60_000, cpu_time_ms=600_000, output_max_bytes=1 * MiB)
CELL_MAXIMA = StageLimits(
    wall_time_ms=15 * 60_000,
    cpu_time_ms=60 * 60_000,
    memory_bytes=4096 * MiB,
    max_processes=1024,
    max_open_files=4096,
    max_file_size_bytes=1024 * MiB,
    output_max_bytes=64 * MiB,
)


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class SessionPolicy:
    """The operator's limits for sessions (cells get `cell_defaults` unless they ask)."""

    memory_bytes: int = 1024 * MiB  # per kernel box, when the spec does not say
    max_memory_bytes: int = 4096 * MiB
    max_processes: int = 128
    max_max_processes: int = 1024
    workdir_bytes: int = 256 * MiB
    max_idle_timeout_s: float = 3600.0
    max_lifetime_s: float = 24 * 3600.0
    cell_defaults: StageLimits = CELL_DEFAULTS
    cell_maxima: StageLimits = CELL_MAXIMA


class LocalSession:
    def __init__(
        self,
        session_id: str,
        spec: SessionSpec,
        *,
        spawn: Spawn,
        workdir: WorkDir,
        policy: SessionPolicy,
        box_limits: StageLimits,
        network: bool,
        runtimes: RuntimeRegistry | None = None,
        group: JobCgroup | None = None,
        warming: asyncio.Future[None] | None = None,
        on_close: Callable[[LocalSession], object] = lambda _s: None,
    ) -> None:
        self._id = session_id
        self.spec = spec
        self._spawn = spawn
        self._workdir = workdir
        self._policy = policy
        self._box_limits = box_limits
        self._network = network
        self._runtimes = runtimes  # languages without a kernel run a file per cell
        self._group = group  # the cgroup holding every box of the session, if any
        self._warming = warming  # the group being warmed for its first box
        self._on_close = on_close
        self._loop = asyncio.get_running_loop()
        self._kernels: dict[str, Kernel] = {}
        self._lock = asyncio.Lock()
        self._running: Kernel | OneShot | None = None
        self._stop_pending = False  # interrupt() came before the cell had anything to stop
        self._closed: str | None = None  # why, once closed
        self._close_task: asyncio.Task[None] | None = None  # a timer's close
        self._closed_event = asyncio.Event()
        self.created = time.monotonic()
        self.last_active = self.created
        self._lifetime = self._loop.call_later(spec.max_lifetime_s, self._expire, "lifetime")
        self._idle: asyncio.TimerHandle | None = None
        self._arm_idle()

    @property
    def id(self) -> str:
        return self._id

    @property
    def closed(self) -> str | None:
        """None while open; else why it closed ("closed", "idle", "lifetime")."""
        return self._closed

    @property
    def workdir(self) -> str:
        """The host path behind the box's /box (for operators and tests; never for untrusted
        paths: use get_file/put_file)."""
        return self._workdir.path

    def cgroups(self) -> dict[str, JobCgroup]:
        """The cgroup of each running kernel box, by language (accounting, tests)."""
        return {name: k.cgroup for name, k in self._kernels.items() if k.cgroup is not None}

    # ------------------------------------------------------------ cells

    async def execute(
        self,
        language: str,
        code: str,
        *,
        limits: Limits = Limits(),  # noqa: B008 - frozen struct
        on_output: OutputCallback | None = None,
    ) -> CellResult:
        self._check_open()
        if not isinstance(language, str):
            raise InvalidJob("language must be a string", field="language")
        # A REPL kernel when there is one, else a runtime that runs a file per cell.
        target: str | RuntimeDef | None = ALIASES.get(language.lower())
        if target is None:
            if self._runtimes is None:
                raise UnknownRuntime(language, "*")
            target = self._runtimes.resolve(language)  # UnknownRuntime if not installed
        if not isinstance(code, str):
            raise InvalidJob("code must be a string", field="code")
        if len(code.encode()) > MAX_CODE_BYTES:
            raise InvalidJob(f"code is longer than {MAX_CODE_BYTES} bytes", field="code")
        if "\x00" in code:
            raise InvalidJob("code must not contain a NUL byte", field="code")
        defaults = dataclasses.replace(
            self._policy.cell_defaults,
            memory_bytes=self._box_limits.memory_bytes,
            max_processes=self._box_limits.max_processes,
        )
        cell_limits = defaults.merged(limits, self._policy.cell_maxima, prefix="limits")
        try:
            async with self._lock:
                self._check_open()
                self._touch(busy=True)
                self._stop_pending = False
                if self._warming is not None:
                    with contextlib.suppress(Exception):
                        await self._warming
                    self._warming = None
                if isinstance(target, RuntimeDef):
                    return await self._run_oneshot(target, code, cell_limits, on_output)
                name = target
                kernel = self._kernels.get(name)
                obituary: str | None = None
                if kernel is None or not kernel.alive:
                    if kernel is not None:
                        obituary = kernel.obituary
                        await kernel.kill()
                    kernel = Kernel(
                        LANGUAGES[name],
                        self._spawn,
                        workdir=self._workdir.path,
                        network=self._network,
                        limits=self._box_limits,
                        cgroup_parent=self._group.name if self._group else None,
                    )
                    self._kernels[name] = kernel
                    await kernel.start()
                    if self._closed is not None:  # closed (expired) while the kernel started
                        await kernel.kill()
                        raise SessionNotFound(self._id)
                if self._stop_pending:
                    return _not_run("interrupted while its kernel was starting: it did not run")
                self._running = kernel
                try:
                    result = await kernel.run(code, cell_limits, on_output)
                finally:
                    self._running = None
                if not kernel.alive:
                    await kernel.kill()  # reap now; the next cell starts a fresh kernel
                    self._kernels.pop(name, None)
                if obituary is not None:
                    result = _noted(
                        result,
                        f"the {name} kernel had ended since the last cell ({obituary}); this "
                        "cell ran in a fresh one: earlier variables are gone",
                    )
                return result
        finally:
            self._touch()

    async def _run_oneshot(
        self,
        rt: RuntimeDef,
        code: str,
        limits: StageLimits,
        on_output: OutputCallback | None,
    ) -> CellResult:
        cell = OneShot(rt)
        limits = dataclasses.replace(
            limits, memory_bytes=min(limits.memory_bytes, self._box_limits.memory_bytes)
        )
        spec = cell.spec(
            code,
            workdir=self._workdir.path,
            network=self._network,
            limits=limits,
            cgroup_parent=self._group.name if self._group else None,
        )
        self._running = cell
        try:
            return await cell.run(self._spawn, spec, on_output)
        finally:
            self._running = None

    async def interrupt(self) -> None:
        """Stop the running cell, if any (SIGINT first, then the kernel is killed). A cell whose
        kernel is still starting does not run at all."""
        self._check_open()
        if self._running is not None:
            self._running.stop_cell()
        elif self._lock.locked():
            self._stop_pending = True

    # ------------------------------------------------------------ files

    async def put_file(self, path: str, data: bytes) -> None:
        self._check_open()
        if not isinstance(data, bytes | bytearray):
            raise InvalidJob("data must be bytes", field="data")
        if len(data) > MAX_FILE_BYTES:
            raise InvalidJob(f"file is larger than {MAX_FILE_BYTES} bytes", field="data")
        self._touch()
        await asyncio.to_thread(files.write_file, self._workdir.fd, path, bytes(data))

    async def get_file(self, path: str) -> bytes:
        self._check_open()
        self._touch()
        return await asyncio.to_thread(files.read_file, self._workdir.fd, path, MAX_FILE_BYTES)

    async def list_files(self, path: str = ".") -> Sequence[str]:
        self._check_open()
        self._touch()
        return await asyncio.to_thread(files.list_dir, self._workdir.fd, path)

    # ------------------------------------------------------------ the end

    async def close(self) -> None:
        await self._close("closed")

    def _expire(self, why: str) -> None:
        if self._closed is None and self._close_task is None:
            self._close_task = self._loop.create_task(self._close(why))

    async def _close(self, why: str) -> None:
        if self._closed is not None:
            await self._closed_event.wait()  # whoever closes first does the work; all wait
            return
        self._closed = why
        self._lifetime.cancel()
        if self._idle is not None:
            self._idle.cancel()
        kernels = list(self._kernels.values())
        self._kernels.clear()
        said = {
            "closed": "the session was closed",
            "idle": f"the session was idle for {self.spec.idle_timeout_s:g} s and expired",
            "lifetime": f"the session reached its lifetime limit ({self.spec.max_lifetime_s:g} s)",
        }[why]
        try:
            if self._warming is not None:  # the keeper must be out of the group before removal
                with contextlib.suppress(Exception):
                    await self._warming
            await asyncio.gather(*(k.kill(said) for k in kernels), return_exceptions=True)
            if self._group is not None:
                await _remove_group(self._group)
        finally:
            self._workdir.close()
            self._on_close(self)
            self._closed_event.set()

    async def wait_closed(self) -> None:
        """Wait until the session has closed and cleaned up (by `close()` or a timer)."""
        await self._closed_event.wait()

    def _check_open(self) -> None:
        if self._closed is not None:
            raise SessionNotFound(self._id)

    def _touch(self, *, busy: bool = False) -> None:
        self.last_active = time.monotonic()
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        # Never armed while a cell runs: a long cell is activity, bounded by its own limits.
        if not busy and not self._lock.locked() and self._closed is None:
            self._arm_idle()

    def _arm_idle(self) -> None:
        self._idle = self._loop.call_later(self.spec.idle_timeout_s, self._expire, "idle")


async def _remove_group(group: JobCgroup) -> None:
    """Kill whatever is left in the session's group (a box still starting), then remove it."""
    deadline = time.monotonic() + 5
    try:
        while group.populated() and time.monotonic() < deadline:
            group.kill()
            await asyncio.sleep(0.005)
        group.remove()
    except FileNotFoundError:
        pass


def _noted(result: CellResult, note: str) -> CellResult:
    message = f"{note}; {result.stage.message}" if result.stage.message else note
    return msgspec.structs.replace(
        result, stage=msgspec.structs.replace(result.stage, message=message)
    )


def _not_run(why: str) -> CellResult:
    return CellResult(
        stage=StageResult(
            stdout="",
            stderr="",
            output="",
            code=None,
            signal="SIGINT",
            status=Status.SIGNALED,
            message=why,
            cpu_time_ms=0,
            wall_time_ms=0,
            memory_bytes=0,
        )
    )
