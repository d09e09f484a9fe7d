"""Stateful sessions against the real contain pipeline: state, isolation, stop, limits, expiry."""

from __future__ import annotations

import asyncio
import os
import shutil
import struct
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bastion.protocol.errors import InvalidJob, SessionNotFound, UnknownRuntime
from bastion.protocol.exec import Limits, SandboxSession, SessionSpec, Status
from bastion.sandbox.contain.pipeline import Pipeline
from bastion.sandbox.local import LocalSandbox
from bastion.sandbox.policy import Policy
from bastion.sandbox.runtimes import RuntimeRegistry
from bastion.sandbox.sessions import SessionManager, SessionPolicy
from bastion.sandbox.sessions.session import LocalSession
from conftest import leftovers, unique_policy

pytestmark = [pytest.mark.sandbox, pytest.mark.anyio]

MiB = 1024 * 1024


@pytest.fixture
def root() -> Iterator[Path]:
    # bwrap runs as the unprivileged box uid and must traverse the path to the bound work dir.
    path = Path(tempfile.mkdtemp(prefix="bastion-sessions-test-"))
    path.chmod(0o711)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def policy(pipeline: Pipeline) -> Policy:
    return pipeline.policy


@pytest.fixture
async def manager(pipeline: Pipeline, policy: Policy, root: Path) -> AsyncIterator[SessionManager]:
    cgroups_before, procs_before = leftovers(pipeline)
    m = SessionManager(pipeline.spawn, policy, root=root)
    yield m
    await m.close_all()
    assert len(m) == 0
    mounts = root / policy.cgroup_prefix
    assert not mounts.exists() or not any(mounts.iterdir()), "a work dir was left mounted"
    cgroups, procs = leftovers(pipeline)
    assert set(cgroups) <= set(cgroups_before), "a kernel's cgroup was left behind"
    assert set(procs) <= set(procs_before), "a kernel's process was left running"


@pytest.fixture
async def session(manager: SessionManager) -> LocalSession:
    return await manager.open(SessionSpec(memory_bytes=256 * MiB))


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


async def test_local_sandbox_opens_these_sessions(sandbox: LocalSandbox) -> None:
    s = await sandbox.open_session(SessionSpec())
    try:
        assert isinstance(s, LocalSession)
        assert isinstance(sandbox.sessions, SessionManager)
        assert sandbox.sessions.get(s.id) is s
        r = await s.execute("python", "print('hi')")
        assert r.stage.stdout == "hi\n"
    finally:
        await s.close()
    with pytest.raises(SessionNotFound):
        sandbox.sessions.get(s.id)


async def test_session_implements_the_protocol(session: LocalSession) -> None:
    assert isinstance(session, SandboxSession)
    with pytest.raises(UnknownRuntime):
        await session.execute("cobol", "DISPLAY 'HI'")


async def test_python_variables_survive_between_cells(session: LocalSession) -> None:
    r = await session.execute("python", "x = 41\ndef f(v):\n    return v + 1")
    assert (r.stage.status, r.stage.code) == (None, 0), r.stage.stderr
    r = await session.execute("python", "f(x)")
    assert r.stage.stdout == "42\n"
    r = await session.execute("python3", "import os; print(os.getcwd(), os.getuid())")
    assert r.stage.stdout == "/box 1000\n"
    r = await session.execute("python", "1/0")
    assert r.stage.status is Status.RUNTIME_ERROR
    assert "ZeroDivisionError" in r.stage.stderr
    assert "pykernel" not in r.stage.stderr


async def test_javascript_variables_survive_between_cells(session: LocalSession) -> None:
    r = await session.execute("javascript", "let a = 20; var b = 1; function g(v) { return v * 2 }")
    assert r.stage.code == 0, r.stage.stderr
    r = await session.execute("js", "g(a) + b")
    assert r.stage.stdout == "41\n"
    r = await session.execute("js", "Promise.resolve(a + 2)")
    assert r.stage.stdout == "22\n"
    r = await session.execute("js", "undefinedThing.x")
    assert r.stage.status is Status.RUNTIME_ERROR
    assert "ReferenceError" in r.stage.stderr


