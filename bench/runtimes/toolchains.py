"""How long each detected runtime takes to compile and run its test program, outside any box.

Run by hand: ``.venv/bin/python bench/runtimes/toolchains.py [--repeat N]``. It prints, per runtime,
the median compile and run wall time of the runtime's own argv in a fresh temp dir (so compilers
see a cold work dir, like in a box), then the median of the whole job (compile + run) through the
real sandbox (`LocalSandbox.run`, no warm pool) and the ratio of the two, plus how long detection
itself takes at service start.

Go gets a second line: its build cache cold (empty GOCACHE, what every box starts with) vs warm.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bastion.protocol.exec import Job
from bastion.sandbox.local import LocalSandbox
from bastion.sandbox.policy import Policy
from bastion.sandbox.runtimes import RuntimeDef, RuntimeRegistry, detect_runtimes

ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/nonexistent"}


def timed(argv: tuple[str, ...], cwd: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, check=False)
    elapsed = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        raise SystemExit(f"{argv[0]} failed: {done.stderr.decode(errors='replace')[:500]}")
    return elapsed


def measure(
    rt: RuntimeDef, repeat: int, env_extra: dict[str, str] | None = None
) -> tuple[float, float]:
    compiles, runs = [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="bastion-bench-") as work:
            names = rt.place_files([rt.test.name])
            Path(work, names[0]).write_text(rt.test.content)
            # The box's /tmp is private and empty: stand in with a fresh dir under the work dir.
            env = {**ENV, **rt.env}
            env = {k: v.replace("/tmp/", work + "/") for k, v in env.items()}
            env |= {"TMPDIR": work, **(env_extra or {})}
            argv = rt.compile_argv(names)
            if argv is not None:
                compiles.append(timed(argv, work, env))
            runs.append(timed(rt.run_argv(names), work, env))
    return (statistics.median(compiles) if compiles else 0.0), statistics.median(runs)


async def sandboxed(registry: RuntimeRegistry, repeat: int) -> dict[str, float]:
    box = LocalSandbox.open(Policy(cgroup_prefix=f"bastion-bench-{os.getpid()}"), registry=registry)
    medians = {}
    try:
        for rt in registry:
            job = Job(language=rt.language, version=str(rt.version), files=(rt.test,))
            times = []
            for _ in range(repeat):
                start = time.perf_counter()
                result = await box.run(job)
                times.append((time.perf_counter() - start) * 1000)
                if result.run.stdout != "OK\n":
                    raise SystemExit(f"{rt.name} failed in the sandbox: {result.run.output[:500]}")
            medians[rt.name] = statistics.median(times)
    finally:
        await box.aclose(remove_cgroup_root=True)
    return medians


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    start = time.perf_counter()
    detection = detect_runtimes()
    detect_ms = (time.perf_counter() - start) * 1000
    print(f"detection of {len(detection.registry)} runtimes: {detect_ms:.0f} ms (once, at start)")
    in_box = asyncio.run(sandboxed(detection.registry, args.repeat))
    head = f"{'runtime':<12} {'version':<10} {'compile ms':>10} {'run ms':>8}"
    print(f"{head} {'bare job ms':>11} {'sandboxed ms':>12} {'ratio':>6}")
    for rt in detection.registry:
        compile_ms, run_ms = measure(rt, args.repeat)
        shown = f"{compile_ms:10.0f}" if rt.compiled else f"{'-':>10}"
        bare, boxed = compile_ms + run_ms, in_box[rt.name]
        ratio = boxed / bare if bare else float("nan")
        print(
            f"{rt.name:<12} {rt.version!s:<10} {shown} {run_ms:8.0f} "
            f"{bare:11.0f} {boxed:12.0f} {ratio:6.2f}"
        )
        if rt.language == "go":
            with tempfile.TemporaryDirectory(prefix="bastion-gocache-") as cache:
                warm = {"GOCACHE": cache}
                measure(rt, 1, warm)  # fill the cache
                compile_ms, _ = measure(rt, args.repeat, warm)
            print(
                f"{'  go, warm GOCACHE':<23} {compile_ms:10.0f}   (cold above: empty cache per box)"
            )
    print(f"(machine: {os.cpu_count()} cores, shared; figures are noisy under load)")


if __name__ == "__main__":
    main()
