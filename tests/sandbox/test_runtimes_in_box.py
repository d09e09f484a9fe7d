"""Every detected runtime runs its test program through the real sandbox and prints exactly OK.

All jobs run concurrently once per module (compiles are slow on two cores), then each runtime is
checked by its own test, so a failure names the runtime. A few extra jobs check what Piston's
clients rely on: the default file name ``file0.code``, args and stdin, sqlite3's argv table, and a
TypeScript program that reads its input through Node's globals.
"""

from __future__ import annotations

import asyncio
import re

import pytest
from click.testing import CliRunner

from bastion.protocol.exec import File, Job, JobResult
from bastion.sandbox.local import LocalSandbox
from bastion.sandbox.runtimes import RuntimeRegistry, detect_runtimes, load_declarations
from bastion.server.cli import main

pytestmark = [pytest.mark.sandbox, pytest.mark.slow, pytest.mark.anyio]


def piston_job(language: str, code: str, *args: str, stdin: str = "") -> Job:
    """A job the way Piston's clients send it: one unnamed file, so it is called file0.code."""
    return Job(
        language=language, files=(File(name="file0.code", content=code),), args=args, stdin=stdin
    )


C_ARG = '#include <stdio.h>\nint main(int c, char **v) { printf("%s\\n", v[1]); }\n'
JAVA_ARG = (
    "public class Main { public static void main(String[] a) {"
    ' System.out.println("java " + a[0]); } }'
)
TS_STDIN = (
    'import * as fs from "fs";\n'
    'const text: string = fs.readFileSync(0, "utf8");\n'
    "console.log(text.trim().toUpperCase(), process.argv.length);\n"
)
# name: (job, expected stdout)
EXTRA = {
    "python-args-stdin": (
        piston_job("py", "import sys\nprint(sys.argv[1:], input())\n", "a", "b c", stdin="typed\n"),
        "['a', 'b c'] typed\n",
    ),
    "c-file0": (piston_job("gcc", C_ARG, "arg"), "arg\n"),
    "java-file0": (piston_job("java", JAVA_ARG, "ok"), "java ok\n"),
    "sqlite-argv": (piston_job("sql", "SELECT arg FROM argv;", "it's"), "it's\n"),
    "typescript-stdin": (piston_job("ts", TS_STDIN, stdin="shout"), "SHOUT 2\n"),
}


@pytest.fixture(scope="module")
async def results(sandbox: LocalSandbox, registry: RuntimeRegistry) -> dict[str, JobResult]:
    assert detect_runtimes().unavailable == ()  # scripts/setup installs every declared toolchain
    jobs = {
        rt.name: Job(language=rt.language, version=str(rt.version), files=(rt.test,))
        for rt in registry
    }
    jobs |= {name: job for name, (job, _) in EXTRA.items()}
    # A few at a time: two cores, and compiles would otherwise stretch each other's wall time.
    gate = asyncio.Semaphore(3)

    async def run(job: Job) -> JobResult:
        async with gate:
            return await sandbox.run(job)

    results = await asyncio.gather(*(run(job) for job in jobs.values()))
    return dict(zip(jobs, results, strict=True))


@pytest.mark.parametrize("name", sorted(d.name for d in load_declarations()))
async def test_runtime_prints_ok(results: dict[str, JobResult], name: str) -> None:
    result = results[name]
    if result.compile is not None:
        assert (result.compile.code, result.compile.status) == (0, None), result.compile.output
    run = result.run
    assert (run.stdout, run.stderr, run.code, run.status) == ("OK\n", "", 0, None), run.output


@pytest.mark.parametrize("name", sorted(EXTRA))
async def test_what_piston_clients_send_works(results: dict[str, JobResult], name: str) -> None:
    run = results[name].run
    assert (run.stdout, run.code) == (EXTRA[name][1], 0), run.output


def test_doctor_lists_each_runtime_with_its_debian_packages() -> None:
    result = CliRunner().invoke(main, ["sandbox", "doctor"])
    assert result.exit_code == 0, result.output
    for rt in detect_runtimes().registry:
        assert re.search(
            rf"^  {re.escape(rt.language)} +{re.escape(str(rt.version))} ", result.output, re.M
        )
    assert re.search(r"^ +from python3[.\d]*(-minimal)? \d", result.output, re.M), result.output
    assert re.search(r"^ +from .*node-typescript \d", result.output, re.M), result.output
