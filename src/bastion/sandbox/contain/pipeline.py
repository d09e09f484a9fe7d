"""The contain pipeline: how one box is started, in order, every step fail-closed.

    open (once per supervisor)                 spawn (per box)
    1. probe the host, enforce the policy      1. cgroup: a fresh one made ahead (or a new one),
                                                  its memory + pids limits set
    2. compile the seccomp filter              2. fds: stdio pipes, info/block pipes, filter, files
    3. generate the minimal /etc               3. bwrap argv: namespaces, fs plan, identity, env
    4. sweep cgroups a dead supervisor left    4. rlimits backstop for the stage
    5. start the uid keeper and the spawner    5. the spawner (a fork server running as the box
                                                  uid) forks, sets the rlimits, execs bwrap
                                                  (if it is gone: setpriv + prlimit + bwrap)
                                               6. read the box's pid from bwrap's info fd
                                                  (bwrap holds it before exec, on --block-fd)
                                               7. attach that pid to the cgroup: nothing has forked
                                               8. release the block fd: the command starts
                                               9. supervise (contain.supervisor.Box)

Cgroups are made (and, on v1 memory, warmed by moving the uid keeper in and out) by a background
thread ahead of need, because the first entry into a fresh v1 memory cgroup costs ~10 ms here;
each is used by one box only.

If any spawn step fails, the steps already done are undone (bwrap killed, cgroup killed and
removed) and `ContainError` is raised; nothing runs half-contained. No `preexec_fn` is used, so
spawning is safe from a threaded process.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import os
import resource
import signal
import subprocess
import uuid
from collections.abc import Callable

from bastion.protocol.errors import ExecError, SandboxUnavailable
from bastion.sandbox.contain import bwrap, rlimits
from bastion.sandbox.contain import seccomp as seccomp_
from bastion.sandbox.contain.cgroup import CgroupLimits, Cgroups, JobCgroup
from bastion.sandbox.contain.spawner import Spawner
from bastion.sandbox.contain.spec import BoxFile, BoxResult, BoxSpec
from bastion.sandbox.contain.supervisor import Box, OutputCallback
from bastion.sandbox.host import Host
from bastion.sandbox.policy import Policy

SETUP_TIMEOUT_S = 10.0
# fds one box holds in the supervisor while it runs (pipes, pidfds), plus what its spawn needs
# for a moment (info/block pipes, the filter, a memfd per file): a conservative average.
FDS_PER_BOX = 16
READY_CGROUPS = 4


class ContainError(ExecError):
    """A box could not be started (or supervised); reported as status XX."""


class Pipeline:
    """Starts boxes. One per supervisor process: `Pipeline.open(policy)`, then `spawn`/`run`.

    `spawn(spec)` returns a running `Box` (stdin, signals, kill, `await box.wait()`);
    `run(spec)` is spawn + wait. Both are coroutines on the caller's event loop.
    """

    def __init__(
        self,
        policy: Policy,
        host: Host,
        *,
        cgroups: Cgroups | None,
        seccomp: bytes | None,
    ) -> None:
        self.policy = policy
        self.host = host
        self.cgroups = cgroups
        self.seccomp = seccomp
        self.etc = bwrap.etc_files(policy)
        self.running = 0
        # Boxes alive at once are bounded by our fd budget: beyond it a spawn waits its turn
        # instead of failing with EMFILE (set in open(), once the limit has been raised).
        self.max_running = 1 << 30
        self._turns: collections.deque[asyncio.Future[None]] = collections.deque()
        self.keeper: subprocess.Popen[bytes] | None = None
        self.spawner: Spawner | None = None
        # Fresh, already-warmed cgroups ready for the next boxes (each is used once).
        self._ready_cgroups: list[JobCgroup] = []
        self._refilling: asyncio.Task[None] | None = None
        self._closed = False
        self._making: set[str] = set()  # names being created by the refill thread

    @classmethod
    def open(cls, policy: Policy | None = None) -> Pipeline:
        """Probe the host and refuse (`SandboxUnavailable`) if the policy's requirements fail."""
        policy = policy or Policy()
        host = Host.probe(policy)  # 1. what this host supports
        try:
            policy.enforce(host.missing)  # ... and refuse what the policy requires but lacks
        except SandboxUnavailable:
            if host.cgroups is not None:  # the probe made our prefix directories: undo that
                with contextlib.suppress(OSError):
                    host.cgroups.close()
            raise
        seccomp = seccomp_.compile_filter() if host.seccomp else None  # 2.
        pipeline = cls(policy, host, cgroups=host.cgroups, seccomp=seccomp)  # 3. /etc files
        pipeline.max_running = _fd_budget() // FDS_PER_BOX
        if host.cgroups is not None:  # 4. leftovers of a supervisor that died mid-job
            host.cgroups.sweep()
        if host.switch_uid:
            pipeline.keeper = _uid_keeper(policy)
            with contextlib.suppress(OSError):
                pipeline.spawner = Spawner.start(_setpriv(policy))
        return pipeline

    def close(self, *, remove_cgroup_root: bool = False) -> None:
        """Stop the uid keeper; optionally sweep and remove our cgroup prefix (tests, CLI)."""
        self._closed = True
        while self._ready_cgroups:
            with contextlib.suppress(OSError):
                self._ready_cgroups.pop().remove()
        if self.keeper is not None:
            self.keeper.kill()
            self.keeper.wait()
            self.keeper = None
        if self.spawner is not None:
            self.spawner.close()
            self.spawner = None
        if remove_cgroup_root and self.cgroups is not None:
            self.cgroups.close()

    async def run(self, spec: BoxSpec, on_output: OutputCallback | None = None) -> BoxResult:
        box = await self.spawn(spec, on_output)
        return await box.wait()

    async def spawn(
        self, spec: BoxSpec, on_output: OutputCallback | None = None, *, parked: bool = False
    ) -> Box:
        """Start `spec` contained; raises `ContainError` if any step fails (all undone).

        `parked` boxes (the warm pool's) run without clocks until `Box.activate(limits)`.
        """
        p = self.policy
        await self._take_turn()
        with contextlib.ExitStack() as undo:
            undo.callback(self._end_turn)
            # 1. the cgroup, with its limits, before anything runs
            cgroup: JobCgroup | None = None
            if self.cgroups is not None:
                cgroup = self._make_cgroup(self.cgroups, spec)
                undo.callback(_destroy, cgroup)
            # 2. fds (ours are closed on the way out; the child's ends are passed by number)
            close_later: list[int] = []
            undo.callback(_close_all, close_later)
            stdin_r, stdin_w = _pipe(close_later)
            stdout_r, stdout_w = _pipe(close_later)
            stderr_r, stderr_w = _pipe(close_later)
            info_r, info_w = _pipe(close_later)
            block_r, block_w = _pipe(close_later)
            collect_r, collect_w = _pipe(close_later) if spec.collect else (None, None)
            child_fds = [info_w, block_r]
            seccomp_fd = None
            if self.seccomp is not None:
                seccomp_fd = seccomp_.filter_fd(self.seccomp)
                close_later.append(seccomp_fd)
                child_fds.append(seccomp_fd)
            file_fds = []
            etc = [BoxFile(path, data) for path, data in self.etc.items()]
            for f in (*etc, *spec.files):
                fd = _memfd(f.data)
                close_later.append(fd)
                child_fds.append(fd)
                file_fds.append((fd, f.path, f.mode))
            env = dict(spec.env)
            if collect_w is not None:
                child_fds.append(collect_w)
                env["BASTION_COLLECT_FD"] = str(collect_w)
            # 3. the bwrap command line
            argv = bwrap.command(
                _with_env(spec, env),
                p,
                info_fd=info_w,
                block_fd=block_r,
                seccomp_fd=seccomp_fd,
                file_fds=file_fds,
            )

            # 4.+5. start bwrap as the unprivileged box uid with the rlimit backstop set: by the
            # spawner (one fork of a small process that runs as the box uid), or else by
            # vfork-exec of `setpriv` + `prlimit` + bwrap (never a fork of the supervisor, never
            # preexec_fn).
            def release() -> None:  # the child's ends, once they are in bwrap's hands
                for fd in (stdin_r, stdout_w, stderr_w, *child_fds):
                    _close(close_later, fd)

            proc, pid, exit_status = await self._start_bwrap(
                argv,
                spec,
                (stdin_r, stdout_w, stderr_w),
                [*child_fds, *spec.pass_fds],
                release,
            )
            if proc is not None:
                undo.callback(_kill_proc, proc)
            elif exit_status is not None:
                undo.callback(_kill_unreaped, pid, exit_status)
            # 6. the box's first process, held by bwrap on the block fd
            child = await _read_child_pid(info_r, exit_status, proc)
            init_pidfd = os.pidfd_open(child)
            undo.callback(os.close, init_pidfd)
            # On failure, kill the held process before its block fd closes: a pending SIGKILL
            # wins over the EOF it would otherwise read and run on, unconfined by the cgroup.
            undo.callback(_kill_pidfd, init_pidfd)
            try:
                # 7. into the cgroup before it can fork
                if cgroup is not None:
                    cgroup.attach(child)
            except OSError as exc:
                raise ContainError(f"cannot confine the box (pid {child}): {exc}") from exc
            # 8. release it
            os.write(block_w, b"1")
            # 9. supervise; from here on the Box owns every fd and the cgroup
            box = Box(
                proc=proc,
                pid=pid,
                exit_status=exit_status,
                init_pid=child,
                init_pidfd=init_pidfd,
                cgroup=cgroup,
                limits=spec.limits,
                stdin_fd=_keep(close_later, stdin_w),
                stdout_fd=_keep(close_later, stdout_r),
                stderr_fd=_keep(close_later, stderr_r),
                collect_fd=_keep(close_later, collect_r) if collect_r is not None else None,
                collect_cap=p.workdir_bytes,
                on_output=on_output,
                tick_s=p.tick_ms / 1000,
                on_done=self._make_done(cgroup),
                parked=parked,
            )
            undo.pop_all()
        _close_all(close_later)
        if spec.stdin:
            await box.write_stdin(spec.stdin)
        if not spec.keep_stdin_open:
            await box.close_stdin()
        return box

    def _make_cgroup(self, cgroups: Cgroups, spec: BoxSpec) -> JobCgroup:
        limits = CgroupLimits(spec.limits.memory_bytes, spec.limits.max_processes)
        try:
            if spec.cgroup_parent is not None:
                return cgroups.create(f"{spec.cgroup_parent}/{_cgroup_name()}", limits)
            if self._ready_cgroups:
                cgroup = self._ready_cgroups.pop()
                cgroup.set_limits(limits)
            else:
                cgroup = cgroups.create(_cgroup_name(), limits)
        except OSError as exc:
            raise ContainError(f"cannot create the job's cgroup: {exc}") from exc
        if self._refilling is None or self._refilling.done():
            self._refilling = asyncio.get_running_loop().create_task(self._refill(cgroups))
        return cgroup

    async def _start_bwrap(
        self,
        argv: list[str],
        spec: BoxSpec,
        stdio: tuple[int, int, int],
        fds: list[int],
        release: Callable[[], None],
    ) -> tuple[subprocess.Popen[bytes] | None, int, asyncio.Future[int] | None]:
        env = {"PATH": "/usr/bin:/bin"}  # never the supervisor's (bwrap's is /proc/1/environ)
        if self.spawner is not None and self.spawner.alive:
            try:
                started, exit_status = self.spawner.submit(
                    argv,
                    env,
                    [*stdio, *fds],
                    rlimits.table(spec.limits),
                    targets=[0, 1, 2, *fds],
                )
            except OSError:
                pass  # the spawner is gone: start this box (and the next ones) the long way
            else:
                release()  # the request carries its own copies of the fds
                try:
                    pid = await asyncio.wait_for(asyncio.shield(started), SETUP_TIMEOUT_S)
                except (OSError, TimeoutError) as exc:
                    # If bwrap starts after all, nobody is left to confine it: kill it then.
                    started.add_done_callback(_kill_when_started)
                    raise ContainError(f"the spawner could not start bwrap: {exc}") from exc
                return None, pid, exit_status
        argv = rlimits.prefix(spec.limits) + argv
        if self.host.switch_uid:
            argv = [*_setpriv(self.policy), *argv]
        try:
            proc = subprocess.Popen(  # noqa: S603 - argv is built here, never from a shell
                argv,
                stdin=stdio[0],
                stdout=stdio[1],
                stderr=stdio[2],
                pass_fds=fds,  # the caller closes its pass_fds
                close_fds=True,
                start_new_session=True,
                env=env,
            )
        except OSError as exc:
            raise ContainError(f"cannot start bwrap: {exc}") from exc
        release()
        return proc, proc.pid, None

    async def _take_turn(self) -> None:
        while self.running >= self.max_running:
            turn = asyncio.get_running_loop().create_future()
            self._turns.append(turn)
            try:
                await turn
            except asyncio.CancelledError:
                if turn.done() and not turn.cancelled():
                    self._wake_next()  # we were woken but leave: pass the turn on
                raise
        self.running += 1

    def _end_turn(self) -> None:
        self.running -= 1
        self._wake_next()

    def _wake_next(self) -> None:
        while self._turns:
            turn = self._turns.popleft()
            if not turn.done():
                turn.get_loop().call_soon_threadsafe(_wake, turn)
                break

    def helper_pids(self) -> list[int]:
        """Our own processes that run as the box uid outside any box (keeper, spawner)."""
        pids = [] if self.keeper is None else [self.keeper.pid]
        return pids if self.spawner is None else [*pids, self.spawner.pid]

    def is_closed(self) -> bool:
        return self._closed

    def idle_cgroups(self) -> list[str]:
        """Names of the cgroups made ahead for future boxes (no process has run in them)."""
        return [cg.name for cg in self._ready_cgroups] + list(self._making)

    async def _refill(self, cgroups: Cgroups) -> None:
        limits = CgroupLimits(
            self.policy.run_defaults.memory_bytes, self.policy.run_defaults.max_processes
        )
        keeper = self.keeper.pid if self.keeper is not None else None

        def fresh() -> JobCgroup:
            # Runs in a worker thread: it may outlive the event loop that asked for it, so it
            # checks `closed` itself and never leaves a cgroup behind a closed pipeline.
            if self.is_closed():
                raise OSError("pipeline closed")
            name = _cgroup_name()
            self._making.add(name)
            cgroup = cgroups.create(name, limits)
            if keeper is not None:
                with contextlib.suppress(OSError):
                    cgroup.warm(keeper)
            if self.is_closed():
                cgroup.remove()
                raise OSError("pipeline closed")
            return cgroup

        while len(self._ready_cgroups) < READY_CGROUPS and not self.is_closed():
            try:
                cgroup = await asyncio.to_thread(fresh)
            except OSError:
                self._making.clear()
                return
            self._making.discard(cgroup.name)
            if self.is_closed():  # closed meanwhile
                with contextlib.suppress(OSError):
                    cgroup.remove()
                return
            self._ready_cgroups.append(cgroup)

    def _make_done(self, cgroup: JobCgroup | None) -> Callable[[], None]:
        def done() -> None:
            self._end_turn()
            if cgroup is not None:
                with contextlib.suppress(OSError):
                    cgroup.remove()

        return done


