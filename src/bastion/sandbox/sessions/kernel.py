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
import os
import signal
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from bastion.protocol.errors import ExecError
from bastion.protocol.exec import CellResult, OutputCallback
from bastion.sandbox.contain.cgroup import CgroupLimits, JobCgroup
from bastion.sandbox.contain.spec import BoxFile, BoxResult, BoxSpec
from bastion.sandbox.policy import StageLimits
from bastion.sandbox.sessions import frames
from bastion.sandbox.sessions.cell import Cell, Stop
from bastion.sandbox.sessions.languages import KERNEL_DIR, Language, sources

READ_CHUNK = 65536
START_TIMEOUT_S = 15.0
INTERRUPT_GRACE_S = 1.0
INTERRUPT_REPEAT_S = 0.2
CPU_TICK_S = 0.02
EXIT_GRACE_S = 0.3
STARTUP_OUTPUT_BYTES = 2048

# The box's first command: move the program's output onto the host's per-kernel pipes, close
# the spare fds, and exec the driver. (The pipeline's own stdout/stderr pipes stay unused.)
_REDIRECT = (
    "o=$BASTION_OUT_FD e=$BASTION_ERR_FD; unset BASTION_OUT_FD BASTION_ERR_FD; "
    'eval "exec 1>&$o 2>&$e $o>&- $e>&-"; exec "$@"'
)


class RunningBox(Protocol):
    """What a kernel needs of a contained process tree (`contain.supervisor.Box`)."""

    @property
    def cgroup(self) -> JobCgroup | None: ...

    def signal(self, signum: int) -> None: ...

    def kill(self) -> None: ...

    async def write_stdin(self, data: bytes) -> None: ...

    async def wait(self) -> BoxResult: ...


class Spawn(Protocol):
    """`Pipeline.spawn`: start a contained box (output goes to `on_output` and the result)."""

    def __call__(
        self, spec: BoxSpec, on_output: Callable[[str, str], object] | None = None
    ) -> Awaitable[RunningBox]: ...


class KernelDied(ExecError):
    pass


class Kernel:
    """One language's REPL in one box. Not reentrant: the session runs one cell at a time."""

    def __init__(
        self,
        language: Language,
        spawn: Spawn,
        *,
        workdir: str,
        network: bool,
        limits: StageLimits,
        cgroup_parent: str | None = None,
    ) -> None:
        self.language = language
        self._cgroup_parent = cgroup_parent
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
        self._startup_output = b""
        self._exited: asyncio.Task[BoxResult] | None = None
        self.alive = False
        self.obituary: str | None = None  # why it died while no cell ran, if it did

    @property
    def cgroup(self) -> JobCgroup | None:
        return self._box.cgroup if self._box is not None else None

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        lang = self.language
        files = sources(lang)  # a few KiB of package data, read per start: no global cache
        out_r, out_w = os.pipe2(os.O_CLOEXEC)
        err_r, err_w = os.pipe2(os.O_CLOEXEC)
        req_r, req_w = os.pipe2(os.O_CLOEXEC)
        evt_r, evt_w = os.pipe2(os.O_CLOEXEC)
        child = (out_w, err_w, req_r, evt_w)
        self._fds = {"stdout": out_r, "stderr": err_r, "req": req_w, "evt": evt_r}
        env = {
            **lang.env,
            "BASTION_OUT_FD": str(out_w),
            "BASTION_ERR_FD": str(err_w),
            "BASTION_REQ_FD": str(req_r),
            "BASTION_EVT_FD": str(evt_w),
        }
        spec = BoxSpec(
            argv=lang.argv
            if lang.redirects_itself
            else ("/bin/bash", "--norc", "--noprofile", "-c", _REDIRECT, "bash", *lang.argv),
            env=env,
            files=tuple(
                BoxFile(f"{KERNEL_DIR}/{name}", data, 0o444) for name, data in files.items()
            ),
            limits=self._limits,
            network=self._network,
            workdir=self._workdir,
            keep_stdin_open=lang.commands_on_stdin,
            pass_fds=child,
            cgroup_parent=self._cgroup_parent,
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
        except TimeoutError:
            await self.kill()
            raise KernelDied(
                f"the {lang.name} kernel did not start within {START_TIMEOUT_S:g} s"
            ) from None
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
            elif error == "Interrupted" and self.language.name == "javascript":
                # node hands a SIGINT that arrived as the previous cell ended to the next one.
                cell.note(
                    "interrupted by a stop request that arrived as the previous cell ended; "
                    "this cell may not have run fully"
                )
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
        self._interrupt(cell, time.monotonic() + INTERRUPT_GRACE_S)

    def _interrupt(self, cell: Cell, deadline: float) -> None:
        # SIGINT again every tick until the cell ends: one that landed before the user's code
        # started (drivers ignore it between cells) is not lost. Then the box is killed.
        if self._cell is not cell or self._done is None or self._done.done():
            return
        if time.monotonic() >= deadline:
            self._escalate(cell)
            return
        if self._box is not None:
            with contextlib.suppress(OSError):
                self._box.signal(signal.SIGINT)
        self._loop.call_later(INTERRUPT_REPEAT_S, self._interrupt, cell, deadline)

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
        ncpu = os.cpu_count() or 1
        while True:
            remaining_us = limit_ms * 1000 - (_safe(lambda: cgroup.cpu_usec(), cpu0) - cpu0)
            if remaining_us <= 0:
                self.stop_cell(Stop.CPU_TIME)
                return
            # The box cannot burn CPU faster than all cores at once: sleep until it could have.
            await asyncio.sleep(max(CPU_TICK_S, remaining_us / 1e6 / ncpu))

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
        if not self.language.commands_on_stdin:
            frame = frames.encode({"op": "run", "seq": self._seq, "code": code})
            await self._write(self._fds["req"], frame)
            return
        # Bash: the cell's frame goes first (at least what fits in the pipe now), then the line
        # that tells the shell to take it; the shell reads the rest while we write it.
        frame = b"%d %d\n%s" % (self._seq, len(data), data)
        sent = self._write_now(self._fds["req"], frame)
        if self._box is not None:
            await self._box.write_stdin(b"__bastion_cell\n")
        await self._write(self._fds["req"], frame[sent:])

    def _write_now(self, fd: int, data: bytes) -> int:
        try:
            return os.write(fd, data)
        except BlockingIOError:
            return 0
        except OSError:
            return len(data)  # EPIPE: the kernel died; its exit ends the cell

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
                if res.oom_killed:
                    why = "it ran out of memory"
                elif res.signal is not None:
                    why = f"it was killed by {_signame(res.signal)}"
                else:
                    why = f"it exited with code {res.exit_code}"
                if res.error or res.stderr:
                    why += ": " + (res.error or res.stderr.decode(errors="replace").strip())
        if self._cell is None and self._ready is not None and self._ready.done():
            self.obituary = why  # died between cells: the next cell is told
        self._lost(why)


def _signame(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _safe(fn: Callable[[], int], default: int) -> int:
    try:
        return fn()
    except (OSError, ValueError):
        return default
