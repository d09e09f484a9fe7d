"""Interpreter benchmark: Bastion vs Open Interpreter 0.4, both driven by the same fake LLM.

Measures, in one run on one machine:
- sandbox kernel start: `open_session` + the first Python block (`pass`) to its result;
- time to first executed block: from `chat()` to the first output of the first block, with a
  local fake OpenAI-compatible server that answers at once (so the model costs ~nothing);
- per-block turn time (model request + run `print(i)` + model request), and for Bastion the
  per-block overhead excluding the model and the sandbox (turn time - model time - execute time).

Open Interpreter 0.4 is installed in its own virtual environment (.bench/oi-venv) by this script
and runs in a subprocess pointed at the same fake server (auto_run, tool calls, offline).
The web chat's per-block overhead (approval click to output shown) is printed against the
terminal path's in the same run (bench_web_chat.py).
Usage: .venv/bin/python bench/interpreter/bench_interpreter.py [--blocks N] [--skip-oi] [--skip-web]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "interpreter"))

from fake_openai import FakeOpenAI, Reply, ToolCall  # noqa: E402

from bastion.interpreter import Approval, Interpreter  # noqa: E402
from bastion.interpreter.llm import OpenAIChat  # noqa: E402
from bastion.interpreter.loop import ModelEvent  # noqa: E402
from bastion.protocol.exec import SessionSpec  # noqa: E402
from bastion.sandbox.policy import Policy  # noqa: E402
from bastion.server.compose import close_sandbox, local_sandbox  # noqa: E402

OI_VENV = ROOT / ".bench" / "oi-venv"


def block_turn(i: int) -> list[Reply]:
    return [Reply(tool_calls=[ToolCall.execute("python", f"print({i})")]), Reply.text("ok")]


class TimedModel:
    """Wraps the real OpenAI adapter and adds up the time spent waiting for the model."""

    def __init__(self, inner: OpenAIChat) -> None:
        self.inner = inner
        self.seconds = 0.0

    async def stream(self, messages: Any, tools: Any) -> AsyncIterator[ModelEvent]:
        events = self.inner.stream(messages, tools)
        while True:
            start = time.perf_counter()
            try:
                event = await anext(events)
            except StopAsyncIteration:
                self.seconds += time.perf_counter() - start
                return
            self.seconds += time.perf_counter() - start
            yield event

    async def close(self) -> None:
        await self.inner.close()


def box_dir() -> str:
    """A work dir the sandbox's unprivileged identity owns (it must chdir and write there)."""
    work = tempfile.mkdtemp(prefix="bastion-bench-")
    policy = Policy()
    os.chown(work, policy.box_uid, policy.box_gid)
    return work


async def kernel_start(runs: int) -> list[float]:
    sandbox = local_sandbox()
    times = []
    work = box_dir()
    try:
        for _ in range(runs):
            start = time.perf_counter()
            session = await sandbox.open_session(SessionSpec(workdir=work))
            await session.execute("python", "pass")
            times.append(time.perf_counter() - start)
            await session.close()
    finally:
        await sandbox.aclose(remove_cgroup_root=True)
        shutil.rmtree(work, ignore_errors=True)
    return times


def bastion(blocks: int) -> dict[str, Any]:
    work = box_dir()
    with FakeOpenAI() as llm:
        for i in range(blocks + 1):
            llm.script(*block_turn(i))
        sandbox = local_sandbox()
        settings_kw = {"model": "fake", "base_url": llm.base_url, "workdir": work}
        it = Interpreter(sandbox=sandbox, approve=lambda r: Approval(action="run"), **settings_kw)
        timed = TimedModel(OpenAIChat(it.settings))
        it._model = timed
        sessions: list[Any] = []
        original = sandbox.open_session

        async def open_session(spec: SessionSpec) -> Any:
            session = await original(spec)
            sessions.append(_TimedSession(session))
            return sessions[-1]

        sandbox.open_session = open_session  # type: ignore[method-assign]
        start = time.perf_counter()
        first = None
        for chunk in it.chat("go", stream=True):
            if first is None and chunk.role == "computer" and chunk.end:
                first = time.perf_counter() - start
        turns, overheads = [], []
        for i in range(1, blocks + 1):
            timed.seconds = 0.0
            sessions[0].seconds = 0.0
            t0 = time.perf_counter()
            new = it.chat(f"block {i}")
            turn = time.perf_counter() - t0
            assert any(m.content.strip() == str(i) for m in new if m.role == "computer"), new
            turns.append(turn)
            overheads.append(turn - timed.seconds - sessions[0].seconds)
        it.close()
        close_sandbox(sandbox)
    shutil.rmtree(work, ignore_errors=True)
    return {"first_block_s": first, "turn_s": turns, "overhead_s": overheads}


