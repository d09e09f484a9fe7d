"""Load and crash behaviour: nothing leaks, whatever clients or the host do to the service."""

from __future__ import annotations

import asyncio
import json
import random
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from bastion.sandbox.contain.pipeline import READY_CGROUPS

from .leaks import job_cgroups, pids_in_cgroups, session_members, settle
from .live import Server, unique_prefix

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]

PROGRAMS: dict[str, tuple[str, str]] = {
    # language: (program printing its token read from argv, expected output format)
    "python": ("import sys; print('ok', sys.argv[1])", "ok {}\n"),
    "javascript": ("console.log('ok', process.argv[2])", "ok {}\n"),
    "bash": ('echo ok "$1"', "ok {}\n"),
    "c": ('#include <stdio.h>\nint main(int c, char**v){printf("ok %s\\n", v[1]);}', "ok {}\n"),
}
# While a server idles it may hold warm boxes (python and javascript, two each) and cgroups the
# pipeline makes ahead of need: each has a cgroup, none runs a job.
IDLE_CGROUPS = 4 + READY_CGROUPS
SLOW = "import time; print('slow', flush=True); time.sleep(10)"


async def post_through_backpressure(
    client: httpx.AsyncClient, body: dict[str, Any]
) -> httpx.Response:
    """POST, honouring 503 + Retry-After as a well-behaved client does."""
    for _ in range(50):
        r = await client.post("/api/v2/execute", json=body)
        if r.status_code != 503:
            return r
        await asyncio.sleep(float(r.headers["retry-after"]) / 4)
    return r


async def one(client: httpx.AsyncClient, i: int, rng: random.Random) -> tuple[str, Any]:
    if i % 10 == 0:  # a slow job whose client gives up: the server must kill it
        body = {"language": "python", "version": "*", "files": [{"content": SLOW}]}
        try:
            # The job sleeps 10 s, so whether it is queued, refused with 503 and retried, or
            # running, the client always gives up first: 20 guaranteed disconnects.
            await asyncio.wait_for(post_through_backpressure(client, body), rng.uniform(0.2, 1.0))
        except TimeoutError:
            return "gave-up", None
        return "slow-finished", None
    language = rng.choice(list(PROGRAMS))
    code, expected = PROGRAMS[language]
    token = f"t{i}"
    body = {"language": language, "version": "*", "files": [{"content": code}], "args": [token]}
    if rng.random() < 0.2:  # disconnect at a random moment: queued, compiling or running
        try:
            await asyncio.wait_for(post_through_backpressure(client, body), rng.uniform(0.01, 0.5))
        except TimeoutError:
            return "gave-up", None
    r = await post_through_backpressure(client, body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["run"]["stdout"] == expected.format(token), (language, out)
    return "ok", language


def test_200_concurrent_mixed_jobs_with_disconnects_leave_nothing(tmp_path: Path) -> None:
    prefix = unique_prefix("load")
    srv = Server(tmp_path, "--concurrency", "4", "--queue-size", "64", "--cgroup-prefix", prefix)
    srv.start()
    assert srv.proc is not None
    sid = srv.proc.pid

    async def scenario() -> list[tuple[str, Any]]:
        rng = random.Random(1234)  # noqa: S311 - reproducible test schedule
        limits = httpx.Limits(max_connections=250, max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=srv.url, timeout=120, limits=limits) as client:
            return await asyncio.gather(*(one(client, i, rng) for i in range(200)))

    try:
        outcomes = asyncio.run(scenario())
        kinds = [k for k, _ in outcomes]
        assert kinds.count("ok") >= 140
        assert kinds.count("gave-up") >= 20
        assert {lang for k, lang in outcomes if k == "ok"} == set(PROGRAMS)

        # Everything settles: no job running or queued, no box process, no job cgroup.
        def busy() -> list[str]:
            metrics = httpx.get(srv.url + "/metrics").text
            gauges = ("bastion_exec_running", "bastion_exec_queue_depth")
            lines = [ln for ln in metrics.splitlines() if ln.startswith(gauges)]
            return [ln for ln in lines if not ln.endswith(" 0.0")]

        assert settle(busy) == []
        # While it serves, only idle warm boxes and cgroups made ahead may exist.
        assert settle(lambda: len(job_cgroups(prefix)) > IDLE_CGROUPS) is False
        assert settle(lambda: len(session_members(sid, exclude=sid)) > 4 * IDLE_CGROUPS) is False
    finally:
        srv.stop(keep_tmp=True)
    try:
        assert settle(lambda: session_members(sid)) == []
        assert settle(lambda: pids_in_cgroups(prefix)) == []
        assert settle(lambda: job_cgroups(prefix)) == []
        assert settle(srv.leftovers) == []
    finally:
        srv.remove_tmpdir()


def kill_mid_job(srv: Server, prefix: str) -> None:
    """Start three HTTP jobs, a WebSocket job and a session cell, wait until all five run,
    SIGKILL the server (started with --concurrency 5)."""
    assert srv.proc is not None
    proc = srv.proc

    async def go() -> None:
        slow = {"language": "python", "version": "*", "files": [{"content": SLOW}]}
        client = httpx.AsyncClient(base_url=srv.url, timeout=30)
        posts = [asyncio.ensure_future(client.post("/api/v2/execute", json=slow)) for _ in range(3)]
        session = (await client.post("/api/v3/sessions", json={})).json()["id"]
        cell = {"language": "python", "code": "import time\nx = 1\ntime.sleep(30)"}
        posts.append(
            asyncio.ensure_future(client.post(f"/api/v3/sessions/{session}/execute", json=cell))
        )
        init = {"type": "init", "language": "bash", "version": "*",
                "files": [{"content": "sleep 20 & sleep 20; echo never"}]}  # fmt: skip
        async with connect(srv.ws_url + "/api/v2/connect") as ws:
            await ws.send(json.dumps(init))
            assert json.loads(await ws.recv())["type"] == "runtime"
            deadline = time.monotonic() + 15
            while "bastion_exec_running_jobs 5.0" not in (await client.get("/metrics")).text:
                assert time.monotonic() < deadline, "the jobs never all ran"
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.5)  # past spawning: the programs themselves are running
            assert pids_in_cgroups(prefix)
            assert list(session_workdirs(prefix))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        for p in posts:
            p.cancel()
        await asyncio.gather(*posts, return_exceptions=True)
        await client.aclose()

    asyncio.run(go())