def _fd_budget(target: int = 65536) -> int:
    """Raise our soft RLIMIT_NOFILE towards the hard one; return the fds boxes may use."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = target if hard == resource.RLIM_INFINITY else min(target, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
    return max(soft, 256) - 128  # leave room for the rest of the service


def _wake(turn: asyncio.Future[None]) -> None:
    if not turn.done():
        turn.set_result(None)


def _cgroup_name() -> str:
    return f"job-{uuid.uuid4().hex[:16]}"


def _setpriv(policy: Policy) -> list[str]:
    return [
        "/usr/bin/setpriv",
        f"--reuid={policy.box_uid}",
        f"--regid={policy.box_gid}",
        "--clear-groups",
    ]


def _uid_keeper(policy: Policy) -> subprocess.Popen[bytes]:
    """An idle process running as the box uid for as long as the pipeline lives.

    The first process of a uid makes the kernel set up per-user accounting and the last one
    tears it down again; on the machine this was measured on that cost ~3 ms per sequential job.
    Keeping one process of the uid alive (it runs `sleep`, outside any box, and dies with the
    thread that started it) makes every box start skip it.
    """
    return subprocess.Popen(  # noqa: S603 - fixed argv
        [*_setpriv(policy), "--pdeathsig=KILL", "/usr/bin/sleep", "infinity"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env={"PATH": "/usr/bin:/bin"},
    )


def _with_env(spec: BoxSpec, env: dict[str, str]) -> BoxSpec:
    if env == spec.env:
        return spec
    import dataclasses

    return dataclasses.replace(spec, env=env)


def _pipe(owned: list[int]) -> tuple[int, int]:
    r, w = os.pipe2(os.O_CLOEXEC)
    owned += (r, w)
    return r, w


def _memfd(data: bytes) -> int:
    fd = os.memfd_create("bastion-file", os.MFD_CLOEXEC)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.lseek(fd, 0, os.SEEK_SET)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _close(owned: list[int], fd: int) -> None:
    owned.remove(fd)
    os.close(fd)


def _keep(owned: list[int], fd: int) -> int:
    owned.remove(fd)
    return fd


def _close_all(owned: list[int]) -> None:
    while owned:
        with contextlib.suppress(OSError):
            os.close(owned.pop())


def _kill_pidfd(pidfd: int) -> None:
    with contextlib.suppress(OSError):
        signal.pidfd_send_signal(pidfd, signal.SIGKILL)


def _kill_unreaped(pid: int, exit_status: asyncio.Future[int]) -> None:
    # The spawner reports bwrap's status only after reaping it: until then `pid` is still bwrap.
    if not exit_status.done():
        _kill_pid(pid)


def _kill_when_started(started: asyncio.Future[int]) -> None:
    if not started.cancelled() and started.exception() is None:
        _kill_pid(started.result())


def _kill_pid(pid: int) -> None:
    # Only on a failed spawn, right after bwrap started: the spawner has not reaped it yet.
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)


def _kill_proc(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):
        proc.send_signal(signal.SIGKILL)
    proc.wait()


def _destroy(cgroup: JobCgroup) -> None:
    import time

    with contextlib.suppress(OSError):
        cgroup.kill()
        deadline = time.monotonic() + 5
        while cgroup.populated() and time.monotonic() < deadline:
            time.sleep(0.001)
        cgroup.remove()


async def _read_child_pid(
    fd: int, exit_status: asyncio.Future[int] | None, proc: subprocess.Popen[bytes] | None
) -> int:
    """bwrap writes ``{"child-pid": N, ...}`` on --info-fd right after cloning the box."""
    loop = asyncio.get_running_loop()
    os.set_blocking(fd, False)
    buf = b""
    async with asyncio.timeout(SETUP_TIMEOUT_S):
        while True:
            try:
                chunk = os.read(fd, 4096)
            except BlockingIOError:
                ready = loop.create_future()
                loop.add_reader(fd, ready.set_result, None)
                try:
                    await ready
                finally:
                    loop.remove_reader(fd)
                continue
            if not chunk:
                if proc is not None:
                    status = proc.wait()
                elif exit_status is not None:
                    status = os.waitstatus_to_exitcode(await exit_status)
                raise ContainError(f"bwrap exited with status {status} before starting the box")
            buf += chunk
            try:
                info = json.loads(buf)
            except ValueError:
                continue
            pid = info.get("child-pid")
            if not isinstance(pid, int):
                raise ContainError(f"bwrap's info fd held no child-pid: {buf[:200]!r}")
            return pid