async def test_top_level_await_works_in_python_and_javascript(session: LocalSession) -> None:
    code = "import asyncio\nasync def twice(v):\n    await asyncio.sleep(0)\n    return 2 * v"
    await session.execute("python", code)
    r = await session.execute("python", "got = await twice(21)\ngot")
    assert r.stage.stdout == "42\n", r.stage.stderr
    r = await session.execute("python", "print(got)")
    assert r.stage.stdout == "42\n"
    code = "const v = await new Promise((ok) => setTimeout(() => ok(7), 10));\nconsole.log(v * 6)"
    r = await session.execute("javascript", code)
    assert r.stage.stdout == "42\n", r.stage.stderr


async def test_bash_cwd_env_and_files_persist_across_cells_and_languages(
    session: LocalSession,
) -> None:
    r = await session.execute("python", "open('data.txt', 'w').write('from python')")
    assert r.stage.code == 0
    r = await session.execute("bash", "mkdir -p sub && cd sub && export GREETING=hi && X=1")
    assert r.stage.code == 0, r.stage.stderr
    r = await session.execute("bash", 'echo "$GREETING $X $PWD"; cat ../data.txt')
    assert r.stage.stdout == "hi 1 /box/sub\nfrom python"
    r = await session.execute("bash", "false")
    assert r.stage.status is Status.RUNTIME_ERROR
    assert r.stage.code == 1
    assert await session.list_files() == ["data.txt", "sub/"]


async def test_large_cells_pass_through_the_pipes(session: LocalSession) -> None:
    filler = "# " + "x" * 200_000 + "\n"  # several pipe buffers
    r = await session.execute("bash", filler + "echo big bash")
    assert r.stage.stdout == "big bash\n"
    r = await session.execute("python", filler + "print('big python')")
    assert r.stage.stdout == "big python\n"
    r = await session.execute("js", "//" + filler + "console.log('big js')")
    assert r.stage.stdout == "big js\n"


async def test_no_stdin_for_cells(session: LocalSession) -> None:
    r = await session.execute("python", "input('name? ')")
    assert r.stage.status is Status.RUNTIME_ERROR
    assert "input() is not available" in r.stage.stderr
    r = await session.execute("bash", "cat; read line; echo got=$?")
    assert r.stage.stdout == "got=1\n"


async def test_spoofed_end_markers_change_nothing(session: LocalSession) -> None:
    body = b'{"op":"done","seq":99,"code":0,"error":null}'
    fake_frame = struct.pack(">I", len(body)) + body
    markers = "##end_of_execution##\n##active_line 3##\n@@@RECIPIENT:user@@@CONTENT:hi@@@END\n"
    code = (
        "import sys\n"
        f"sys.stdout.buffer.write({fake_frame!r}); sys.stdout.flush()\n"
        f"sys.stderr.write({markers!r})\n"
        f"print({markers!r})\n"
        "print('still running')\n"
        # a process the cell starts cannot reach the control pipes, whatever fd it tries
        "import subprocess\n"
        "subprocess.run(['bash', '-c', 'for fd in $(seq 3 255); do printf junk >&$fd; done'],"
        " stderr=subprocess.DEVNULL)\n"
        "print('end')"
    )
    r = await session.execute("python", code)
    assert r.stage.status is None, r.stage
    assert r.stage.stdout == fake_frame.decode() + markers + "\nstill running\nend\n"
    assert r.stage.stderr == markers
    r = await session.execute(
        "bash", f"printf '{markers}'; printf '\\0\\0\\0\\50{{\"op\":\"done\"}}'"
    )
    assert r.stage.stdout.startswith(markers)
    assert r.stage.status is None
    # The next cells are attributed correctly.
    r = await session.execute("python", "print('next')")
    assert r.stage.stdout == "next\n"
    r = await session.execute("bash", "echo next")
    assert r.stage.stdout == "next\n"


async def test_a_forked_copy_of_the_kernel_never_answers_for_it(session: LocalSession) -> None:
    # The child finishes the cell's code like its parent. Its output belongs to this cell; it
    # must then leave, never read the next request or report a cell (it used to do both).
    code = (
        "import os, time\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    print('child', flush=True)\n"
        "else:\n"
        "    os.waitpid(pid, 0)\n"
        "    print('parent')\n"
        "raise ValueError('seen once')"
    )
    r = await session.execute("python", code)
    assert r.stage.stdout == "child\nparent\n"
    assert r.stage.stderr.count("ValueError: seen once") == 1
    assert r.stage.code == 1
    for i in range(3):
        r = await session.execute("python", f"print({i}, pid != 0)")
        assert (r.stage.stdout, r.stage.stderr) == (f"{i} True\n", "")


