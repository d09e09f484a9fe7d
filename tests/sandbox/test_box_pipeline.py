"""The contain pipeline end to end: a box runs, sees only what it should, and is cleaned up."""

from __future__ import annotations

import dataclasses
import signal

import pytest

from bastion.sandbox.contain.pipeline import Pipeline
from bastion.sandbox.contain.spec import BoxFile, BoxSpec, KillReason

pytestmark = [pytest.mark.sandbox, pytest.mark.anyio]

PY = "/usr/bin/python3"


async def test_runs_a_file_with_args_and_stdin(pipeline: Pipeline) -> None:
    code = b"import os, sys; print(os.getuid(), os.getcwd(), sys.argv[1:], input())"
    spec = BoxSpec(
        argv=(PY, "main.py", "a", "b c"),
        files=(BoxFile("main.py", code),),
        stdin=b"hello\n",
    )
    r = await pipeline.run(spec)
    assert (r.exit_code, r.signal, r.killed) == (0, None, None)
    assert r.stdout == b"1000 /box ['a', 'b c'] hello\n"
    assert r.output == r.stdout.decode()
    assert r.cpu_time_ms > 0
    assert r.memory_bytes > 0


async def test_exit_code_and_signal_are_reported(pipeline: Pipeline) -> None:
    r = await pipeline.run(BoxSpec(argv=(PY, "-c", "raise SystemExit(3)")))
    assert (r.exit_code, r.signal) == (3, None)
    r = await pipeline.run(BoxSpec(argv=(PY, "-c", "import os; os.abort()")))
    assert (r.exit_code, r.signal) == (None, signal.SIGABRT)


async def test_wall_time_limit_kills_the_tree(pipeline: Pipeline) -> None:
    limits = dataclasses.replace(BoxSpec(argv=()).limits, wall_time_ms=300)
    r = await pipeline.run(BoxSpec(argv=("/bin/sleep", "10"), limits=limits))
    assert r.killed is KillReason.WALL_TIME
    assert r.signal == signal.SIGKILL
    assert 300 <= r.wall_time_ms < 1500  # the kill is prompt; a loaded CI box adds scheduling delay


async def test_collect_fd_carries_bytes_out(pipeline: Pipeline) -> None:
    spec = BoxSpec(
        argv=("/bin/bash", "-c", "printf artifact >&$BASTION_COLLECT_FD"),
        collect=True,
    )
    r = await pipeline.run(spec)
    assert r.exit_code == 0, r.stderr
    assert r.collected == b"artifact"
