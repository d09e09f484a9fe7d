"""Lifecycle attacks: many jobs at once, a supervisor killed mid-job, symlinks and hostile
archives aimed at the supervisor, hostile file names, and the warm pool's one-job rule."""

from __future__ import annotations

import asyncio
import io
import os
import signal
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from bastion.protocol.errors import InvalidJob
from bastion.protocol.exec import File, Job, Limits, StageExited, StageStarted, Status
from bastion.sandbox.contain import BoxSpec, Pipeline
from bastion.sandbox.jobs import unpack_artifacts
from bastion.sandbox.local import LocalSandbox
from bastion.sandbox.runtimes import RuntimeDef, RuntimeRegistry
from conftest import leftovers, processes_of, unique_policy

pytestmark = [pytest.mark.sandbox, pytest.mark.anyio]

SRC = str(Path(__file__).resolve().parents[2] / "src")


JOB_WITH_DAEMONS = """
import os, time
r, w = os.pipe()
for _ in range(3):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.write(w, b"x")
            time.sleep(120)
        os._exit(0)
got = b""
while len(got) < 3:  # every daemon is up
    got += os.read(r, 3)
print("started", flush=True)
time.sleep(120)
"""

SUPERVISOR = """
import asyncio
from pathlib import Path
from bastion.protocol.exec import File, Job, Limits
from bastion.sandbox.local import LocalSandbox
from bastion.sandbox.policy import Policy

async def main():
    policy = Policy(cgroup_prefix="{prefix}", box_uid={uid}, box_gid={uid})
    sb = LocalSandbox.open(policy)
    code = Path("{job}").read_text()
    job = await sb.start(Job(language="python", files=(File(name="m.py", content=code),),
                             run_limits=Limits(wall_time_ms=60_000)))
    async for event in job.events():
        if getattr(event, "data", "").startswith("started"):
            print("RUNNING", flush=True)
    await job.wait()

asyncio.run(main())
"""


DAEMON = "import os, time\nif os.fork() == 0:\n    os.setsid()\n    time.sleep(60)\nprint('d')\n"
REVERSE = "import sys\nprint(input()[::-1])\nsys.exit(3)\n"


@pytest.mark.slow
async def test_200_concurrent_mixed_jobs_leave_nothing_behind(sandbox: LocalSandbox) -> None:
    roomy = Limits(wall_time_ms=30_000, cpu_time_ms=10_000)
    slow_compile = Limits(wall_time_ms=60_000, cpu_time_ms=30_000)

    def job(language: str, name: str, code: str, stdin: str = "") -> Job:
        return Job(
            language=language,
            files=(File(name=name, content=code),),
            stdin=stdin,
            run_limits=roomy,
            compile_limits=slow_compile,
        )

    # (job, expected stdout, expected exit code): hello worlds, shell, stdin + exit codes,
    # daemons that must die with their job, and compiled C.
    jobs: list[tuple[Job, str, int]] = []
    for i in range(200):
        kind = i % 10
        if kind < 5:
            jobs.append((job("python", "m.py", f"print({i})"), f"{i}\n", 0))
        elif kind < 7:
            jobs.append((job("bash", "s.sh", f"echo {i}"), f"{i}\n", 0))
        elif kind == 7:
            jobs.append((job("python", "m.py", REVERSE, f"ab{i}\n"), f"{str(i)[::-1]}ba\n", 3))
        elif kind == 8:
            jobs.append((job("python", "m.py", DAEMON), "d\n", 0))
        else:
            c = f'#include <stdio.h>\nint main(void) {{ printf("%d\\n", {i}); return 0; }}\n'
            jobs.append((job("c", "m.c", c), f"{i}\n", 0))
    results = await asyncio.gather(*(sandbox.run(j) for j, _, _ in jobs))
    for (j, stdout, code), result in zip(jobs, results, strict=True):
        assert (result.run.stdout, result.run.code) == (stdout, code), (j.language, result.run)
    assert leftovers(sandbox.pipeline) == ([], [])