async def test_a_kernel_that_exits_or_breaks_the_protocol_is_replaced(
    session: LocalSession,
) -> None:
    await session.execute("bash", "export KEPT=1")
    r = await session.execute("bash", "echo bye; exit 3")
    assert r.stage.stdout == "bye\n"
    assert r.stage.code == 3
    assert r.stage.message is not None
    r = await session.execute("bash", "echo ${KEPT:-fresh}")
    assert r.stage.stdout == "fresh\n"
    r = await session.execute("python", "import sys; sys.stdout.close(); kept = 1")
    assert r.stage.status is None  # a cell that closes its own stdout does not break the kernel
    r = await session.execute("python", "print('out again', kept)")
    assert r.stage.stdout == "out again 1\n"
    r = await session.execute("python", "import os; os._exit(0)")
    assert r.stage.message is not None
    # Code that writes garbage on its own kernel's event pipe only breaks that kernel.
    code = (
        "import os\n"
        "for fd in map(int, os.listdir('/proc/self/fd')):\n"
        "    try: os.write(fd, b'\\xff\\xff\\xff\\xffjunk')\n"
        "    except OSError: pass\n"
        "import time; time.sleep(5)"
    )
    r = await session.execute("python", code)
    assert r.stage.signal == "SIGKILL"
    assert r.stage.message is not None
    assert "protocol error" in r.stage.message
    r = await session.execute("python", "print('fresh')")
    assert r.stage.stdout == "fresh\n"


async def test_output_streams_to_sync_and_async_callbacks(session: LocalSession) -> None:
    seen: list[tuple[str, str]] = []

    async def on_output(stream: str, text: str) -> None:
        seen.append((stream, text))

    code = "import sys, time\nprint('a', flush=True)\ntime.sleep(0.2)\nprint('b', file=sys.stderr)"
    r = await session.execute("python", code, on_output=on_output)
    await asyncio.sleep(0)
    assert r.stage.output == "a\nb\n"
    assert "".join(t for _, t in seen) == "a\nb\n"
    assert {name for name, _ in seen} == {"stdout", "stderr"}

    def broken(stream: str, text: str) -> None:
        raise ConnectionError("client gone")

    r = await session.execute("bash", "echo x; echo y", on_output=broken)
    assert r.stage.stdout == "x\ny\n"
    assert r.stage.message is not None


async def test_a_cancelled_execute_stops_its_cell(session: LocalSession) -> None:
    task = asyncio.ensure_future(session.execute("python", "import time; time.sleep(1000)"))
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    started = time.monotonic()
    r = await session.execute("python", "print('next')")
    assert r.stage.stdout == "next\n"
    assert time.monotonic() - started < 2


async def test_languages_without_a_kernel_run_a_file_per_cell(
    pipeline: Pipeline, policy: Policy, root: Path, registry: RuntimeRegistry
) -> None:
    manager = SessionManager(pipeline.spawn, policy, root=root, runtimes=registry)
    s = await manager.open(SessionSpec())
    try:
        await s.execute("python", "open('n.txt', 'w').write('20')")
        code = (
            '#include <stdio.h>\nint main(void) { int n; FILE *f = fopen("n.txt", "r");\n'
            'fscanf(f, "%d", &n); printf("%d\\n", n + 22); return 3; }'
        )
        r = await s.execute("c", code)
        assert r.stage.stdout == "42\n", r.stage.stderr
        assert r.stage.code == 3
        assert r.stage.status is Status.RUNTIME_ERROR
        assert await s.list_files() == ["n.txt"]  # no source or a.out left in the work dir
        r = await s.execute("c", "int main(void) { return }")
        assert r.stage.status is Status.RUNTIME_ERROR
        assert "error" in r.stage.stderr
        r = await s.execute("c", "int main(void) { for (;;); }", limits=Limits(wall_time_ms=300))
        assert r.stage.status is Status.TIMEOUT
        stopper = asyncio.ensure_future(_interrupt_after(s, 0.5))
        started = time.monotonic()
        r = await s.execute("c", "#include <unistd.h>\nint main(void) { sleep(100); }")
        await stopper
        assert r.stage.signal in ("SIGINT", "SIGKILL"), r.stage
        assert time.monotonic() - started < 3
        with pytest.raises(UnknownRuntime):
            await s.execute("brainfuck", "+")
    finally:
        await manager.close_all()