def session_workdirs(prefix: str) -> list[Path]:
    root = Path("/run/bastion-sessions") / prefix
    return list(root.iterdir()) if root.exists() else []


def test_service_killed_mid_job_then_restarted_leaves_no_process_or_cgroup(tmp_path: Path) -> None:
    prefix = unique_prefix("crash")
    srv = Server(tmp_path, "--cgroup-prefix", prefix, "--concurrency", "5").start()
    assert srv.proc is not None
    sid = srv.proc.pid
    kill_mid_job(srv, prefix)
    # The boxes die with their supervisor (bwrap --die-with-parent, PID namespaces).
    assert settle(lambda: session_members(sid)) == []
    assert settle(lambda: pids_in_cgroups(prefix)) == []

    # A restart on the same prefix sweeps the cgroups a killed supervisor could not remove.
    orphaned = set(job_cgroups(prefix))
    assert len(orphaned) >= 5  # the five jobs' (and the warm pool's), left by the SIGKILL
    assert session_workdirs(prefix)  # the session's tmpfs work dir, still mounted
    again = Server(tmp_path, "--cgroup-prefix", prefix, tmpdir=srv.tmpdir).start()
    try:
        assert settle(lambda: orphaned & set(job_cgroups(prefix))) == set()
        assert settle(lambda: session_workdirs(prefix)) == []
        r = httpx.post(
            again.url + "/api/v2/execute",
            json={"language": "python", "version": "*", "files": [{"content": "print('alive')"}]},
            timeout=30,
        )
        assert r.json()["run"]["stdout"] == "alive\n"
    finally:
        again.stop()
    assert settle(lambda: job_cgroups(prefix)) == []
    assert settle(lambda: pids_in_cgroups(prefix)) == []


def test_service_killed_mid_job_then_restarted_leaves_no_temp_file(tmp_path: Path) -> None:
    prefix = unique_prefix("crashtmp")
    srv = Server(tmp_path, "--cgroup-prefix", prefix, "--concurrency", "5").start()
    kill_mid_job(srv, prefix)
    again = Server(tmp_path, "--cgroup-prefix", prefix, tmpdir=srv.tmpdir).start()
    again.stop(keep_tmp=True)
    try:
        assert settle(again.leftovers, timeout_s=3) == []
    finally:
        again.remove_tmpdir()