class _TimedSession:
    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.seconds = 0.0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def execute(self, *args: Any, **kw: Any) -> Any:
        start = time.perf_counter()
        try:
            return await self.inner.execute(*args, **kw)
        finally:
            self.seconds += time.perf_counter() - start


OI_DRIVER = r"""
import json, sys, time
t_import = time.perf_counter()
from interpreter import OpenInterpreter
t_import = time.perf_counter() - t_import
base, blocks = sys.argv[1], int(sys.argv[2])
oi = OpenInterpreter()
oi.llm.model = "openai/fake"; oi.llm.api_base = base; oi.llm.api_key = "x"
oi.llm.supports_functions = True; oi.llm.context_window = 32000; oi.llm.max_tokens = 1000
oi.auto_run = True; oi.offline = True; oi.disable_telemetry = True
start = time.perf_counter(); first = None
for chunk in oi.chat("go", display=False, stream=True):
    if first is None and chunk.get("role") == "computer" and chunk.get("type") == "console" \
            and chunk.get("format") == "output" and chunk.get("content"):
        first = time.perf_counter() - start
turns = []
for i in range(1, blocks + 1):
    t0 = time.perf_counter()
    oi.chat(f"block {i}", display=False)
    turns.append(time.perf_counter() - t0)
oi.computer.terminate()
print(json.dumps({"import_s": t_import, "first_block_s": first, "turn_s": turns}))
"""


def ensure_oi() -> Path:
    python = OI_VENV / "bin" / "python"
    if python.exists():
        check = subprocess.run([python, "-c", "import interpreter"], capture_output=True)
        if check.returncode == 0:
            return python
    print("installing open-interpreter 0.4 into", OI_VENV, "(once; takes a while)")
    subprocess.run([sys.executable, "-m", "venv", OI_VENV], check=True)
    uv = Path(sys.executable).with_name("uv")
    subprocess.run(
        [uv, "pip", "install", "--python", python, "open-interpreter==0.4.*", "setuptools<70"],
        check=True,
        env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
    )
    return python


def open_interpreter(blocks: int) -> dict[str, Any]:
    python = ensure_oi()
    with FakeOpenAI() as llm:
        for i in range(blocks + 1):
            llm.script(*block_turn(i))
        out = subprocess.run(
            [python, "-c", OI_DRIVER, llm.base_url, str(blocks)],
            capture_output=True,
            text=True,
            timeout=600,
            env={**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True"},
        )
    if out.returncode != 0:
        raise RuntimeError(f"Open Interpreter run failed:\n{out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def ms(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1000:8.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--blocks", type=int, default=20)
    parser.add_argument("--skip-oi", action="store_true")
    parser.add_argument("--skip-web", action="store_true")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; shared with other work, figures are noisy")
    kernel = asyncio.run(kernel_start(5))
    print(
        f"sandbox kernel start (open session + first python block), median of 5: "
        f"{ms(statistics.median(kernel))}  (target <= 150 ms)"
    )
    ours = bastion(args.blocks)
    overhead = statistics.median(ours["overhead_s"])
    print(f"Bastion  time to first executed block: {ms(ours['first_block_s'])}")
    print(f"Bastion  per-block turn time (median):  {ms(statistics.median(ours['turn_s']))}")
    print(
        f"Bastion  per-block overhead excl. model and sandbox (median): {ms(overhead)}"
        "  (target <= 20 ms)"
    )
    if not args.skip_web:
        from bench_web_chat import compare  # the web path against the terminal path

        compare(min(args.blocks, 10))
    if args.skip_oi:
        return
    theirs = open_interpreter(args.blocks)
    print(f"OI 0.4   import time:                   {ms(theirs['import_s'])}")
    print(f"OI 0.4   time to first executed block:  {ms(theirs['first_block_s'])}")
    print(f"OI 0.4   per-block turn time (median):  {ms(statistics.median(theirs['turn_s']))}")
    first_ratio = theirs["first_block_s"] / ours["first_block_s"]
    turn_ratio = statistics.median(theirs["turn_s"]) / statistics.median(ours["turn_s"])
    print(f"ratio OI/Bastion: first block {first_ratio:.1f}x, per-block turn {turn_ratio:.1f}x")


if __name__ == "__main__":
    main()
