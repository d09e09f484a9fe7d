"""The supervisor of one running box: pipes with byte caps, timers, CPU polling, kill, reap.

Everything runs on the event loop with no thread per box: output pipes and the bwrap pidfd are
watched with `loop.add_reader`, stdin is written with `loop.add_writer`, the wall clock is a
`call_later`, and the cgroup's CPU time is sampled adaptively (a job cannot burn CPU faster than
`ncpu` x wall time, so samples are sparse until the remaining budget is small, then every tick).

The moment a cap or limit is crossed the whole tree is killed (`cgroup.kill`, plus SIGKILL to the
box's PID-namespace init through a pidfd, which ends every process in the namespace); what was
read so far is kept. After the command exits the tree is killed anyway (daemons do not outlive
their job), the supervisor waits until the cgroup is empty, drains the pipes, reads the
accounting and removes the cgroup.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable

from bastion.sandbox.contain.cgroup import CgroupLimits, JobCgroup
from bastion.sandbox.contain.spec import BoxResult, KillReason
from bastion.sandbox.policy import StageLimits

OutputCallback = Callable[[str, str], object]  # (stream name, decoded text)
READ_CHUNK = 65536
SIGNAL_MAX = 64


class _Stream:
    """One output pipe: keeps at most `cap` bytes, decodes incrementally for the callback."""

    def __init__(self, name: str, fd: int, cap: int) -> None:
        self.name, self.fd, self.cap = name, fd, cap
        self.chunks: list[bytes] = []
        self.size = 0
        self.truncated = False
        self.eof = False
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def take(self, data: bytes) -> tuple[str, bool]:
        """Keep what fits; return (decoded text, crossed the cap)."""
        room = self.cap - self.size
        crossed = len(data) > room
        if crossed:
            data = data[: max(room, 0)]
            self.truncated = True
        self.chunks.append(data)
        self.size += len(data)
        return self.decoder.decode(data, final=False), crossed

    def value(self) -> bytes:
        return b"".join(self.chunks)


class Box:
    """A running, contained process tree. Create with `Pipeline.spawn`; always `await wait()`."""

    def __init__(
        self,
        *,
        proc: subprocess.Popen[bytes],
        init_pid: int,
        init_pidfd: int,
        cgroup: JobCgroup | None,
        limits: StageLimits,
        stdin_fd: int,
        stdout_fd: int,
        stderr_fd: int,
        collect_fd: int | None,
        collect_cap: int,
        on_output: OutputCallback | None,
        tick_s: float,
        on_done: Callable[[], None],
        parked: bool = False,
    ) -> None:
        self._loop = asyncio.get_running_loop()
        self._proc = proc
        self._init_pid = init_pid
        self._init_pidfd = init_pidfd
        self._cgroup = cgroup
        self._limits = limits
        self._on_output = on_output
        self._tick_s = tick_s
        self._on_done = on_done
        self._started = time.monotonic()
        self._cpu_base = 0
        self._killed: KillReason | None = None
        self._output: list[str] = []
        self._streams = {
            "stdout": _Stream("stdout", stdout_fd, limits.output_max_bytes),
            "stderr": _Stream("stderr", stderr_fd, limits.output_max_bytes),
        }
        self._collect = _Stream("collect", collect_fd, collect_cap) if collect_fd else None
        self._stdin_fd: int | None = stdin_fd
        self._stdin_buf = bytearray()
        self._stdin_closing = False
        self._exited = self._loop.create_future()  # -> raw wait status of bwrap
        self._result: asyncio.Task[BoxResult] | None = None
        self._proc_pidfd = os.pidfd_open(proc.pid)
        for fd in (stdin_fd, stdout_fd, stderr_fd, *([collect_fd] if collect_fd else [])):
            os.set_blocking(fd, False)
        for s in (*self._streams.values(), *([self._collect] if self._collect else [])):
            self._loop.add_reader(s.fd, self._on_readable, s)
        self._loop.add_reader(self._proc_pidfd, self._on_proc_exit)
        self._wall: asyncio.TimerHandle | None = None
        self._cpu_watch: asyncio.Task[None] | None = None
        self.parked = parked
        if not parked:
            self._arm()

    def _arm(self) -> None:
        self._started = time.monotonic()
        self._wall = self._loop.call_later(
            self._limits.wall_time_ms / 1000, self.kill, KillReason.WALL_TIME
        )
        if self._cgroup is not None:
            self._cpu_base = self._cgroup.cpu_usec()
            self._cpu_watch = self._loop.create_task(self._watch_cpu(self._cgroup))

    def activate(self, limits: StageLimits) -> None:
        """Start the clocks of a parked (pre-started, warm pool) box under `limits`.

        Time and CPU count from now; the cgroup limits are updated; output caps apply from now.
        Only limits no stricter than the box was spawned with for its rlimits are safe here: the
        warm pool only hands out boxes whose spawn limits equal the job's.
        """
        if not self.parked:
            raise RuntimeError("box is already running")
        self.parked = False
        self._limits = limits
        for s in self._streams.values():
            s.cap = limits.output_max_bytes
        if self._cgroup is not None:
            self._cgroup.set_limits(CgroupLimits(limits.memory_bytes, limits.max_processes))
        self._arm()

    def set_output_callback(self, on_output: OutputCallback | None) -> None:
        self._on_output = on_output

    @property
    def limits(self) -> StageLimits:
        return self._limits

    @property
    def alive(self) -> bool:
        return not self._exited.done()

    @property
    def pid(self) -> int:
        """The bwrap process (outside the box)."""
        return self._proc.pid

    @property
    def cgroup(self) -> JobCgroup | None:
        """The box's cgroup (sessions read its accounting per cell and adjust its limits)."""
        return self._cgroup

    # ------------------------------------------------------------ control

    def kill(self, reason: KillReason = KillReason.REQUESTED) -> None:
        """Kill the whole tree now. The first reason given is the one reported."""
        if self._killed is None and not self._exited.done():
            self._killed = reason
        self._kill_tree()

    def _kill_tree(self) -> None:
        if self._cgroup is not None:
            with contextlib.suppress(OSError):
                self._cgroup.kill()
        if self._init_pidfd < 0:  # closed: its number may already name another box's pidfd
            return
        with contextlib.suppress(OSError):
            signal.pidfd_send_signal(self._init_pidfd, signal.SIGKILL)

    def signal(self, signum: int) -> None:
        """Deliver `signum` to every process of the box; SIGKILL and SIGTERM end the whole tree."""
        if signum in (signal.SIGKILL, signal.SIGTERM):
            self.kill(KillReason.REQUESTED)
            return
        if self._cgroup is None:
            return
        for pid in self._cgroup.pids():
            if pid == self._init_pid:
                # bwrap's reaper, PID 1 in the box: a signal from outside the namespace is not
                # filtered for it, and its death would end the whole box.
                continue
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)

    async def write_stdin(self, data: bytes) -> None:
        if self._stdin_fd is None or self._stdin_closing:
            return
        self._stdin_buf += data
        self._flush_stdin()

    async def close_stdin(self) -> None:
        self._stdin_closing = True
        self._flush_stdin()

    def _flush_stdin(self) -> None:
        fd = self._stdin_fd
        if fd is None:
            return
        while self._stdin_buf:
            try:
                n = os.write(fd, self._stdin_buf)
            except BlockingIOError:
                self._loop.add_writer(fd, self._on_stdin_writable)
                return
            except OSError:  # EPIPE: the job stopped reading; what it did not read is dropped
                self._stdin_buf.clear()
                break
            del self._stdin_buf[:n]
        self._loop.remove_writer(fd)
        if self._stdin_closing:
            os.close(fd)
            self._stdin_fd = None

    def _on_stdin_writable(self) -> None:
        self._flush_stdin()

    # ------------------------------------------------------------ events

    def _on_readable(self, s: _Stream) -> None:
        try:
            data = os.read(s.fd, READ_CHUNK)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        self._take(s, data)

    def _take(self, s: _Stream, data: bytes) -> None:
        if not data:
            self._stop_reading(s)
            return
        text, crossed = s.take(data)
        if s is not self._collect and text:
            self._output.append(text)
            if self._on_output is not None:
                self._on_output(s.name, text)
        if crossed:
            self._stop_reading(s)
            if s.name == "stdout":
                self.kill(KillReason.STDOUT)
            elif s.name == "stderr":
                self.kill(KillReason.STDERR)

    def _stop_reading(self, s: _Stream) -> None:
        if not s.eof:
            s.eof = True
            self._loop.remove_reader(s.fd)

    def _on_proc_exit(self) -> None:
        self._loop.remove_reader(self._proc_pidfd)
        # Reap bwrap ourselves (wait4 gives the CPU time of the reaped tree as a fallback when
        # there is no cgroup) and tell Popen, so it neither reaps again nor warns.
        try:
            _pid, status, rusage = os.wait4(self._proc.pid, 0)
        except ChildProcessError:
            status, rusage = 0, None
        self._proc.returncode = os.waitstatus_to_exitcode(status)
        if not self._exited.done():
            self._exited.set_result((status, rusage))

    async def _watch_cpu(self, cgroup: JobCgroup) -> None:
        limit_us = self._limits.cpu_time_ms * 1000
        ncpu = os.cpu_count() or 1
        while not self._exited.done():
            try:
                used = cgroup.cpu_usec() - self._cpu_base
            except OSError:
                return
            remaining = limit_us - used
            if remaining <= 0:
                self.kill(KillReason.CPU_TIME)
                return
            await asyncio.sleep(max(self._tick_s, remaining / 1e6 / ncpu))

    # ------------------------------------------------------------ the end

    async def wait(self) -> BoxResult:
        """Wait for the command to end, then clean up; returns the same result to every caller."""
        if self._result is None:
            self._result = self._loop.create_task(self._finish())
        return await asyncio.shield(self._result)

    async def _finish(self) -> BoxResult:
        error: str | None = None
        try:
            status, rusage = await self._exited
        except asyncio.CancelledError:
            self.kill(KillReason.SUPERVISOR)
            raise
        wall_ms = int((time.monotonic() - self._started) * 1000)
        if self._wall is not None:
            self._wall.cancel()
        if self._cpu_watch is not None:
            self._cpu_watch.cancel()
        # Whatever the command left running (daemons, double forks) dies with it.
        self._kill_tree()
        try:
            await self._wait_empty()
        except TimeoutError:
            error = "the box's processes did not exit after SIGKILL"
        self._drain()
        cpu_us, peak, ooms = 0, 0, 0
        if self._cgroup is not None:
            try:
                cpu_us = self._cgroup.cpu_usec() - self._cpu_base
                peak = self._cgroup.peak_memory()
                ooms = self._cgroup.oom_kills()
            except OSError as exc:
                error = error or f"cannot read the cgroup's accounting: {exc}"
        elif rusage is not None:
            cpu_us = int((rusage.ru_utime + rusage.ru_stime) * 1e6)
            peak = rusage.ru_maxrss * 1024
        self._close()
        code, sig = _decode_status(status)
        if self._killed is not None and sig is None:
            # bwrap reports its child's death by SIGKILL as 128+9 like a shell does.
            code, sig = None, signal.SIGKILL
        out, err = self._streams["stdout"], self._streams["stderr"]
        for s in (out, err):
            tail = s.decoder.decode(b"", final=True)
            if tail:
                self._output.append(tail)
        return BoxResult(
            exit_code=code,
            signal=sig,
            killed=self._killed,
            oom_killed=ooms > 0,
            stdout=out.value(),
            stderr=err.value(),
            output="".join(self._output),
            stdout_truncated=out.truncated,
            stderr_truncated=err.truncated,
            cpu_time_ms=cpu_us // 1000,
            wall_time_ms=wall_ms,
            memory_bytes=peak,
            collected=self._collect.value() if self._collect else b"",
            error=error,
        )

    async def _wait_empty(self) -> None:
        if self._cgroup is None:
            return
        # A killed tree usually empties within a couple of ms: look often at first (a doubling
        # backoff from the start would notice up to twice as late), then back off.
        deadline = time.monotonic() + 5
        polls = 0
        while self._cgroup.populated():
            if time.monotonic() > deadline:
                raise TimeoutError
            if polls % 8 == 7:
                self._cgroup.kill()  # anything that raced the first kill
            await asyncio.sleep(0.00025 if polls < 16 else min(0.001 * (polls - 15), 0.02))
            polls += 1

    def _drain(self) -> None:
        # Every writer is dead now: read what the pipes still hold (the kernel keeps it after the
        # writer dies), up to each cap, until end of file.
        for s in (*self._streams.values(), *([self._collect] if self._collect else [])):
            while not s.eof:
                try:
                    data = os.read(s.fd, READ_CHUNK)
                except OSError:  # EAGAIN would mean a writer outlived the box: stop there
                    break
                self._take(s, data)

    def _close(self) -> None:
        for s in (*self._streams.values(), *([self._collect] if self._collect else [])):
            self._stop_reading(s)
            os.close(s.fd)
        if self._stdin_fd is not None:
            self._loop.remove_writer(self._stdin_fd)
            os.close(self._stdin_fd)
            self._stdin_fd = None
        os.close(self._proc_pidfd)
        os.close(self._init_pidfd)
        self._init_pidfd = -1
        self._on_done()


def _decode_status(status: int) -> tuple[int | None, int | None]:
    """bwrap's exit status -> (exit code, signal). bwrap exits 128+N when its child died of N."""
    if os.WIFSIGNALED(status):
        return None, os.WTERMSIG(status)
    code = os.WEXITSTATUS(status)
    if 128 < code <= 128 + SIGNAL_MAX:
        return None, code - 128
    return code, None