async def test_supervisor_killed_mid_job_leaves_nothing_after_restart(
    registry: RuntimeRegistry, tmp_path: Path
) -> None:
    policy = unique_policy()
    (tmp_path / "job.py").write_text(JOB_WITH_DAEMONS)
    script = tmp_path / "supervisor.py"
    script.write_text(
        SUPERVISOR.format(
            prefix=policy.cgroup_prefix, uid=policy.box_uid, job=str(tmp_path / "job.py")
        )
    )
    env = {**os.environ, "PYTHONPATH": SRC}
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, env=env)
    assert proc.stdout is not None
    try:
        line = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), 60)
        assert line == b"RUNNING\n"
        # the uid keeper, bwrap, the box's init, the job, three daemons
        assert len(processes_of(policy.box_uid)) >= 7
    finally:
        proc.send_signal(signal.SIGKILL)  # the supervisor dies mid-job (and never outlives us)
        proc.wait()
        proc.stdout.close()
    # --die-with-parent takes the box down with its supervisor...
    for _ in range(100):
        if not processes_of(policy.box_uid):
            break
        await asyncio.sleep(0.05)
    assert processes_of(policy.box_uid) == []
    # ...and the next supervisor sweeps the cgroups the dead one left.
    restarted = Pipeline.open(policy)
    try:
        assert restarted.cgroups is not None
        assert restarted.cgroups.jobs() == []
    finally:
        restarted.close(remove_cgroup_root=True)


async def test_hostile_archive_from_a_compile_box_is_read_in_memory_only(
    pipeline: Pipeline,
) -> None:
    # The box builds the nastiest tar it can: links to host files, escaping names, a device.
    maker = r"""
import io, os, sys, tarfile
os.symlink("/etc/shadow", "/box/leak")
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w") as t:
    def add(name, **kw):
        data = kw.pop("data", b"")
        info = tarfile.TarInfo(name)
        for k, v in kw.items():
            setattr(info, k, v)
        info.size = len(data) if info.type == tarfile.REGTYPE else 0
        t.addfile(info, io.BytesIO(data))
    add("ok.txt", data=b"fine")
    add("../escape.txt", data=b"x")
    add("/abs.txt", data=b"x")
    add("sym", type=tarfile.SYMTYPE, linkname="/etc/passwd")
    add("hard", type=tarfile.LNKTYPE, linkname="/etc/passwd")
    add("dev", type=tarfile.CHRTYPE, devmajor=1, devminor=3)
    t.add("/box/leak", arcname="leak")
os.write(int(os.environ["BASTION_COLLECT_FD"]), buf.getvalue())
"""
    r = await pipeline.run(BoxSpec(argv=("/usr/bin/python3", "-c", maker), collect=True))
    assert r.exit_code == 0, r.stderr
    files = unpack_artifacts(r.collected)
    assert [(f.path, f.data) for f in files] == [("ok.txt", b"fine")]
    assert not Path("/escape.txt").exists()
    assert not Path("/abs.txt").exists()


def test_unpack_rejects_what_is_not_a_regular_file() -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        info = tarfile.TarInfo("a.out")
        info.size, info.mode = 2, 0o755
        t.addfile(info, io.BytesIO(b"hi"))
        link = tarfile.TarInfo("link")
        link.type, link.linkname = tarfile.SYMTYPE, "/"
        t.addfile(link)
    files = unpack_artifacts(buf.getvalue())
    assert [(f.path, f.mode) for f in files] == [("a.out", 0o755)]


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("../escape.py", "'..'"),
        ("/etc/passwd", "absolute"),
        ("a\0b.py", "NUL"),
        ("x" * 4097, "4096-byte"),
        ("dir//x.py", "empty"),
    ],
)
async def test_hostile_file_names_are_refused_naming_the_field(
    sandbox: LocalSandbox, name: str, why: str
) -> None:
    job = Job(
        language="python", files=(File(name="ok.py", content=""), File(name=name, content=""))
    )
    with pytest.raises(InvalidJob) as err:
        await sandbox.run(job)
    assert err.value.field == "files[1].name"
    assert why in str(err.value)


async def test_events_stream_stages_and_stdin_reaches_the_run_stage(
    sandbox: LocalSandbox,
) -> None:
    c = '#include <stdio.h>\nint main(void){char b[64]; fgets(b, 64, stdin); printf("%s", b);}\n'
    running = await sandbox.start(Job(language="c", files=(File(name="m.c", content=c),)))
    await running.write_stdin("early\n")  # sent during compilation, delivered to the run stage
    await running.close_stdin()
    kinds = [type(e).__name__ + ":" + getattr(e, "stage", "") async for e in running.events()
             if isinstance(e, StageStarted | StageExited)]  # fmt: skip
    assert kinds == [
        "StageStarted:compile",
        "StageExited:compile",
        "StageStarted:run",
        "StageExited:run",
    ]
    result = await running.wait()
    assert result.run.stdout == "early\n"