async def test_every_installed_runtime_runs_its_own_test_as_a_cell(
    pipeline: Pipeline, policy: Policy, root: Path, registry: RuntimeRegistry
) -> None:
    manager = SessionManager(pipeline.spawn, policy, root=root, runtimes=registry)
    s = await manager.open(SessionSpec())
    try:
        others = [rt for rt in registry if rt.language not in ("python", "javascript", "bash")]
        assert others
        for rt in others:
            r = await s.execute(rt.language, rt.test.content, limits=Limits(wall_time_ms=60_000))
            assert (r.stage.status, r.stage.stdout.strip()) == (None, "OK"), (rt.language, r)
        assert await s.list_files() == []  # sources and binaries stay out of the work dir
    finally:
        await manager.close_all()


async def _interrupt_after(session: LocalSession, delay: float) -> None:
    await asyncio.sleep(delay)
    await session.interrupt()


@pytest.mark.parametrize(
    ("language", "loop"),
    [
        ("python", "while True: pass"),
        ("javascript", "while (true) {}"),
        ("bash", "while true; do :; done"),
        ("bash", "sleep 1000"),
    ],
)
async def test_interrupt_stops_a_busy_cell_and_keeps_state(
    session: LocalSession, language: str, loop: str
) -> None:
    setup = {"python": "kept = 'yes'", "javascript": "var kept = 'yes'", "bash": "kept=yes"}
    show = {"python": "print(kept)", "javascript": "console.log(kept)", "bash": "echo $kept"}
    await session.execute(language, setup[language])
    started = time.monotonic()
    stopper = asyncio.ensure_future(_interrupt_after(session, 0.3))
    r = await session.execute(language, loop)
    await stopper
    assert time.monotonic() - started < 1.0, "SIGINT alone should have stopped it"
    assert r.stage.signal == "SIGINT"
    assert r.stage.status is Status.SIGNALED
    r = await session.execute(language, show[language])
    assert r.stage.stdout == "yes\n"


@pytest.mark.parametrize(
    ("language", "setup", "step", "show"),
    [
        ("python", "n = 0", "n += 1", "print(n > 0)"),
        ("bash", "n=0", "n=$((n + 1))", "((n > 0)) && echo True"),
    ],
)
async def test_late_interrupts_never_hurt_the_kernel(
    session: LocalSession, language: str, setup: str, step: str, show: str
) -> None:
    # Interrupts racing the end of fast cells: each lands before, during or after the cell.
    await session.execute(language, setup)
    for i in range(30):
        cell = asyncio.ensure_future(session.execute(language, step))
        for _ in range(i % 4):
            await asyncio.sleep(0)
        await session.interrupt()
        r = await cell
        assert r.stage.message is None, r.stage  # the kernel was never killed
    r = await session.execute(language, show, limits=Limits(wall_time_ms=5000))
    assert r.stage.stdout == "True\n", r.stage


async def test_late_interrupts_leave_javascript_usable(session: LocalSession) -> None:
    # node's breakOnSigint swaps SIGINT handlers around each script; a SIGINT landing in that
    # window can end node or reach the next script (known limits): the session must still
    # answer, and say what happened.
    for i in range(30):
        cell = asyncio.ensure_future(session.execute("javascript", "1 + 1"))
        for _ in range(i % 4):
            await asyncio.sleep(0)
        await session.interrupt()
        await cell
    # The first cell after may be told it caught a late interrupt; it says so. Then all is quiet.
    r = await session.execute("javascript", "console.log('alive')")
    if r.stage.stdout != "alive\n":
        assert r.stage.message is not None
        assert "previous cell" in r.stage.message
        r = await session.execute("javascript", "console.log('alive')")
    assert r.stage.stdout == "alive\n", r.stage


async def test_an_interrupt_while_the_kernel_starts_means_the_cell_never_runs(
    session: LocalSession,
) -> None:
    cell = asyncio.ensure_future(session.execute("python", "open('ran.txt', 'w')"))
    await asyncio.sleep(0.005)  # the cell holds the session and its kernel is starting
    await session.interrupt()
    r = await cell
    assert r.stage.signal == "SIGINT"
    assert r.stage.message is not None
    assert "did not run" in r.stage.message
    assert await session.list_files() == []
    r = await session.execute("python", "print('next runs')")
    assert r.stage.stdout == "next runs\n"


