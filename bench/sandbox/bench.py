"""Sandbox benchmark: hello world latency and throughput, next to a bare process start.

    .venv/bin/python bench/sandbox/bench.py [--runs 30] [--jobs 40]

For Python, JavaScript, C and Java hello worlds it measures p50/p95 latency of a whole job
through `LocalSandbox.run` (cold: a fresh box; warm: a pre-started box from the pool, Python and
JavaScript only) and, in the same run, the bare unsandboxed process doing the same thing
(`subprocess.run` of the same command on the host; for C that is gcc then ./a.out, as the job
compiles too). Then throughput of Python hello worlds at concurrency 1, 2, 4 and 8, sandboxed and
bare. Ratios are sandbox / bare. Run as root on an otherwise idle machine for meaningful figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bastion.protocol.exec import File, Job, JobResult, Limits
from bastion.sandbox import LocalSandbox, Policy

HELLO = {
    "python": ("main.py", "print('hello')\n"),
    "javascript": ("main.js", "console.log('hello')\n"),
    "c": ("main.c", '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n'),
    "java": (
        "Main.java",
        'class Main { public static void main(String[] a) { System.out.println("hello"); } }\n',
    ),
}
ROOMY = Limits(wall_time_ms=60_000, cpu_time_ms=30_000)


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] * 1000


def bare_command(language: str, workdir: Path) -> list[list[str]]:
    name, code = HELLO[language]
    (workdir / name).write_text(code)
    src = str(workdir / name)
    if language == "python":
        return [["/usr/bin/python3", src]]
    if language == "javascript":
        return [["/usr/bin/node", src]]
    if language == "c":
        out = str(workdir / "a.out")
        return [["/usr/bin/gcc", "-std=gnu17", "-O2", "-o", out, src, "-lm"], [out]]
    return [["/usr/bin/java", src]]


# The box's environment, so bare runs do the same work (e.g. NODE_EXTRA_CA_CERTS in a host
# environment makes node load a CA bundle it would not load in a box).
CLEAN_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1"}


def bare_once(commands: list[list[str]]) -> float:
    started = time.perf_counter()
    for argv in commands:
        subprocess.run(argv, capture_output=True, check=True, env=CLEAN_ENV)
    return time.perf_counter() - started


async def timed(make: Callable[[], Awaitable[JobResult]], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        result = await make()
        samples.append(time.perf_counter() - started)
        if result.run.stdout != "hello\n":
            raise SystemExit(f"unexpected result: {result.run}")
    return samples


def job(language: str) -> Job:
    """Default limits for interpreted hello worlds (so the warm pool serves them); compilers get
    room, as a loaded machine can make gcc or javac slow."""
    name, code = HELLO[language]
    roomy = language in ("c", "java")
    return Job(
        language=language,
        files=(File(name=name, content=code),),
        run_limits=ROOMY if roomy else Limits(),
        compile_limits=ROOMY if roomy else Limits(),
    )


def runner(sandbox: LocalSandbox, language: str) -> Callable[[], Awaitable[JobResult]]:
    return lambda: sandbox.run(job(language))


async def java_job(sandbox: LocalSandbox) -> JobResult:
    # Through the java runtime when one is declared; else the same command through the pipeline.
    try:
        sandbox.registry.resolve("java")
        return await sandbox.run(job("java"))
    except Exception:
        from bastion.protocol.exec import JobResult as JR
        from bastion.sandbox import BoxFile, BoxSpec
        from bastion.sandbox.jobs import stage_result

        name, code = HELLO["java"]
        java = str(Path("/usr/bin/java").resolve())
        limits = sandbox.policy.run_defaults
        spec = BoxSpec(
            argv=(java, name),
            files=(BoxFile(name, code.encode()),),
            limits=type(limits)(wall_time_ms=60_000, cpu_time_ms=30_000),
            ro_binds=("/usr/lib/jvm", "/etc/java-17-openjdk"),
        )
        r = stage_result(await sandbox.pipeline.run(spec))
        return JR(language="java", version="source-launcher", compile=None, run=r)


async def latency(cold: LocalSandbox, warm: LocalSandbox, runs: int) -> None:
    print(f"Latency of one hello world job, {runs} runs each (ms). Bare, cold and warm runs are")
    print("interleaved so that they share whatever else the machine is doing.")
    print(f"{'language':<11} {'mode':<5} {'p50':>7} {'p95':>7} {'bare p50':>9} {'bare p95':>9} "
          f"{'ratio p50':>9} {'overhead p50':>12}")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        for language in ("python", "javascript", "c", "java"):
            n = runs if language in ("python", "javascript") else max(5, runs // 3)
            commands = bare_command(language, Path(tmp))
            pooled = language in ("python", "javascript")
            samples: dict[str, list[float]] = {"bare": [], "cold": [], "warm": []}
            for _ in range(n):
                samples["bare"].append(bare_once(commands))
                if language == "java":
                    samples["cold"] += await timed(lambda: java_job(cold), 1)
                    continue
                samples["cold"] += await timed(runner(cold, language), 1)
                if pooled:
                    await asyncio.sleep(0.1)  # the pool refills between jobs, as it would at rest
                    samples["warm"] += await timed(runner(warm, language), 1)
            b50, b95 = pct(samples["bare"], 0.5), pct(samples["bare"], 0.95)
            for mode in ("cold", "warm") if pooled else ("cold",):
                p50, p95 = pct(samples[mode], 0.5), pct(samples[mode], 0.95)
                print(f"{language:<11} {mode:<5} {p50:7.1f} {p95:7.1f} {b50:9.1f} {b95:9.1f} "
                      f"{p50 / b50:9.2f} {p50 - b50:+12.1f}")  # fmt: skip


def children_cpu(sandbox: LocalSandbox | None = None) -> float:
    """CPU seconds of our reaped children, plus the sandbox's helper processes (the spawner
    forks bwrap and reaps it, so bwrap's own CPU is counted there, not under our children)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = r.ru_utime + r.ru_stime
    for pid in sandbox.pipeline.helper_pids() if sandbox is not None else ():
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    return total