async def test_signal_reaches_the_job_and_sigkill_ends_it(sandbox: LocalSandbox) -> None:
    code = (
        "import signal, sys, time\n"
        "signal.signal(signal.SIGINT, lambda *a: (print('INT', flush=True), sys.exit(4)))\n"
        "print('ready', flush=True)\ntime.sleep(30)\n"
    )
    running = await sandbox.start(Job(language="python", files=(File(name="m.py", content=code),)))
    seen = ""
    async for event in running.events():
        seen += getattr(event, "data", "")
        if seen == "ready\n":  # output arrives in chunks as written ("ready", then "\n")
            break
    await running.signal("SIGINT")
    result = await running.wait()
    assert (result.run.stdout, result.run.code) == ("ready\nINT\n", 4)
    with pytest.raises(InvalidJob):
        await running.signal("SIGBOGUS")

    # a signal sent before the box exists is delivered as soon as it does
    running = await sandbox.start(Job(language="python", files=(File(name="m.py", content=code),)))
    await running.signal("SIGKILL")
    result = await running.wait()
    assert result.run.status is Status.SIGNALED
    assert result.run.signal == "SIGKILL"


async def test_compile_failure_is_the_run_result(sandbox: LocalSandbox) -> None:
    result = await sandbox.run(
        Job(language="c", files=(File(name="m.c", content="int main(){oops}"),))
    )
    assert result.compile is not None
    assert result.compile.status is Status.RUNTIME_ERROR
    assert "oops" in result.compile.stderr
    assert result.run == result.compile


async def test_warm_pool_boxes_serve_one_job_each(registry: RuntimeRegistry) -> None:
    sb = LocalSandbox.open(unique_policy(), registry=registry, pool_size=2)
    try:
        assert await sb.start_pool(["python", "javascript"]) == ["python", "javascript"]
        python, node = sb.registry.resolve("python"), sb.registry.resolve("javascript")

        async def warm(rt: RuntimeDef) -> None:
            for _ in range(400):
                if sb.pool.ready(rt) > 0:
                    return
                await asyncio.sleep(0.05)
            raise AssertionError(f"no warm box for {rt.language}")

        code = (
            "import os, sys\nprint(sorted(os.listdir('.')), sys.argv[1:], input())\n"
            "open('mine', 'w')\n"
        )
        seen = []
        for i in range(4):
            await warm(python)
            r = await sb.run(
                Job(
                    language="python",
                    files=(File(name="m.py", content=code),),
                    args=(str(i),),
                    stdin=f"in{i}\n",
                )
            )
            seen.append(r.run.stdout)
        # every job saw a fresh work dir: no file left by the previous one
        assert seen == [f"['m.py'] ['{i}'] in{i}\n" for i in range(4)]
        js = "console.log(require('fs').readdirSync('.'), process.argv.slice(2))"
        await warm(node)
        r = await sb.run(
            Job(language="javascript", files=(File(name="m.js", content=js),), args=("a",))
        )
        assert r.run.stdout == "[ 'm.js' ] [ 'a' ]\n", r.run.stderr
        await warm(python)
        r = await sb.run(Job(language="python", files=(File(name="m.py", content="1/0"),)))
        assert r.run.status is Status.RUNTIME_ERROR
        assert r.run.stderr.startswith('Traceback (most recent call last):\n  File "m.py", line 1')
        assert (sb.pool.hits, sb.pool.misses) == (6, 0)
    finally:
        await sb.aclose(remove_cgroup_root=True)
    assert processes_of(sb.policy.box_uid) == []


async def test_a_cancelled_caller_kills_the_job(sandbox: LocalSandbox) -> None:
    job = Job(language="python", files=(File(name="m.py", content="import time; time.sleep(30)"),))
    task = asyncio.get_running_loop().create_task(sandbox.run(job))
    await asyncio.sleep(0.5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(100):  # the job finishes cleaning up in the background
        if leftovers(sandbox.pipeline) == ([], []):
            break
        await asyncio.sleep(0.05)
    assert leftovers(sandbox.pipeline) == ([], [])


async def test_boxes_beyond_the_fd_budget_wait_their_turn(sandbox: LocalSandbox) -> None:
    pipeline = sandbox.pipeline
    saved, pipeline.max_running = pipeline.max_running, 3
    seen: list[int] = []

    async def sample() -> None:
        while True:
            seen.append(pipeline.running)
            await asyncio.sleep(0.01)

    sampler = asyncio.get_running_loop().create_task(sample())
    code = "import time; time.sleep(0.2); print('ok')"
    job = Job(language="python", files=(File(name="m.py", content=code),))
    try:
        results = await asyncio.gather(*(sandbox.run(job) for _ in range(10)))
    finally:
        pipeline.max_running = saved
        sampler.cancel()
    assert [r.run.stdout for r in results] == ["ok\n"] * 10
    assert max(seen) == 3  # never more than the budget, and the budget was used