async def test_interrupt_escalates_when_the_cell_ignores_sigint(session: LocalSession) -> None:
    await session.execute("python", "kept = 1")
    code = (
        "import signal, subprocess\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True: pass"
    )
    stopper = asyncio.ensure_future(_interrupt_after(session, 0.3))
    r = await session.execute("python", code)
    await stopper
    assert r.stage.signal == "SIGKILL"
    assert r.stage.message is not None
    assert "kernel was killed" in r.stage.message
    r = await session.execute("python", "print('kept' in globals())")
    assert r.stage.stdout == "False\n"  # a fresh kernel


async def test_a_cell_over_its_time_limit_ends_with_TO(session: LocalSession) -> None:
    r = await session.execute("python", "while True: pass", limits=Limits(wall_time_ms=300))
    assert r.stage.status is Status.TIMEOUT
    r = await session.execute("bash", "sleep 30", limits=Limits(wall_time_ms=300))
    assert r.stage.status is Status.TIMEOUT
    assert r.stage.wall_time_ms < 1500
    r = await session.execute("python", "while True: pass", limits=Limits(cpu_time_ms=200))
    assert r.stage.status is Status.TIMEOUT
    r = await session.execute("python", "print('ok')")
    assert r.stage.stdout == "ok\n"


async def test_output_over_the_cap_is_truncated_and_stops_the_cell(
    session: LocalSession,
) -> None:
    r = await session.execute(
        "python", "while True: print('x' * 1000)", limits=Limits(output_max_bytes=10_000)
    )
    assert r.stage.status is Status.STDOUT_LIMIT
    assert r.stage.stdout_truncated
    assert len(r.stage.stdout) == 10_000


async def test_memory_bomb_kills_the_cell_not_the_host(manager: SessionManager) -> None:
    s = await manager.open(SessionSpec(memory_bytes=128 * MiB))
    bomb = "chunks = []\nwhile True: chunks.append(bytearray(16 * 2**20))"
    r = await s.execute("python", bomb)
    assert r.stage.oom_killed
    assert r.stage.signal == "SIGKILL"
    assert r.stage.status is Status.SIGNALED
    r = await s.execute("python", "print('alive')")
    assert r.stage.stdout == "alive\n"
    # A lower per-cell memory limit applies to that cell only.
    r = await s.execute("python", bomb.replace("16", "4"), limits=Limits(memory_bytes=64 * MiB))
    assert r.stage.oom_killed
    r = await s.execute("python", "x = bytearray(80 * 2**20); print('big ok')")
    assert r.stage.stdout == "big ok\n"


async def test_the_session_memory_limit_bounds_all_its_kernels_together(
    manager: SessionManager,
) -> None:
    s = await manager.open(SessionSpec(memory_bytes=200 * MiB))
    r = await s.execute("python", "held = bytearray(130 * 2**20); print('held')")
    assert r.stage.stdout == "held\n", r.stage
    # Alone, 110 MiB fits in 200; next to Python's 130 it does not: the group's OOM killer
    # takes the biggest, the idle Python kernel, and the next Python cell is told.
    r = await s.execute("javascript", "const b = Buffer.alloc(110 * 2 ** 20, 1); b.length")
    assert r.stage.stdout == "115343360\n", r.stage
    r = await s.execute("python", "print('held' in globals())")
    assert r.stage.stdout == "False\n"
    assert r.stage.message is not None
    assert "ran out of memory" in r.stage.message


async def test_rich_outputs_come_back_as_files(session: LocalSession) -> None:
    code = "import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.title('t')"
    r = await session.execute("python", code)
    assert r.stage.status is None, r.stage.stderr
    assert [o.mime for o in r.outputs] == ["image/png"]
    assert r.outputs[0].data.startswith(b"\x89PNG\r\n\x1a\n")
    code = (
        "class H:\n"
        "    def _repr_html_(self): return '<b>hi</b>'\n"
        "    def __repr__(self): return 'H as text'\n"
        "H()"
    )
    r = await session.execute("python", code)
    assert [(o.mime, o.data) for o in r.outputs] == [("text/html", b"<b>hi</b>")]
    assert r.stage.stdout == "H as text\n"  # the text form too, for readers of stdout
    code = "fig, ax = plt.subplots()\nax.bar([1, 2], [3, 4])\ndisplay(fig)\nprint('shown')"
    r = await session.execute("python", code)
    assert [o.mime for o in r.outputs] == ["image/png"]  # once, not again at the end
    assert r.stage.stdout == "shown\n"


