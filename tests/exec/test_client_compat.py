"""The real public Piston clients, unchanged, against a live server: only the base URL differs.

`pistonapi` (PyPI) posts urlencoded forms; `piston-client` (npm, run with node from the locked
fixture in compat/node) posts JSON as text/plain. Piston itself answers both with 415.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from pistonapi import PistonAPI, PistonError

from .live import Server

pytestmark = pytest.mark.sandbox

NODE_FIXTURE = Path(__file__).parent / "compat" / "node"


@pytest.mark.parametrize("base", ["/api/v2/piston", "/api/v2"])
def test_pistonapi(server: Server, base: str) -> None:
    api = PistonAPI(endpoint=server.url + base)
    runtimes = api.runtimes
    assert "python" in runtimes
    assert "version" in runtimes["python"]
    assert api.execute("python", "*", "print('hello from pistonapi')") == "hello from pistonapi\n"
    out = api.execute(
        "python", "3", "import sys\nprint(input(), sys.argv[1:])", stdin="in", args=["x", "y"]
    )
    assert out == "in ['x', 'y']\n"
    with pytest.raises(PistonError, match="cobol-\\* runtime is unknown"):
        api.execute("cobol", "*", "x")


def test_npm_piston_client(server: Server) -> None:
    node = shutil.which("node")
    assert node, "node is installed by scripts/setup"
    assert (NODE_FIXTURE / "node_modules" / "piston-client").is_dir(), "run scripts/setup (npm ci)"
    proc = subprocess.run(
        [node, "compat.mjs", server.url],
        cwd=NODE_FIXTURE, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert any(rt["language"] == "python" for rt in out["runtimes"])
    # piston-client's default args are ["1", "2", "3"].
    assert out["hello"]["run"]["stdout"] == "hi ['1', '2', '3']\n"
    assert out["hello"]["language"] == "python"
    assert out["js"]["run"]["stdout"] == "a,b\n"
    assert out["stdin"]["run"]["stdout"] == "cba\n"
    assert out["c"]["compile"]["code"] == 0
    assert out["c"]["run"]["stdout"] == "c ok\n"
    assert out["unknown"] == {"message": "cobol-1.0.0 runtime is unknown"}
