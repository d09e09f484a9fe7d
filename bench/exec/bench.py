"""Exec benchmark: hello world over HTTP vs the sandbox called directly vs a bare process start.

    .venv/bin/python bench/exec/bench.py [--quick] [--languages python,javascript,c,java]

For each language and concurrency (1, 8, 32), in one run on this machine:
  * bare   - the runtime's own commands (compile + run, as the runtime definition says), started
             with asyncio subprocesses, no sandbox: the floor any engine pays;
  * direct - `LocalSandbox.run(job)` in this process: the sandbox without HTTP;
  * http   - `POST /api/v2/execute` to a live `bastion exec serve` (uvicorn) on loopback.
Prints p50/p99 latency (ms) and throughput (jobs/s), then the ratios the issue sets goals for:
HTTP p50 overhead over direct (goal <= 2 ms) and HTTP throughput vs bare for Python (goal >= 70%).

Piston itself is not measured: it ships as a privileged Docker image and this machine has no
container registry to pull it from, so no Piston figures are printed (none are invented).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from bastion.protocol.exec import File, Job
from bastion.sandbox.local import LocalSandbox
from bastion.sandbox.policy import COMPILE_DEFAULTS, RUN_DEFAULTS, Policy
from bastion.sandbox.runtimes import RuntimeDef, detect_runtimes

HELLO = {
    "python": 'print("hello")',
    "javascript": 'console.log("hello")',
    "c": '#include <stdio.h>\nint main(void){puts("hello");return 0;}',
    "java": "public class Main { public static void main(String[] a) {"
    ' System.out.println("hello"); } }',
}
CONCURRENCY = (1, 8, 32)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def measure(
    n: int, concurrency: int, one: Callable[[], Awaitable[None]]
) -> tuple[float, float, float, int]:
    """Run `one` n times, `concurrency` at once; return p50 ms, p99 ms, good jobs/s, failures.

    A failed job (e.g. a JVM starved past its time limit when 32 start at once on 2 cores) is
    counted, not fatal: throughput counts only jobs that printed hello."""
    latencies: list[float] = []
    failures: list[str] = []
    sem = asyncio.Semaphore(concurrency)

    async def timed() -> None:
        async with sem:
            t = time.perf_counter()
            try:
                await one()
            except RuntimeError as e:
                failures.append(str(e))
                return
            latencies.append((time.perf_counter() - t) * 1000)

    await one()  # warm up caches (page cache, JIT-less but file-cached runtimes)
    started = time.perf_counter()
    await asyncio.gather(*(timed() for _ in range(n)))
    elapsed = time.perf_counter() - started
    if not latencies:
        return float("nan"), float("nan"), 0.0, len(failures)
    p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
    return p50, p99, len(latencies) / elapsed, len(failures)


def bare_runner(rt: RuntimeDef, code: str) -> Callable[[], Awaitable[None]]:
    """The runtime's own compile + run commands in a fresh temp dir, no isolation at all."""

    async def one() -> None:
        with tempfile.TemporaryDirectory(prefix="bench-bare-") as d:
            names = rt.place_files(["file0.code"])
            Path(d, names[0]).write_text(code)
            env = {"PATH": "/usr/bin:/bin", "HOME": d, **rt.env}
            compile_argv = rt.compile_argv(names)
            for argv in ([compile_argv] if compile_argv else []) + [rt.run_argv(names)]:
                proc = await asyncio.create_subprocess_exec(
                    *argv, cwd=d, env=env, stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                )  # fmt: skip
                out, err = await proc.communicate()
                if proc.returncode != 0:
                    raise RuntimeError(f"bare {rt.language} failed: {err.decode()[:300]}")
            if out.strip() != b"hello":
                raise RuntimeError(f"bare {rt.language} printed {out!r}")

    return one


def direct_runner(sandbox: LocalSandbox, language: str, code: str) -> Callable[[], Awaitable[None]]:
    job = Job(language=language, files=(File(name="file0.code", content=code),))

    async def one() -> None:
        result = await sandbox.run(job)
        if result.run.stdout != "hello\n":
            raise RuntimeError(f"direct {language}: {result.run}")

    return one