async def test_no_network(session: LocalSession) -> None:
    code = (
        "import socket\n"
        "try:\n    socket.create_connection(('1.1.1.1', 53), timeout=2)\n"
        "except OSError as e:\n    print('blocked', e.errno)"
    )
    r = await session.execute("python", code)
    assert r.stage.stdout.startswith("blocked")


async def test_the_work_dir_cannot_fill_the_host_disk(
    pipeline: Pipeline, policy: Policy, root: Path
) -> None:
    manager = SessionManager(
        pipeline.spawn, policy, root=root, sessions=SessionPolicy(workdir_bytes=8 * MiB)
    )
    s = await manager.open(SessionSpec())
    try:
        code = (  # many files, each under the RLIMIT_FSIZE backstop: the tmpfs size stops them
            "try:\n"
            "    for i in range(64):\n"
            "        with open(f'fill{i}', 'wb') as f: f.write(bytes(2**20))\n"
            "except OSError as e:\n    print('full', e.errno)"
        )
        r = await s.execute("python", code)
        assert r.stage.stdout == "full 28\n", r.stage  # ENOSPC
        with pytest.raises(InvalidJob, match="full"):
            await s.put_file("more", bytes(4 * MiB))
    finally:
        await manager.close_all()


async def test_idle_timeout_kills_everything_and_cleans_up(manager: SessionManager) -> None:
    s = await manager.open(SessionSpec(idle_timeout_s=0.6))
    r = await s.execute("python", "import subprocess; p = subprocess.Popen(['sleep', '1000'])")
    assert r.stage.code == 0
    await s.execute("bash", "setsid sleep 1000 & disown")
    cgroups = s.cgroups()
    pids = [pid for cg in cgroups.values() for pid in cg.pids()]
    assert len(pids) >= 4
    workdir = s.workdir
    started = time.monotonic()
    async with asyncio.timeout(5):
        await s.wait_closed()  # nobody calls anything: the timer alone closes it
    assert time.monotonic() - started >= 0.5
    assert s.closed == "idle"
    assert all(_gone(pid) for pid in pids)
    for cg in cgroups.values():
        with pytest.raises(FileNotFoundError):
            cg.populated()  # the cgroup directory is gone
    assert not os.path.ismount(workdir)
    assert not os.path.exists(workdir)
    with pytest.raises(SessionNotFound):
        await s.execute("python", "1")
    with pytest.raises(SessionNotFound):
        manager.get(s.id)


async def test_lifetime_expiry_ends_a_running_cell(manager: SessionManager) -> None:
    s = await manager.open(SessionSpec(max_lifetime_s=1.0))
    r = await s.execute("python", "import time; time.sleep(100)")
    assert r.stage.signal == "SIGKILL"
    assert r.stage.message
    async with asyncio.timeout(5):
        await s.wait_closed()
    assert s.closed == "lifetime"
    with pytest.raises(SessionNotFound):
        await s.get_file("x")


async def test_files_never_follow_links_planted_by_the_box(session: LocalSession) -> None:
    code = (
        "import os\n"
        "os.symlink('/etc/passwd', 'passwd')\n"
        "os.symlink('/', 'hostroot')\n"
        "os.mkdir('d'); os.symlink('/tmp', 'd/t')\n"
        "os.mkfifo('fifo')\n"
        "open('ok.txt', 'w').write('fine')"
    )
    r = await session.execute("python", code)
    assert r.stage.code == 0, r.stage.stderr
    assert await session.get_file("ok.txt") == b"fine"
    for path in ("passwd", "hostroot/etc/passwd", "d/t/x", "fifo"):
        with pytest.raises(InvalidJob):
            await session.get_file(path)
    with pytest.raises(InvalidJob):
        await session.put_file("d/t/planted", b"x")
    with pytest.raises(InvalidJob):
        await session.put_file("passwd", b"x")
    with pytest.raises(InvalidJob):
        await session.list_files("hostroot")
    for bad in ("../x", "/etc/passwd", "a/../../x", "nul\x00", "x" * 300):
        with pytest.raises(InvalidJob):
            await session.put_file(bad, b"x")
    assert await session.list_files() == ["d/", "fifo", "hostroot", "ok.txt", "passwd"]
    await session.put_file("new/dir/f.bin", b"\x00\x01")
    r = await session.execute("python", "print(open('new/dir/f.bin', 'rb').read())")
    assert r.stage.stdout == "b'\\x00\\x01'\n"


