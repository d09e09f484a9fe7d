"""Start the real `bastion exec serve` (uvicorn, the real sandbox) on loopback for live tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

BASTION = str(Path(sys.executable).with_name("bastion"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    def __init__(
        self,
        state_dir: Path,
        *args: str,
        env: dict[str, str] | None = None,
        port: int = 0,
        tmpdir: Path | None = None,
    ) -> None:
        self.state_dir = state_dir
        self.args = args
        self.env = env or {}
        self.port = port
        # Its own TMPDIR, so leak checks see only this server's temp files (other suites share
        # /tmp); traversable because boxes run as an unprivileged uid and bind files from it.
        self.tmpdir = tmpdir or Path(tempfile.mkdtemp(prefix="bastion-exectest-tmp-"))
        self.tmpdir.chmod(0o711)
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = state_dir / "server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 60.0) -> Server:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        fixed = self.port
        for _ in range(3):
            self.port = fixed or free_port()
            log = self.log.open("ab")
            self.proc = subprocess.Popen(
                [BASTION, "exec", "serve", "--host", "127.0.0.1", "--port", str(self.port),
                 "--state-dir", str(self.state_dir), "--log-level", "warning", *self.args],
                stdout=log, stderr=log,
                env={**os.environ, "TMPDIR": str(self.tmpdir), **self.env},
                start_new_session=True,  # its own session: leak checks find its descendants
            )  # fmt: skip
            log.close()
            if self._wait_ready(timeout_s):
                return self
            self.stop(keep_tmp=True)
        raise RuntimeError(f"exec server did not start; log:\n{self.log.read_text()[-3000:]}")

    def _wait_ready(self, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                return False
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + "/", timeout=1.0).status_code == 200:
                    return True
            time.sleep(0.05)
        return False

    def leftovers(self) -> list[str]:
        return sorted(p.name for p in self.tmpdir.iterdir())

    def remove_tmpdir(self) -> None:
        shutil.rmtree(self.tmpdir, ignore_errors=True)

    def stop(
        self, sig: int = signal.SIGTERM, timeout_s: float = 20.0, *, keep_tmp: bool = False
    ) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if not keep_tmp:
            self.remove_tmpdir()


def unique_prefix(tag: str) -> str:
    """Each test server gets its own cgroup prefix: a server's startup sweep kills everything under
    its prefix, and other servers (and other suites on this machine) must not be touched."""
    return f"bastion-exectest-{tag}-{os.getpid()}"


def execute(http: httpx.Client, code: str, language: str = "python", **fields: Any) -> Any:
    body = {"language": language, "version": "*", "files": [{"content": code}], **fields}
    response = http.post("/api/v2/execute", json=body)
    assert response.status_code == 200, response.text
    return response.json()
