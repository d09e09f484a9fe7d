"""Sessions benchmark: kernel start and per-cell overhead, next to a bare process start.

    .venv/bin/python bench/sandbox/sessions_bench.py [--starts 20] [--cells 200]

Measured in one run, on this machine, through the real contain pipeline (bwrap, seccomp,
cgroups, rlimits):

* bare      `python3 -c pass` started with subprocess and waited for (the anchor);
* start     session open -> first Python cell's result (a tmpfs work dir mounted, one box
            spawned, the kernel driver started, one round trip); then the session is closed;
* cell      one more cell (`x = 1`) in a warm Python / JavaScript / Bash kernel: the per-cell
            overhead a caller pays on top of the code itself.

Targets (issue 7): kernel start <= 150 ms, per-cell overhead <= 20 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from bastion.protocol.exec import SessionSpec
from bastion.sandbox.contain.pipeline import Pipeline
from bastion.sandbox.policy import Policy
from bastion.sandbox.sessions import SessionManager


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def row(name: str, xs: list[float], anchor: float | None = None) -> str:
    p50, p95 = pct(xs, 50), pct(xs, 95)
    ratio = f"{p50 / anchor:6.2f}x" if anchor else "   1.00x"
    return f"{name:<34} {p50:8.2f} {p95:8.2f} {statistics.mean(xs):8.2f}   {ratio}"


def bare_python(n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run(["/usr/bin/python3", "-c", "pass"], check=True)
        out.append((time.perf_counter() - t) * 1000)
    return out


async def main(starts: int, cells: int) -> None:
    policy = Policy(cgroup_prefix=f"bastion-bench-{uuid.uuid4().hex[:8]}")
    pipeline = Pipeline.open(policy)
    root = Path(tempfile.mkdtemp(prefix="bastion-bench-sessions-"))
    root.chmod(0o711)
    manager = SessionManager(pipeline.spawn, policy, root=root)
    try:
        bare = bare_python(max(starts, 20))
        start: list[float] = []
        for _ in range(starts):
            t = time.perf_counter()
            s = await manager.open(SessionSpec())
            r = await s.execute("python", "1")
            start.append((time.perf_counter() - t) * 1000)
            assert r.stage.stdout == "1\n", r.stage
            await s.close()
        per_cell: dict[str, list[float]] = {}
        s = await manager.open(SessionSpec())
        for lang in ("python", "javascript", "bash"):
            await s.execute(lang, "x=0")
            xs = per_cell[lang] = []
            for _ in range(cells):
                t = time.perf_counter()
                await s.execute(lang, "x=1")
                xs.append((time.perf_counter() - t) * 1000)
        await s.close()
    finally:
        await manager.close_all()
        pipeline.close(remove_cgroup_root=True)
        shutil.rmtree(root)  # only empty dirs are left: every tmpfs was unmounted

    anchor = pct(bare, 50)
    print(f"{'ms (ratio = p50 / bare python p50)':<34} {'p50':>8} {'p95':>8} {'mean':>8}   ratio")
    print(row("bare `python3 -c pass`", bare))
    print(row("python kernel start (open+1 cell)", start, anchor))
    for lang, xs in per_cell.items():
        print(row(f"{lang} cell in a warm kernel", xs, anchor))
    print()
    print(f"targets: kernel start <= 150 ms (p50 {pct(start, 50):.1f}), ", end="")
    print(f"per-cell overhead <= 20 ms (python p50 {pct(per_cell['python'], 50):.2f})")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--starts", type=int, default=20)
    ap.add_argument("--cells", type=int, default=200)
    args = ap.parse_args()
    asyncio.run(main(args.starts, args.cells))
