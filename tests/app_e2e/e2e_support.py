"""End-to-end helpers: `bastion run` as a subprocess on 127.0.0.1 (port 0), Debian's Chromium
driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
APPS = Path(__file__).parent / "apps"
BASTION = Path(sys.executable).parent / "bastion"


@dataclass
class AppServer:
    url: str
    proc: subprocess.Popen[str]
    log: list[str] = field(default_factory=list)


def start_app(args: list[str], cwd: Path) -> AppServer:
    proc = subprocess.Popen(
        [str(BASTION), *args, "--server.port", "0"],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stderr is not None
    log: list[str] = []
    found: list[str] = []
    ready = threading.Event()

    def pump() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            log.append(line)
            match = re.search(r"running at (http://\S+)", line)
            if match and not found:
                found.append(match.group(1).replace("localhost", "127.0.0.1"))
                ready.set()
        ready.set()

    threading.Thread(target=pump, daemon=True).start()
    if not ready.wait(30) or not found:
        proc.kill()
        proc.wait()
        proc.stderr.close()
        raise RuntimeError("bastion did not start:\n" + "".join(log))
    url = found[0]
    deadline = time.monotonic() + 15
    while True:
        try:
            with urllib.request.urlopen(url + "_bastion/health", timeout=2) as r:  # noqa: S310
                if r.status == 200:
                    break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    return AppServer(url, proc, log)


def stop_app(server: AppServer) -> None:
    if server.proc.poll() is None:
        server.proc.send_signal(signal.SIGINT)
        try:
            server.proc.wait(10)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait()
    if server.proc.stderr is not None:
        server.proc.stderr.close()


def app_fixture(script: str) -> Any:
    """A module-scoped running server for one app script in tests/app_e2e/apps."""

    @pytest.fixture(scope="module")
    def fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
        server = start_app(["run", str(APPS / script)], tmp_path_factory.mktemp("app"))
        yield server
        stop_app(server)

    return fixture
