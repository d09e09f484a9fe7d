"""`bastion chat` as a real process on the real sandbox, driven by the fake LLM over HTTP."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, Reply, ToolCall

from bastion.sandbox.policy import Policy

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]
BASTION = str(Path(sys.executable).with_name("bastion"))


@pytest.fixture
def work() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="bastion-chat-e2e-"))
    os.chown(path, Policy().box_uid, Policy().box_gid)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def start(llm: FakeOpenAI, work: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            BASTION,
            "chat",
            "--model",
            "fake",
            "--base-url",
            llm.base_url,
            "-w",
            str(work),
            "--no-history",
            *args,
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "100"},
    )


def test_state_persists_across_blocks_and_languages(llm: FakeOpenAI, work: Path) -> None:
    llm.script(
        Reply(tool_calls=[ToolCall.execute("python", "x = 41\nopen('note.txt', 'w').write('hi')")]),
        Reply(tool_calls=[ToolCall.execute("python", "print('x+1 =', x + 1)")]),
        Reply(tool_calls=[ToolCall.execute("shell", "cd /box && cat note.txt && export Y=7")]),
        Reply(tool_calls=[ToolCall.execute("shell", "echo Y=$Y")]),
        Reply(tool_calls=[ToolCall.execute("javascript", "let z = 5; console.log('z', z * 2)")]),
        Reply.text("All **done**."),
    )
    proc = start(llm, work)
    out, _ = proc.communicate("go\na\n", timeout=60)
    assert proc.returncode == 0, out
    assert "x+1 = 42" in out
    assert "Y=7" in out
    assert "z 10" in out
    assert (work / "note.txt").read_text() == "hi"  # the work dir is bound read-write
    assert out.count("Run it?") == 1  # "always" held for the session


def test_ctrl_c_stops_a_real_block_and_the_chat_goes_on(llm: FakeOpenAI, work: Path) -> None:
    llm.script(
        Reply(
            tool_calls=[
                ToolCall.execute("python", "import time\nprint('sleeping')\ntime.sleep(60)")
            ]
        ),
        Reply.text("still here"),
    )
    proc = start(llm, work, "-y")
    assert proc.stdin is not None
    assert proc.stdout is not None
    proc.stdin.write("sleep a minute\n")
    proc.stdin.flush()
    start_time = time.monotonic()
    seen = ""
    while True:  # the code itself is echoed first: wait for the program's own output line
        line = proc.stdout.readline()
        assert line, seen
        seen += line
        if line == "sleeping\n":
            break
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate("are you there?\n", timeout=30)
    seen += out
    assert proc.returncode == 0, seen
    assert time.monotonic() - start_time < 30
    assert "Stopped by the user" in seen
    assert "still here" in seen


def test_a_matplotlib_figure_comes_back_as_a_file_outside_the_work_dir(
    llm: FakeOpenAI, work: Path, tmp_path: Path
) -> None:
    from bastion.interpreter import Approval, Interpreter
    from bastion.server.compose import close_sandbox, local_sandbox

    code = "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.show()"
    llm.script(Reply(tool_calls=[ToolCall.execute("python", code)]), Reply.text("drawn"))
    sandbox = local_sandbox()
    try:
        with Interpreter(
            sandbox=sandbox,
            model="fake",
            base_url=llm.base_url,
            workdir=str(work),
            approve=lambda r: Approval(action="run"),
        ) as it:
            new = it.chat("plot 1 2 3")
    finally:
        close_sandbox(sandbox)
    images = [m for m in new if m.type == "image"]
    assert [m.format for m in images] == ["image/png"]
    path = Path(images[0].content)
    assert path.read_bytes().startswith(b"\x89PNG")
    assert not path.is_relative_to(work)
    assert "image/png output saved to" in llm.requests[-1]["messages"][-1]["content"]


def test_the_block_time_limit_stops_a_runaway_block_and_the_model_is_told(
    llm: FakeOpenAI, work: Path
) -> None:
    from bastion.interpreter import Approval, Interpreter
    from bastion.server.compose import close_sandbox, local_sandbox

    llm.script(
        Reply(tool_calls=[ToolCall.execute("python", "while True: pass")]),
        Reply(tool_calls=[ToolCall.execute("shell", "sleep 600")]),
        Reply.text("gave up"),
    )
    sandbox = local_sandbox()
    start = time.monotonic()
    try:
        with Interpreter(
            sandbox=sandbox,
            model="fake",
            base_url=llm.base_url,
            workdir=str(work),
            approve=lambda r: Approval(action="run"),
            block_seconds=2,
        ) as it:
            new = it.chat("spin")
    finally:
        close_sandbox(sandbox)
    assert time.monotonic() - start < 30
    statuses = [m.status for m in new if m.type == "console" and m.format == "output"]
    assert statuses == ["timeout", "timeout"]
    assert "status=timeout" in llm.requests[1]["messages"][-1]["content"]
