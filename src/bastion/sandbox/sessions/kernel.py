"""A REPL kernel in its own box: start it, run cells, interrupt, restart, kill.

Each language of a session gets one box from the contain pipeline (namespaces, seccomp, its own
cgroup, rlimits) running that language's driver script (`kernels/`). The session's boxes share
the work dir. The host speaks to the driver over two extra pipes (requests in, events out) and
reads the program's stdout/stderr from two more; nothing on stdout/stderr is ever parsed, so a
program printing something that looks like a control message changes nothing.

    run(code)    seq += 1; send {"op":"run"}; stream stdout/stderr into the cell; the cell ends
                 when the driver's "done" frame for that seq arrives (then the pipes are drained:
                 the driver flushed before writing it), or when the kernel's box dies.
    interrupt    SIGINT to every process in the kernel's box (a KeyboardInterrupt in Python,
                 breakOnSigint in node, an interactive shell's Ctrl-C); if the cell has not ended
                 after a grace period, the box is killed (cgroup.kill) and the kernel restarts
                 on the next cell: state is lost, but nothing keeps running.
    limits       wall time (timer), CPU time (the box cgroup's usage, polled), output caps per
                 stream, memory (the box cgroup's limit; an OOM kill ends the kernel and is
                 reported as SIGKILL + oom_killed).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.resources
import os
import signal
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from bastion.protocol.errors import ExecError
from bastion.protocol.exec import CellResult, OutputCallback
from bastion.sandbox.contain.cgroup import CgroupLimits, JobCgroup
from bastion.sandbox.contain.spec import BoxFile, BoxResult, BoxSpec
from bastion.sandbox.policy import StageLimits
from bastion.sandbox.sessions import frames
from bastion.sandbox.sessions.cell import Cell, Stop

KERNEL_DIR = "/opt/bastion"  # inside the box; the drivers are written there read-only
READ_CHUNK = 65536
START_TIMEOUT_S = 15.0
INTERRUPT_GRACE_S = 1.0
CPU_TICK_S = 0.02
EXIT_GRACE_S = 0.3
STARTUP_OUTPUT_BYTES = 2048

# The box's first command: move the program's output onto the host's per-kernel pipes, close
# the spare fds, and exec the driver. (The pipeline's own stdout/stderr pipes stay unused.)
_REDIRECT = (
    "o=$BASTION_OUT_FD e=$BASTION_ERR_FD; unset BASTION_OUT_FD BASTION_ERR_FD; "
    'eval "exec 1>&$o 2>&$e $o>&- $e>&-"; exec "$@"'
)


@dataclass(frozen=True, slots=True)
class Language:
    name: str
    argv: tuple[str, ...]
    sources: tuple[str, ...]  # driver files shipped into KERNEL_DIR
    env: Mapping[str, str] = field(default_factory=dict)
    commands_on_stdin: bool = False  # bash: one command line per cell on stdin


LANGUAGES: dict[str, Language] = {
    "python": Language(
        "python",
        ("/usr/bin/python3", "-E", "-s", "-u", f"{KERNEL_DIR}/pykernel.py"),
        ("pykernel.py", "_bastion_mpl.py", "fonts.conf"),
        {
            "MPLBACKEND": "module://_bastion_mpl",
            # Debian looks for it in /etc, which the box does not share with the host.
            "MATPLOTLIBRC": "/usr/share/matplotlib/mpl-data/matplotlibrc",
            "FONTCONFIG_FILE": f"{KERNEL_DIR}/fonts.conf",
            "MPLCONFIGDIR": "/tmp/.matplotlib",  # noqa: S108 - the box's private /tmp
            "PYTHONDONTWRITEBYTECODE": "1",
        },
    ),
    "javascript": Language(
        "javascript",
        ("/usr/bin/node", "--max-old-space-size=4096", f"{KERNEL_DIR}/jskernel.js"),
        ("jskernel.js",),
    ),
    "bash": Language(
        "bash",
        ("/bin/bash", "--rcfile", f"{KERNEL_DIR}/bashkernel.sh", "--noediting", "-i"),
        ("bashkernel.sh",),
        commands_on_stdin=True,
    ),
}
ALIASES = {
    "python": "python", "python3": "python", "py": "python",
    "javascript": "javascript", "js": "javascript", "node": "javascript", "node-js": "javascript",
    "bash": "bash", "sh": "bash", "shell": "bash",
}  # fmt: skip


def _sources() -> dict[str, bytes]:
    root = importlib.resources.files(__package__) / "kernels"
    return {
        name: (root / name).read_bytes() for lang in LANGUAGES.values() for name in lang.sources
    }


class RunningBox(Protocol):
    """What a kernel needs of a contained process tree (`contain.supervisor.Box`)."""

    @property
    def cgroup(self) -> JobCgroup | None: ...

    def signal(self, signum: int) -> None: ...

    def kill(self) -> None: ...

    async def write_stdin(self, data: bytes) -> None: ...

    async def wait(self) -> BoxResult: ...


Spawn = Callable[[BoxSpec], Awaitable[RunningBox]]


class KernelDied(ExecError):
    pass


class Kernel:
    """One language's REPL in one box. Not reentrant: the session runs one cell at a time."""

    _sources_cache: dict[str, bytes] | None = None

    def __init__(
        self,
        language: Language,
        spawn: Spawn,
        *,
        workdir: str,
        network: bool,
        limits: StageLimits,
    ) -> None:
        self.language = language
        self._spawn = spawn
        self._workdir = workdir
        self._network = network
        self._limits = limits  # the box's: memory, processes, lifetime as wall time
        self._loop = asyncio.get_running_loop()
        self._box: RunningBox | None = None
        self._fds: dict[str, int] = {}
        self._decoder = frames.FrameDecoder()
        self._ready: asyncio.Future[None] | None = None
        self._done: asyncio.Future[tuple[int | None, str | None]] | None = None
        self._cell: Cell | None = None
        self._seq = 0
        self._child_ctl = (-1, -1)
        self._startup_output = b""
        self._exited: asyncio.Task[BoxResult] | None = None
        self.alive = False

    @property
    def cgroup(self) -> JobCgroup | None:
        return self._box.cgroup if self._box is not None else None

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        if Kernel._sources_cache is None:
            Kernel._sources_cache = _sources()
        lang = self.language
        out_r, out_w = os.pipe2(os.O_CLOEXEC)
        err_r, err_w = os.pipe2(os.O_CLOEXEC)
        req_r, req_w = os.pipe2(os.O_CLOEXEC)
        evt_r, evt_w = os.pipe2(os.O_CLOEXEC)
        child = (out_w, err_w, req_r, evt_w)
        self._child_ctl = (req_r, evt_w)  # the box sees them at the same numbers
        self._fds = {"stdout": out_r, "stderr": err_r, "req": req_w, "evt": evt_r}
        env = {
            **lang.env,
            "BASTION_OUT_FD": str(out_w),
            "BASTION_ERR_FD": str(err_w),
            "BASTION_REQ_FD": str(req_r),
            "BASTION_EVT_FD": str(evt_w),
        }
        spec = BoxSpec(
            argv=("/bin/bash", "--norc", "--noprofile", "-c", _REDIRECT, "bash", *lang.argv),
            env=env,
            files=tuple(
                BoxFile(f"{KERNEL_DIR}/{name}", Kernel._sources_cache[name], 0o444)
                for name in lang.sources
            ),
            limits=self._limits,
            network=self._network,
            workdir=self._workdir,
            keep_stdin_open=lang.commands_on_stdin,
            pass_fds=child,
        )
        self._ready = self._loop.create_future()
        try:
            self._box = await self._spawn(spec)
        except BaseException:
            self._close_fds()
            raise
        finally:
            for fd in child:
                os.close(fd)
        self.alive = True
        self._exited = self._loop.create_task(self._box.wait())
        self._exited.add_done_callback(lambda _t: self._on_exit())
        for name in ("stdout", "stderr", "evt"):
            os.set_blocking(self._fds[name], False)
            self._loop.add_reader(self._fds[name], self._on_readable, name)
        os.set_blocking(self._fds["req"], False)
        try:
            async with asyncio.timeout(START_TIMEOUT_S):
                await self._ready
        except BaseException:
            await self.kill()
            raise
        # What a kernel prints while starting (bash's "no job control") belongs to no cell.

    async def kill(self, why: str | None = None) -> None:
        """Kill the kernel's whole box and wait until its cgroup is gone. `why` is told to the
        cell this interrupts, if any."""
        if why is not None and self._cell is not None:
            self._cell.note(why)
        if self._box is not None:
            self._box.kill()
        if self._exited is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(self._exited)
        self._close_fds()

    def _close_fds(self) -> None:
        for name, fd in list(self._fds.items()):
            if name in ("stdout", "stderr", "evt"):
                self._loop.remove_reader(fd)
            if name == "req":
                self._loop.remove_writer(fd)
            with contextlib.suppress(OSError):
                os.close(fd)
        self._fds.clear()

    # ------------------------------------------------------------ a cell

    async def run(
        self, code: str, limits: StageLimits, on_output: OutputCallback | None
    ) -> CellResult:
        if not self.alive or self._box is None:
            raise KernelDied(f"the {self.language.name} kernel is not running")
        self._seq += 1
        cell = self._cell = Cell(self._seq, output_cap=limits.output_max_bytes, on_output=on_output)
        self._done = self._loop.create_future()
        cgroup = self._box.cgroup
        cpu0 = _safe(lambda: cgroup.cpu_usec(), 0) if cgroup else 0
        oom0 = _safe(lambda: cgroup.oom_kills(), 0) if cgroup else 0
        self._cell_limits(limits)
        started = time.monotonic()
        watchers = [
            self._loop.call_later(limits.wall_time_ms / 1000, self.stop_cell, Stop.WALL_TIME)
        ]
        cpu_task = self._loop.create_task(self._watch_cpu(cpu0, limits.cpu_time_ms))
        try:
            await self._send(code)
            try:
                code_, error = await asyncio.shield(self._done)
            except asyncio.CancelledError:
                # The caller went away: stop the cell (escalating as usual) so that the kernel
                # is idle, or dead, before the next cell; never leave it running unobserved.
                self.stop_cell(Stop.INTERRUPTED)
                with contextlib.suppress(BaseException):
                    await asyncio.shield(self._done)
                raise
        finally:
            for w in watchers:
                w.cancel()
            cpu_task.cancel()
            self._cell = None
        wall_ms = int((time.monotonic() - started) * 1000)
        sig: int | None = None
        oom = False
        if code_ is None:  # the kernel's box died during the cell
            result = await self._exited_result()
            sig = result.signal if result else signal.SIGKILL
            code_ = result.exit_code if result and sig is None else None
            oom = bool(result and result.oom_killed) or (
                cgroup is not None and _safe(lambda: cgroup.oom_kills(), 0) > oom0
            )
            if oom:
                sig = signal.SIGKILL
                limit = min(limits.memory_bytes, self._limits.memory_bytes)
                cell.note(
                    f"the cell ran out of memory (limit {limit} bytes): the "
                    f"{self.language.name} kernel was killed and its state lost"
                )
            elif not cell.notes:
                cell.note(f"the {self.language.name} kernel ended ({error}); its state was lost")
            cpu_ms = result.cpu_time_ms if result else 0
            peak = result.memory_bytes if result else 0
        else:
            self._restore_limits(limits)
            cpu_ms = (_safe(lambda: cgroup.cpu_usec(), cpu0) - cpu0) // 1000 if cgroup else 0
            peak = _safe(lambda: cgroup.peak_memory(), 0) if cgroup else 0
            if cell.stop is not None:
                sig = signal.SIGINT
        return cell.result(
            code=code_ if sig is None else None,
            sig=sig,
            cpu_time_ms=cpu_ms,
            wall_time_ms=wall_ms,
            memory_bytes=peak,
            oom_killed=oom,
        )

    def stop_cell(self, why: Stop = Stop.INTERRUPTED) -> None:
        """Interrupt the running cell (SIGINT), escalating to killing the kernel's box."""
        cell = self._cell
        if cell is None or self._box is None or (self._done and self._done.done()):
            return
        first = cell.stop is None
        cell.stopped(why)
        if not first:
            return
        with contextlib.suppress(OSError):
            self._box.signal(signal.SIGINT)
        self._loop.call_later(INTERRUPT_GRACE_S, self._escalate, cell)

    def _escalate(self, cell: Cell) -> None:
        if self._cell is cell and self._done is not None and not self._done.done():
            cell.note(
                f"the cell did not stop on SIGINT within {INTERRUPT_GRACE_S:g} s: the "
                f"{self.language.name} kernel was killed and its state lost"
            )
            if self._box is not None:
                self._box.kill()

    async def _watch_cpu(self, cpu0: int, limit_ms: int) -> None:
        cgroup = self._box.cgroup if self._box else None
        if cgroup is None:
            return
        while True:
            await asyncio.sleep(CPU_TICK_S)
            used = _safe(lambda: cgroup.cpu_usec(), cpu0) - cpu0
            if used >= limit_ms * 1000:
                self.stop_cell(Stop.CPU_TIME)
                return

    def _cell_limits(self, limits: StageLimits) -> None:
        cgroup = self._box.cgroup if self._box else None
        if cgroup is None or (
            limits.memory_bytes >= self._limits.memory_bytes
            and limits.max_processes >= self._limits.max_processes
        ):
            return
        # Lowering the memory limit under what the kernel already holds fails (EBUSY): the
        # session's limit then stays in force for this cell.
        with contextlib.suppress(OSError):
            cgroup.set_limits(
                CgroupLimits(
                    min(limits.memory_bytes, self._limits.memory_bytes),
                    min(limits.max_processes, self._limits.max_processes),
                )
            )

    def _restore_limits(self, limits: StageLimits) -> None:
        cgroup = self._box.cgroup if self._box else None
        if cgroup is not None and (
            limits.memory_bytes < self._limits.memory_bytes
            or limits.max_processes < self._limits.max_processes
        ):
            with contextlib.suppress(OSError):
                cgroup.set_limits(
                    CgroupLimits(self._limits.memory_bytes, self._limits.max_processes)
                )

    async def _send(self, code: str) -> None:
        data = code.encode()
        if self.language.commands_on_stdin:
            await self._write(self._fds["req"], b"%d\n%s" % (len(data), data))
            if self._box is None:
                return
            await self._box.write_stdin(
                b'__bastion_load %d; eval "$__bastion_code" </dev/null %d<&- %d>&-\n'
                % (self._seq, *self._child_ctl)
            )
        else:
            await self._write(
                self._fds["req"], frames.encode({"op": "run", "seq": self._seq, "code": code})
            )

    async def _write(self, fd: int, data: bytes) -> None:
        view = memoryview(data)
        while view and self.alive:
            try:
                view = view[os.write(fd, view) :]
            except BlockingIOError:
                writable: asyncio.Future[None] = self._loop.create_future()
                self._loop.add_writer(fd, _resolve, writable)
                waits: set[asyncio.Future[Any]] = {writable}
                if self._exited is not None:
                    waits.add(self._exited)
                try:
                    await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    self._loop.remove_writer(fd)
            except OSError:
                return  # EPIPE: the kernel died; its exit ends the cell

    async def _exited_result(self) -> BoxResult | None:
        if self._exited is None:
            return None
        try:
            return await asyncio.shield(self._exited)
        except Exception:
            return None

    # ------------------------------------------------------------ events

    def _on_readable(self, name: str) -> None:
        fd = self._fds.get(name)
        if fd is None:
            return
        try:
            data = os.read(fd, READ_CHUNK)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._loop.remove_reader(fd)
            if name == "evt" and (self._exited is None or self._exited.done()):
                self._lost("its control channel closed")
            elif name == "evt" and self._box is not None:
                # The driver is gone. Its box normally follows at once (report its real exit
                # status); whatever it left behind is killed shortly after.
                self._loop.call_later(EXIT_GRACE_S, self._box.kill)
            return
        if name == "evt":
            try:
                for frame in self._decoder.feed(data):
                    self._on_frame(frame)
            except frames.ProtocolError as exc:
                self._loop.remove_reader(fd)
                self._lost(f"protocol error: {exc}")
        elif self._cell is not None:
            if self._cell.take(name, data):
                self.stop_cell(Stop.STDOUT if name == "stdout" else Stop.STDERR)
        elif self._ready is not None and not self._ready.done():
            # Kept to explain a kernel that fails to start.
            self._startup_output = (self._startup_output + data)[-STARTUP_OUTPUT_BYTES:]
        # Output between cells (a background process) belongs to no cell and is dropped.

    def _on_frame(self, frame: dict[str, Any]) -> None:
        op = frame["op"]
        if op not in ("ready", "display", "done"):
            raise frames.ProtocolError(f"unknown frame op {op[:40]!r}")
        if self._ready is not None and not self._ready.done():
            if op == "ready" or (op == "done" and frame.get("seq") == 0):
                self._ready.set_result(None)
            return
        cell = self._cell
        seq = frame.get("seq")
        if cell is None or seq != cell.seq or self._done is None or self._done.done():
            return  # late or stray: a cell that already ended
        if op == "display":
            cell.display(frame)
        elif op == "done":
            self._drain()
            code = frame.get("code")
            error = frame.get("error")
            self._done.set_result(
                (code if isinstance(code, int) else 1, error if isinstance(error, str) else None)
            )

    def _drain(self) -> None:
        # The driver flushed stdout/stderr before writing "done": those bytes are in the pipes.
        for name in ("stdout", "stderr"):
            fd = self._fds.get(name)
            while fd is not None:
                try:
                    data = os.read(fd, READ_CHUNK)
                except OSError:
                    break
                if not data:
                    break
                if self._cell is not None and self._cell.take(name, data):
                    self.stop_cell(Stop.STDOUT if name == "stdout" else Stop.STDERR)

    def _lost(self, why: str) -> None:
        if self.alive and self._box is not None:
            self._box.kill()
        self.alive = False
        if self._ready is not None and not self._ready.done():
            said = self._startup_output.decode(errors="replace").strip()
            self._ready.set_exception(
                KernelDied(
                    f"the {self.language.name} kernel failed to start: {why}"
                    + (f"; it said: {said}" if said else "")
                )
            )
        if self._done is not None and not self._done.done():
            self._done.set_result((None, why))

    def _on_exit(self) -> None:
        self._drain()
        why = "its box exited"
        if self._exited is not None and not self._exited.cancelled():
            exc = self._exited.exception()
            if exc is not None:
                why = f"its box failed: {exc}"
            else:
                res = self._exited.result()
                why = f"its box exited (code {res.exit_code}, signal {res.signal})"
                if res.error or res.stderr:
                    why += ": " + (res.error or res.stderr.decode(errors="replace").strip())
        self._lost(why)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _safe(fn: Callable[[], int], default: int) -> int:
    try:
        return fn()
    except (OSError, ValueError):
        return default
