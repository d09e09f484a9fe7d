"""Web chat benchmark: per-block overhead of `bastion chat --web` against the terminal path.

Both paths run the same scripted blocks (`print('out-i')`) in the real sandbox, driven by the fake
OpenAI server, and time the same span: from the user's approval to the block's output being
available to show.

- terminal path: the Python API's approval callback returns "run" (t0) until the console chunk
  carrying the output reaches the consumer (t1) — what `bastion chat` renders.
- web path: the Run button's click arrives at the app session as the browser sends it (t0); the
  page's rerun hands the answer to the tab's worker, the block runs, the page redraws, and the
  session sends the frame carrying the output (t1), with the server's flush delay. The browser's
  own rendering and the loopback socket are not included.

The difference is what the web UI adds per block. The model is not in the span (no request is
made between the approval and the output).
Usage: .venv/bin/python bench/interpreter/bench_web_chat.py [--blocks N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "interpreter"))
sys.path.insert(0, str(Path(__file__).parent))

from bench_interpreter import box_dir  # noqa: E402
from fake_openai import FakeOpenAI, Reply, ToolCall  # noqa: E402

from bastion.app import AppConfig, Runtime, Script  # noqa: E402
from bastion.interpreter import Approval, Interpreter, load_settings  # noqa: E402
from bastion.protocol.app import Rerun  # noqa: E402
from bastion.server.chat_cli import SCRIPT  # noqa: E402
from bastion.server.chat_web import SERVICE, WebChat  # noqa: E402
from bastion.server.compose import close_sandbox, local_sandbox  # noqa: E402


def script_blocks(llm: FakeOpenAI, blocks: int) -> None:
    for i in range(blocks):
        llm.script(Reply(tool_calls=[ToolCall.execute("python", f"print('out-{i}')")]))
        llm.script(Reply.text("ok"))


def terminal(sandbox: Any, blocks: int) -> list[float]:
    work = box_dir()
    spans: list[float] = []
    with FakeOpenAI() as llm:
        script_blocks(llm, blocks + 1)
        approved = [0.0]

        def approve(request: Any) -> Approval:
            approved[0] = time.perf_counter()
            return Approval(action="run")

        it = Interpreter(
            sandbox=sandbox, approve=approve, model="fake", base_url=llm.base_url, workdir=work
        )
        for i in range(blocks + 1):  # the first block warms the kernel up: not counted
            for chunk in it.chat(f"block {i}", stream=True):
                if i and chunk.type == "console" and f"out-{i}" in chunk.content:
                    spans.append(time.perf_counter() - approved[0])
        it.close()
    shutil.rmtree(work, ignore_errors=True)
    return spans


class Client:
    """The server's side of a socket, minus the socket: flushes after the configured delay and
    notes when a frame carrying `wanted` leaves."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.session: Any = None
        self.wanted = ""
        self.seen = threading.Event()
        self.at = 0.0

    def send(self, frame: bytes) -> None:
        if self.wanted and self.wanted.encode() in frame and not self.seen.is_set():
            self.at = time.perf_counter()
            self.seen.set()

    def request_flush(self) -> None:
        timer = threading.Timer(self.delay, self.session.flush)
        timer.daemon = True
        timer.start()


def wait(predicate: Any, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the web chat did not get there")
        time.sleep(0.002)


def web(sandbox: Any, blocks: int) -> list[float]:
    work = box_dir()
    spans: list[float] = []
    config = AppConfig()
    with FakeOpenAI() as llm:
        script_blocks(llm, blocks + 1)
        settings = load_settings(
            {"model": "fake", "base_url": llm.base_url, "workdir": work}, env={}
        )
        service = WebChat(settings, sandbox)
        runtime = Runtime(Script(path=SCRIPT), config, services={SERVICE: service})
        client = Client(config.server.flush_interval_ms / 1000)
        session = runtime.new_session(client)
        client.session = session
        session.handle(Rerun())
        wait(lambda: not session.running and service.session_count == 1)
        worker = service.worker(session.id)[0]
        chat_id = next(w.id for w in session.state._widgets.values() if w.kind == "chat_input")
        for i in range(blocks + 1):
            session.handle(Rerun(widgets={chat_id: f"block {i}"}))
            wait(lambda: worker.view().pending is not None and not session.running)
            pending = worker.view().pending
            assert pending is not None
            client.wanted, client.at = f"out-{i}\\n", 0.0
            client.seen.clear()
            t0 = time.perf_counter()
            session.handle(Rerun(widgets={f"$$ID-button-run-{pending.call_id}": True}))
            if not client.seen.wait(30):
                raise TimeoutError(f"block {i}'s output never reached the page")
            if i:
                spans.append(client.at - t0)
            wait(lambda: not worker.view().running and not session.running)
        runtime.shutdown()
        service.close()
    shutil.rmtree(work, ignore_errors=True)
    return spans


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def compare(blocks: int) -> None:
    sandbox = local_sandbox()
    try:
        term = terminal(sandbox, blocks)
        page = web(sandbox, blocks)
    finally:
        close_sandbox(sandbox)
    t, w = statistics.median(term), statistics.median(page)
    print(f"approval -> output shown, median of {blocks} blocks (print in the real sandbox):")
    print(f"  terminal path (Python API / bastion chat): {ms(t)}")
    print(f"  web path (bastion chat --web, to the frame): {ms(w)}")
    print(f"  web UI overhead per block: {ms(w - t)}  (ratio web/terminal {w / t:.2f}x)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--blocks", type=int, default=10)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; shared with other work, figures are noisy")
    compare(args.blocks)


if __name__ == "__main__":
    main()
