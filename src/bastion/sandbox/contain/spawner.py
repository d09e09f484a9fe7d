"""A small fork server that starts bwrap as the box uid, with the box's rlimits, in one fork.

Without it every box costs three execs before bwrap even starts (`setpriv` to drop to the box
uid, `prlimit` to set the backstop limits, then bwrap): the supervisor may lack
CAP_SYS_RESOURCE (so it cannot set another uid's limits) and must not run Python between fork and
exec in its own threaded process. The spawner is a separate, single-threaded CPython process,
started once through `setpriv` as the box uid; for each box the supervisor sends it the argv, the
environment, the rlimits and the fds (SCM_RIGHTS) over a socketpair; it forks, and the child puts
each fd at the number the argv names, lowers its rlimits, starts a new session and execs bwrap.
The spawner reports the pid, and later the wait status, which it reaps.

It holds nothing a box could use: no privilege beyond the box uid, no files, no network. It dies
with the supervisor (parent-death signal), and bwrap's `--die-with-parent` takes the boxes with
it. If it cannot start or dies, the pipeline falls back to execing setpriv and prlimit.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import socket
import subprocess
from collections.abc import Mapping, Sequence

SERVER = r"""
import fcntl, json, os, resource, select, signal, socket, sys
sock = socket.socket(fileno=int(sys.argv[1]))
os.set_inheritable(sock.fileno(), False)  # never into a box
wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
signal.set_wakeup_fd(wake_w)
signal.signal(signal.SIGCHLD, lambda *_: None)
jobs = {}
def spawn(req, fds):
    pid = os.fork()
    if pid:
        return pid
    try:
        signal.set_wakeup_fd(-1)
        # CPython ignores SIGPIPE and SIGXFSZ; an ignored signal stays ignored across exec, so
        # put them back (what subprocess's restore_signals does) or `yes | head` never ends.
        for sig in (signal.SIGCHLD, signal.SIGPIPE, signal.SIGXFSZ):
            signal.signal(sig, signal.SIG_DFL)
        # Copies out of the way of every target number first (close-on-exec; a copy that lands
        # on a target number is kept aside and replaced by dup2 below), originals closed: only
        # the targets reach bwrap. No fixed high base: it could exceed RLIMIT_NOFILE.
        targets = set(req["fds"])
        moved = []
        for fd in fds:
            copy = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 3)
            while copy in targets:
                copy = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 3)
            moved.append(copy)
        for fd in fds:
            if fd not in targets:
                os.close(fd)
        for fd, target in zip(moved, req["fds"]):
            os.dup2(fd, target, inheritable=True)
        for res, soft, hard in req["rlimits"]:
            resource.setrlimit(res, (soft, hard))
        os.setsid()
        os.execve(req["argv"][0], req["argv"], req["env"])
    finally:
        os._exit(127)
def reap():
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        job = jobs.pop(pid, None)
        if job is not None:
            sock.send(json.dumps({"id": job, "status": status}).encode())
while True:
    try:
        ready, _, _ = select.select([sock, wake_r], [], [])
    except InterruptedError:
        continue
    if wake_r in ready:
        try:
            while os.read(wake_r, 512):
                pass
        except BlockingIOError:
            pass
        reap()
    if sock in ready:
        try:
            msg, fds, _, _ = socket.recv_fds(sock, 1 << 20, 512)
        except OSError:
            os._exit(0)
        if not msg:
            os._exit(0)
        req = json.loads(msg)
        try:
            pid = spawn(req, fds)
            jobs[pid] = req["id"]
            reply = {"id": req["id"], "pid": pid}
        except OSError as e:
            reply = {"id": req["id"], "error": str(e)}
        for fd in fds:
            os.close(fd)
        sock.send(json.dumps(reply).encode())
        reap()