async def test_host_workdir_is_bound_and_nothing_else_of_the_host(
    manager: SessionManager, policy: Policy
) -> None:
    host = Path(tempfile.mkdtemp(prefix="bastion-hostwd-"))
    try:
        (host / "input.csv").write_text("a,b\n1,2\n")
        os.chown(host, policy.box_uid, policy.box_gid)
        s = await manager.open(SessionSpec(workdir=str(host)))
        code = (
            "import os\n"
            "print(sorted(os.listdir('/box')))\n"
            "print(open('input.csv').read().splitlines()[1])\n"
            "open('out.txt', 'w').write('written in the box')\n"
            f"print(os.path.exists({str(host)!r}), os.path.exists('/work'),"
            " os.path.exists('/root'))\n"
            "print(sorted(os.listdir('/tmp')))"
        )
        r = await s.execute("python", code)
        assert r.stage.stdout == "['input.csv']\n1,2\nFalse False False\n[]\n", r.stage.stderr
        assert (host / "out.txt").read_text() == "written in the box"
        await s.close()
        assert (host / "out.txt").exists()  # the caller's directory is never removed
    finally:
        shutil.rmtree(host)


async def test_a_restarted_supervisor_sweeps_what_a_dead_ones_sessions_left(root: Path) -> None:
    policy = unique_policy()
    first = Pipeline.open(policy)
    manager = SessionManager(first.spawn, policy, root=root)
    s = await manager.open(SessionSpec())
    await s.execute("python", "import subprocess; subprocess.Popen(['sleep', '1000'])")
    await s.execute("bash", "setsid sleep 1000 &")
    pids = [pid for cg in s.cgroups().values() for pid in cg.pids()]
    assert pids
    workdir = s.workdir
    # The supervisor "dies" (nothing is closed); a new one starts with the same policy and root.
    second = Pipeline.open(policy)
    SessionManager(second.spawn, policy, root=root)
    try:
        assert all(_gone(pid) for pid in pids)
        assert second.cgroups is not None
        assert [n for n in second.cgroups.jobs() if n not in second.idle_cgroups()] == []
        assert not os.path.ismount(workdir)
    finally:
        await manager.close_all()  # the dead one's objects still close without error
        first.close()
        second.close(remove_cgroup_root=True)


async def test_network_only_when_the_policy_and_the_session_both_allow_it(root: Path) -> None:
    policy = unique_policy(allow_network=True)
    pipeline = Pipeline.open(policy)
    manager = SessionManager(pipeline.spawn, policy, root=root)

    async def banner(_r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        w.write(b"hello from the host\n")
        await w.drain()
        w.close()

    server = await asyncio.start_server(banner, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    code = (
        "import socket\n"
        "try:\n"
        f"    print(socket.create_connection(('127.0.0.1', {port}), timeout=5).recv(100))\n"
        "except OSError as e:\n    print('blocked', e.errno)"
    )
    try:
        online = await manager.open(SessionSpec(network=True))
        r = await online.execute("python", code)
        assert r.stage.stdout == "b'hello from the host\\n'\n", r.stage
        offline = await manager.open(SessionSpec())
        r = await offline.execute("python", code)
        assert r.stage.stdout.startswith("blocked"), r.stage
    finally:
        server.close()
        await manager.close_all()
        pipeline.close(remove_cgroup_root=True)


async def test_bad_specs_are_refused(manager: SessionManager) -> None:
    with pytest.raises(InvalidJob) as e:
        await manager.open(SessionSpec(network=True))
    assert e.value.field == "network"
    with pytest.raises(InvalidJob) as e:
        await manager.open(SessionSpec(workdir="/nonexistent/dir"))
    assert e.value.field == "workdir"
    with pytest.raises(InvalidJob) as e:
        await manager.open(SessionSpec(memory_bytes=0))
    assert e.value.field == "memory_bytes"
    for system in ("/", "/etc", "/proc/self", "/run", "/sys/fs", "/usr/lib/../../dev"):
        with pytest.raises(InvalidJob, match="system directory") as e:
            await manager.open(SessionSpec(workdir=system))
        assert e.value.field == "workdir"
