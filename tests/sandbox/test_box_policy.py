"""The operator's choices, for real: network opt-in, explicitly weaker isolation, the CLI."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from bastion.protocol.errors import InvalidJob, SandboxUnavailable
from bastion.protocol.exec import File, Job, Status
from bastion.sandbox.contain import BoxSpec, Pipeline
from bastion.sandbox.contain import seccomp as seccomp_
from bastion.sandbox.host import Host
from bastion.sandbox.local import LocalSandbox
from bastion.sandbox.runtimes import RuntimeRegistry
from bastion.server.cli import main
from conftest import unique_policy

pytestmark = [pytest.mark.sandbox, pytest.mark.anyio]

CONNECT = """
import socket, sys
socket.create_connection(("127.0.0.1", int(sys.argv[1])), 2)
print("connected")
"""


async def test_network_is_refused_unless_the_policy_allows_it(sandbox: LocalSandbox) -> None:
    job = Job(language="python", files=(File(name="n.py", content=CONNECT),), network=True)
    with pytest.raises(InvalidJob) as err:
        await sandbox.run(job)
    assert err.value.field == "network"


async def test_network_opt_in_shares_the_host_network(registry: RuntimeRegistry) -> None:
    sb = LocalSandbox.open(unique_policy(allow_network=True), registry=registry)
    try:
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            port = str(listener.getsockname()[1])
            files = (File(name="n.py", content=CONNECT),)
            allowed = await sb.run(Job(language="python", files=files, args=(port,), network=True))
            assert allowed.run.stdout == "connected\n", allowed.run.stderr
            # a job that does not ask keeps its own empty network namespace
            denied = await sb.run(Job(language="python", files=files, args=(port,)))
            assert denied.run.status is Status.RUNTIME_ERROR
            assert "ConnectionRefusedError" in denied.run.stderr
    finally:
        await sb.aclose(remove_cgroup_root=True)


async def test_explicitly_weaker_isolation_still_runs_namespaced_and_timed() -> None:
    # What an operator gets with require_cgroups=False on a host without cgroups: no memory or
    # process limit, but namespaces, seccomp, rlimits and the wall clock still apply.
    policy = unique_policy(require_cgroups=False)
    host = Host.probe(policy)
    pipeline = Pipeline(policy, host, cgroups=None, seccomp=seccomp_.compile_filter())
    try:
        ok = await pipeline.run(
            BoxSpec(argv=("/usr/bin/python3", "-c", "print(sum(range(10**6)))"))
        )
        assert ok.stdout == b"499999500000\n"
        assert ok.cpu_time_ms > 0  # from the reaped tree's rusage
        limits = unique_policy().run_defaults
        slow = await pipeline.run(
            BoxSpec(argv=("/bin/sleep", "10"), limits=type(limits)(wall_time_ms=300))
        )
        assert slow.signal == 9
    finally:
        if host.cgroups is not None:
            host.cgroups.close()


def test_doctor_reports_full_isolation_and_the_runtimes() -> None:
    result = CliRunner().invoke(main, ["sandbox", "doctor"])
    assert result.exit_code == 0, result.output
    assert "Isolation: full" in result.output
    assert "canary" in result.output
    for language in ("python", "c", "javascript", "bash"):
        assert f"  {language} " in result.output


def test_cli_runs_a_file(tmp_path: Path) -> None:
    program = tmp_path / "hello.py"
    program.write_text("import sys\nprint('hi', input(), sys.argv[1:])\nsys.exit(5)\n")
    result = CliRunner().invoke(
        main,
        ["sandbox", "run", str(program), "--language", "python", "--stdin", "you", "--arg", "x"],
    )
    assert result.exit_code == 5
    assert "hi you ['x']\n" in result.output
    result = CliRunner().invoke(main, ["sandbox", "run", str(program), "-l", "cobol"])
    assert result.exit_code == 1
    assert "cobol-* runtime is unknown" in result.output


def test_a_host_without_a_required_mechanism_is_refused_with_the_fix(
    registry: RuntimeRegistry,
) -> None:
    with pytest.raises(SandboxUnavailable) as err:
        LocalSandbox.open(unique_policy(bwrap="/nonexistent/bwrap"), registry=registry)
    assert err.value.missing == [
        "bwrap: /nonexistent/bwrap not found (fix: apt-get install bubblewrap)"
    ]
