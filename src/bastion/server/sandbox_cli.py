"""`bastion sandbox ...`: run a file contained, and report what isolation this host supports."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import click

from bastion.protocol.errors import ExecError, SandboxUnavailable
from bastion.protocol.exec import File, Job, JobResult, StageResult
from bastion.sandbox.contain import BoxSpec, Pipeline
from bastion.sandbox.host import Host
from bastion.sandbox.local import LocalSandbox
from bastion.sandbox.policy import Policy
from bastion.sandbox.runtimes import detect_runtimes, inventory


@click.group()
def sandbox() -> None:
    """Run code in the sandbox; check what this host can isolate."""


@sandbox.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--language", "-l", required=True, help="Language name or alias (python, c, js...).")
@click.option("--version", "-v", "version", default="*", show_default=True, help="semver range")
@click.option("--stdin", default=None, help="Text for the program's stdin ('-' reads ours).")
@click.option("--arg", "args", multiple=True, help="An argument for the program (repeatable).")
@click.option("--network", is_flag=True, help="Ask for network access (policy must allow it).")
def run(
    file: Path, language: str, version: str, stdin: str | None, args: tuple[str, ...], network: bool
) -> None:
    """Run FILE in a box and print its output; exits with the program's exit code."""
    if stdin == "-":
        stdin = sys.stdin.read()
    job = Job(
        language=language,
        version=version,
        files=(File(name=file.name, content=file.read_text()),),
        stdin=stdin or "",
        args=args,
        network=network,
    )
    try:
        result = asyncio.run(_run(job))
    except SandboxUnavailable as exc:
        raise click.ClickException(f"{exc}\nRun `bastion sandbox doctor` for details.") from None
    except ExecError as exc:
        raise click.ClickException(str(exc)) from None
    for stage in (result.compile, result.run):
        if stage is None:
            continue
        click.echo(stage.stdout, nl=False)
        click.echo(stage.stderr, nl=False, err=True)
    _summary(result)
    run_ = result.run
    sys.exit(run_.code if run_.code is not None else 128 + 9 if run_.signal else 1)


def _own_policy(what: str) -> Policy:
    # A prefix of our own: opening a pipeline sweeps its prefix, and a service may be running
    # with the default one on this host.
    return Policy(cgroup_prefix=f"bastion-{what}-{os.getpid()}")


async def _run(job: Job) -> JobResult:
    box = LocalSandbox.open(_own_policy("cli"))
    try:
        return await box.run(job)
    finally:
        await box.aclose(remove_cgroup_root=True)


def _summary(result: JobResult) -> None:
    def line(name: str, s: StageResult) -> str:
        status = s.status.value if s.status else "OK"
        extra = f" {s.message}" if s.message else ""
        return (
            f"[{name}: {status}{extra}; cpu {s.cpu_time_ms} ms, wall {s.wall_time_ms} ms, "
            f"memory {s.memory_bytes // 1024} KiB]"
        )

    if result.compile is not None:
        click.echo(line("compile", result.compile), err=True)
    if result.compile is None or result.run is not result.compile:
        click.echo(line(f"{result.language}-{result.version}", result.run), err=True)


@sandbox.command()
def doctor() -> None:
    """Say what isolation this host supports, what is missing and how to fix it."""
    policy = _own_policy("doctor")
    host = Host.probe(policy)
    ok = click.style("ok", fg="green")
    missing = {m.mechanism: m for m in host.missing}

    def row(mechanism: str, detail: str) -> None:
        m = missing.get(mechanism)
        state = ok if m is None else click.style("MISSING", fg="red")
        text = detail if m is None else f"{m.problem}\n      fix: {m.fix}"
        click.echo(f"  {mechanism:<13} {state:<6} {text}")

    click.echo(f"Host: Linux {host.kernel}")
    click.echo("Isolation:")
    row("bwrap", f"bubblewrap {host.bwrap_version} (user-namespace mode, not setuid)")
    row("userns", "unprivileged user namespaces; nested ones disabled in boxes")
    row("seccomp", "syscall filter (libseccomp), native ABI only")
    row("cgroups", host.cgroups.kind if host.cgroups else "")
    row("unprivileged", f"boxes run as host uid {policy.box_uid}, uid {policy.inner_uid} inside")
    failed = bool(host.missing)
    if host.cgroups is not None:
        host.cgroups.close()
    if not failed:
        try:
            asyncio.run(_canary(policy))
            click.echo(f"  {'canary':<13} {ok:<6} a box ran /bin/true under the full pipeline")
        except (ExecError, OSError) as exc:
            click.echo(f"  {'canary':<13} {click.style('FAILED', fg='red')} {exc}")
            failed = True
    detection = detect_runtimes()
    # What user code runs on, down to the Debian package versions to track for security updates.
    packages = {tc.name: tc.packages for tc in inventory(detection.registry)}
    click.echo("Runtimes:")
    for rt in detection.registry:
        kind = "compiled" if rt.compiled else "interpreted"
        aliases = ", ".join(rt.aliases)
        click.echo(f"  {rt.language:<12} {rt.version!s:<10} {kind:<12} aliases: {aliases}")
        debs = ", ".join(f"{p} {v}" for p, v in packages.get(rt.name, ())) or "no Debian package"
        click.echo(f"  {'':<12} {'':<10} from {debs}")
    for u in detection.unavailable:
        click.echo(f"  {u.language:<12} {'-':<10} unavailable: {u.reason}")
    if failed:
        click.echo("Isolation: INCOMPLETE; jobs are refused until the above is fixed.")
        sys.exit(1)
    click.echo("Isolation: full (namespaces, seccomp, cgroups, rlimits, unprivileged uid).")


async def _canary(policy: Policy) -> None:
    pipeline = Pipeline.open(policy)
    try:
        result = await pipeline.run(BoxSpec(argv=("/bin/true",)))
    finally:
        pipeline.close(remove_cgroup_root=True)
    if result.exit_code != 0:
        raise ExecError(f"the canary box exited with {result.exit_code}: {result.stderr!r}")