def http_runner(
    client: httpx.AsyncClient, language: str, code: str
) -> Callable[[], Awaitable[None]]:
    body = {"language": language, "version": "*", "files": [{"content": code}]}

    async def one() -> None:
        while True:
            r = await client.post("/api/v2/execute", json=body)
            if r.status_code != 503:
                break
            await asyncio.sleep(0.05)
        if r.status_code != 200 or r.json()["run"]["stdout"] != "hello\n":
            raise RuntimeError(f"http {language}: {r.status_code} {r.text[:300]}")

    return one


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(state: Path, concurrency: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    bastion = str(Path(sys.executable).with_name("bastion"))
    proc = subprocess.Popen(
        [bastion, "exec", "serve", "--port", str(port), "--state-dir", str(state),
         "--concurrency", str(concurrency), "--queue-size", "1024", "--log-level", "warning",
         "--cgroup-prefix", f"bastion-bench-http-{os.getpid()}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health", timeout=20).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the exec server did not become healthy")


async def main(args: argparse.Namespace) -> None:
    languages = args.languages.split(",")
    registry = detect_runtimes().registry
    cpus = os.cpu_count() or 1
    slots = 2 * cpus
    # The same box defaults the service uses (Piston's 1024-byte output cap), so both paths
    # hit the warm pool alike.
    policy = Policy(
        cgroup_prefix=f"bastion-bench-direct-{os.getpid()}",
        compile_defaults=dataclasses.replace(COMPILE_DEFAULTS, output_max_bytes=1024),
        run_defaults=dataclasses.replace(RUN_DEFAULTS, output_max_bytes=1024),
    )
    sandbox = LocalSandbox.open(policy, registry=registry)
    await sandbox.start_pool(["python", "javascript"])
    with tempfile.TemporaryDirectory(prefix="bench-exec-") as state:
        proc, url = start_server(Path(state), slots)
        rows: list[tuple[str, int, str, float, float, float]] = []
        rtt: tuple[float, float] | None = None
        try:
            limits = httpx.Limits(max_connections=64)
            async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:

                async def listing() -> None:
                    (await client.get("/api/v2/runtimes")).raise_for_status()

                p50, p99, _, _ = await measure(200, 1, listing)
                rtt = (p50, p99)
                for language in languages:
                    rt = registry.resolve(language)
                    code = HELLO[language]
                    modes = {
                        "bare": bare_runner(rt, code),
                        "direct": direct_runner(sandbox, language, code),
                        "http": http_runner(client, language, code),
                    }
                    for c in CONCURRENCY:
                        n = max(args.min_jobs, 2 * c)
                        if language == "java":  # ~0.6 s of CPU per hello world
                            n = max(6, n // 6)
                        for mode, one in modes.items():
                            p50, p99, tput, failed = await measure(n, c, one)
                            rows.append((language, c, mode, p50, p99, tput))
                            note = f"  ({failed} failed)" if failed else ""
                            print(
                                f"  {language:<10} c={c:<3} {mode:<7} n={n:<4} p50 {p50:8.1f} ms"
                                f"  p99 {p99:8.1f} ms  {tput:7.1f} jobs/s{note}",
                                flush=True,
                            )
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)
            await sandbox.aclose()
    report(rows, rtt)


def report(
    rows: list[tuple[str, int, str, float, float, float]], rtt: tuple[float, float] | None
) -> None:
    table = {(lang, c, mode): (p50, p99, t) for lang, c, mode, p50, p99, t in rows}
    print(
        "\nlanguage   conc | bare p50/p99     tput | direct p50/p99    tput | http p50/p99"
        "      tput | http-direct p50 | http/bare tput"
    )
    for lang, c in dict.fromkeys((r[0], r[1]) for r in rows):
        b, d, h = (table[(lang, c, m)] for m in ("bare", "direct", "http"))
        print(
            f"{lang:<10} {c:>4} | {b[0]:6.1f}/{b[1]:7.1f} {b[2]:6.1f} | {d[0]:6.1f}/{d[1]:7.1f}"
            f" {d[2]:6.1f} | {h[0]:6.1f}/{h[1]:7.1f} {h[2]:6.1f} | {h[0] - d[0]:+8.1f} ms"
            f"     | {h[2] / b[2] if b[2] else float('nan'):6.0%}"
        )
    if ("python", 1, "http") in table:
        overhead = table[("python", 1, "http")][0] - table[("python", 1, "direct")][0]
        ratio = table[("python", 32, "http")][2] / table[("python", 32, "bare")][2]
        print(f"\npython: HTTP adds {overhead:+.1f} ms p50 over the direct sandbox call at c=1"
              " (goal <= 2 ms)")  # fmt: skip
        print(f"python: HTTP throughput at c=32 is {ratio:.0%} of bare process start (goal >= 70%)")
    if rtt is not None:
        print(f"service round trip without a job (GET /api/v2/runtimes): p50 {rtt[0]:.2f} ms,"
              f" p99 {rtt[1]:.2f} ms")  # fmt: skip
    print("Piston: not measured (it needs its Docker image; no container registry here).")
    print("Machine: shared with other work while measuring; figures are noisy.")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--languages", default="python,javascript,c,java")
    parser.add_argument("--min-jobs", type=int, default=20, help="jobs per cell at low concurrency")
    parser.add_argument("--quick", action="store_true", help="fewer jobs per cell")
    ns = parser.parse_args()
    if ns.quick:
        ns.min_jobs = 8
    asyncio.run(main(ns))