async def cpu_cost(cold: LocalSandbox, warm: LocalSandbox, runs: int) -> None:
    """CPU consumed per Python hello world: robust where wall-clock latency is not (a busy host).

    Sandboxed = the supervisor's own CPU + its helpers and reaped children (the spawner, bwrap
    outside the box) + the box's cgroup CPU (the interpreter, bwrap's in-box init). Helper CPU
    is read from /proc in clock ticks: run enough jobs for it to mean something.
    """
    print(f"\nCPU per Python hello world job, {runs} jobs (ms)")
    with tempfile.TemporaryDirectory() as tmp:
        commands = bare_command("python", Path(tmp))
        before = children_cpu()
        for _ in range(runs):
            bare_once(commands)
        bare = (children_cpu() - before) / runs * 1000
    head = ("mode", "supervisor", "children", "box", "total", "bare", "ratio")
    print("{:<6} {:>10} {:>9} {:>6} {:>7} {:>6} {:>6}".format(*head))
    for mode, sandbox in (("cold", cold), ("warm", warm)):
        own, kids, box = time.process_time(), children_cpu(sandbox), 0.0
        for _ in range(runs):
            if mode == "warm":
                while warm.pool.ready(warm.registry.resolve("python")) == 0:
                    await asyncio.sleep(0.01)
            result = await sandbox.run(job("python"))
            box += result.run.cpu_time_ms
        own = (time.process_time() - own) / runs * 1000
        kids = (children_cpu(sandbox) - kids) / runs * 1000
        box /= runs
        total = own + kids + box
        row = (mode, own, kids, box, total, bare, total / bare)
        print("{:<6} {:10.1f} {:9.1f} {:6.1f} {:7.1f} {:6.1f} {:6.2f}".format(*row))
    print("(warm: the supervisor's CPU includes refilling the pool, the box's does not include")
    print(" the interpreter start it paid before the job arrived)")


async def throughput(sandbox: LocalSandbox, warm: LocalSandbox, total: int) -> None:
    print(f"\nThroughput, Python hello world, {total} jobs per round (jobs/s; best of 2 rounds,")
    print("bare, cold and warm-pool rounds alternating; the pool keeps 8 boxes per runtime)")
    head = ("concurrency", "cold", "warm", "bare", "cold/bare", "warm/bare")
    print("{:>11} {:>7} {:>7} {:>7} {:>9} {:>9}".format(*head))
    with tempfile.TemporaryDirectory() as tmp:
        commands = bare_command("python", Path(tmp))
        for concurrency in (1, 2, 4, 8):
            gate = asyncio.Semaphore(concurrency)
            pool = ThreadPoolExecutor(max_workers=concurrency)

            async def boxed_one(gate: asyncio.Semaphore = gate) -> None:
                async with gate:
                    await sandbox.run(job("python"))

            async def warm_one(gate: asyncio.Semaphore = gate) -> None:
                async with gate:
                    await warm.run(job("python"))

            async def bare_one(
                gate: asyncio.Semaphore = gate, pool: ThreadPoolExecutor = pool
            ) -> None:
                async with gate:
                    await asyncio.get_running_loop().run_in_executor(pool, bare_once, commands)

            best = {"boxed": 0.0, "warm": 0.0, "bare": 0.0}
            for _ in range(2):
                for name, one in (("bare", bare_one), ("boxed", boxed_one), ("warm", warm_one)):
                    started = time.perf_counter()
                    await asyncio.gather(*(one() for _ in range(total)))
                    best[name] = max(best[name], total / (time.perf_counter() - started))
            pool.shutdown()
            boxed, hot, bare = best["boxed"], best["warm"], best["bare"]
            row = (concurrency, boxed, hot, bare, boxed / bare, hot / bare)
            print("{:>11} {:7.1f} {:7.1f} {:7.1f} {:9.2f} {:9.2f}".format(*row))


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=40)
    args = parser.parse_args()

    def policy() -> Policy:
        return Policy(cgroup_prefix=f"bastion-bench-{uuid.uuid4().hex[:6]}")

    cold = LocalSandbox.open(policy())  # no pool: every job starts a fresh box
    warm = LocalSandbox.open(policy(), registry=cold.registry, pool_size=8)
    try:
        await warm.start_pool(["python", "javascript"])
        await asyncio.sleep(1)
        await latency(cold, warm, args.runs)
        print(f"(warm pool: {warm.pool.hits} hits, {warm.pool.misses} misses)")
        await cpu_cost(cold, warm, args.runs)
        await throughput(cold, warm, args.jobs)
    finally:
        await cold.aclose(remove_cgroup_root=True)
        await warm.aclose(remove_cgroup_root=True)


if __name__ == "__main__":
    asyncio.run(main())