"""


class SpawnError(OSError):
    pass


class Spawner:
    """The supervisor's end. `start()` once; `await spawn(...)` per box; `close()`."""

    def __init__(self, proc: subprocess.Popen[bytes], sock: socket.socket) -> None:
        self._proc = proc
        self._sock = sock
        self._ids = itertools.count()
        self._started: dict[int, asyncio.Future[int]] = {}
        self._exits: dict[int, asyncio.Future[int]] = {}
        self._reading: asyncio.AbstractEventLoop | None = None

    @classmethod
    def start(cls, setpriv: Sequence[str], python: str = "/usr/bin/python3") -> Spawner:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            proc = subprocess.Popen(  # noqa: S603 - fixed argv
                [
                    *setpriv,
                    "--pdeathsig=KILL",
                    python,
                    "-I",
                    "-S",
                    "-c",
                    SERVER,
                    str(theirs.fileno()),
                ],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                start_new_session=True,
                env={"PATH": "/usr/bin:/bin"},
            )
        finally:
            theirs.close()
        ours.setblocking(False)
        return cls(proc, ours)

    @property
    def pid(self) -> int:
        return self._proc.pid

    @property
    def alive(self) -> bool:
        return self._proc.poll() is None

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.close()
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        for fut in (*self._started.values(), *self._exits.values()):
            if not fut.done():
                fut.set_exception(SpawnError("the spawner stopped"))

    def submit(
        self,
        argv: Sequence[str],
        env: Mapping[str, str],
        fds: Sequence[int],
        rlimits: Sequence[tuple[int, int, int]],
        *,
        targets: Sequence[int] | None = None,
    ) -> tuple[asyncio.Future[int], asyncio.Future[int]]:
        """Ask for `argv` with our `fds` at the `targets` numbers (default: the same numbers).

        The fds travel with the request, so the caller may close its copies as soon as this
        returns. Returns futures of bwrap's pid and of its raw wait status.
        """
        loop = asyncio.get_running_loop()
        self._ensure_reader(loop)
        job = next(self._ids)
        started: asyncio.Future[int] = loop.create_future()
        exited: asyncio.Future[int] = loop.create_future()
        numbers = list(fds if targets is None else targets)
        request = {"id": job, "argv": list(argv), "env": dict(env), "fds": numbers}
        request["rlimits"] = [list(r) for r in rlimits]
        try:
            socket.send_fds(self._sock, [json.dumps(request).encode()], list(fds))
        except OSError as exc:
            raise SpawnError(f"cannot reach the spawner: {exc}") from exc
        self._started[job] = started
        self._exits[job] = exited
        return started, exited

    def _ensure_reader(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._reading is loop:
            return
        if self._reading is not None and not self._reading.is_closed():
            with contextlib.suppress(Exception):
                self._reading.remove_reader(self._sock.fileno())
        loop.add_reader(self._sock.fileno(), self._on_reply)
        self._reading = loop

    def _on_reply(self) -> None:
        while True:
            try:
                data = self._sock.recv(65536)
            except BlockingIOError:
                return
            except OSError:
                data = b""
            if not data:  # the spawner is gone: fail everything that waits on it
                if self._reading is not None:
                    self._reading.remove_reader(self._sock.fileno())
                for waiting in (*self._started.values(), *self._exits.values()):
                    if not waiting.done():
                        waiting.set_exception(SpawnError("the spawner stopped"))
                self._started.clear()
                self._exits.clear()
                return
            reply = json.loads(data)
            job: int = reply["id"]
            fut: asyncio.Future[int] | None
            if "pid" in reply:
                fut = self._started.pop(job, None)
                if fut is not None and not fut.done():
                    fut.set_result(reply["pid"])
            elif "error" in reply:
                self._exits.pop(job, None)
                fut = self._started.pop(job, None)
                if fut is not None and not fut.done():
                    fut.set_exception(SpawnError(reply["error"]))
            elif "status" in reply:
                fut = self._exits.pop(job, None)
                if fut is not None and not fut.done():
                    fut.set_result(reply["status"])
