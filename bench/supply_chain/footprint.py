"""Dependency count and install size of the core install and of each extra, from the lock.

Installs each set into a throwaway virtual environment with uv (from uv.lock, hashes verified)
and measures site-packages. Usage: .venv/bin/python bench/supply_chain/footprint.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
UV = str(ROOT / ".venv" / "bin" / "uv")


def size_of(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def measure(extras: list[str]) -> tuple[int, int]:
    with tempfile.TemporaryDirectory() as tmp:
        req = Path(tmp) / "req.txt"
        cmd = [
            UV,
            "export",
            "-q",
            "--frozen",
            "--no-dev",
            "--no-emit-project",
            "--format",
            "requirements-txt",
            "-o",
            str(req),
        ]
        for extra in extras:
            cmd += ["--extra", extra]
        subprocess.run(cmd, check=True, cwd=ROOT)
        venv = Path(tmp) / "venv"
        env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
        subprocess.run(
            [UV, "venv", "-q", "--python", sys.executable, str(venv)], check=True, env=env
        )
        subprocess.run(
            [
                UV,
                "pip",
                "install",
                "-q",
                "--require-hashes",
                "--python",
                str(venv / "bin" / "python"),
                "-r",
                str(req),
            ],
            check=True,
            env=env,
        )
        site = next((venv / "lib").glob("python3*/site-packages"))
        count = sum(1 for _ in site.glob("*.dist-info"))
        return count, size_of(site)


def main() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = sorted(project.get("optional-dependencies", {}))
    base_n, base_size = measure([])
    print(f"{'install':<28}{'packages':>9}{'size MB':>10}")
    print(f"{'core (bastion)':<28}{base_n:>9}{base_size / 1e6:>10.1f}")
    for extra in extras:
        n, size = measure([extra])
        print(f"{'+ ' + extra:<28}{n:>9}{size / 1e6:>10.1f}   (+{n - base_n} packages)")
    if extras:
        n, size = measure(extras)
        print(f"{'all extras':<28}{n:>9}{size / 1e6:>10.1f}")


if __name__ == "__main__":
    main()
