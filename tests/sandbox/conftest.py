"""Fixtures for the sandbox tests: a real contain pipeline and LocalSandbox per test session.

Their cgroups live under a prefix unique to this run and boxes run as a host uid unique to this
run, so parallel runs (and other supervisors on the host) never see each other's jobs, and "no
process or cgroup left behind" can be checked exactly. The prefix is removed at the end.
"""

from __future__ import annotations

import os
import random
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bastion.sandbox.contain.pipeline import Pipeline
from bastion.sandbox.local import LocalSandbox
from bastion.sandbox.policy import Policy
from bastion.sandbox.runtimes import RuntimeRegistry, detect_runtimes


def unique_policy(**overrides: object) -> Policy:
    uid = random.randint(62_000, 64_999)  # noqa: S311 - uniqueness, not secrecy
    defaults: dict[str, object] = {
        "cgroup_prefix": f"bastion-test-{uuid.uuid4().hex[:8]}",
        "box_uid": uid,
        "box_gid": uid,
    }
    return Policy(**{**defaults, **overrides})  # type: ignore[arg-type]


def processes_of(uid: int) -> list[int]:
    """Live host pids whose real uid is `uid`.

    Zombies are not counted: a box's namespace init can linger as a zombie for a moment after it
    died, until the host's init (its reaper once bwrap is gone) collects it; it runs nothing.
    """
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if int(fields["Uid"].split()[0]) == uid and not fields["State"].strip().startswith("Z"):
            found.append(int(entry.name))
    return found


def leftovers(pipeline: Pipeline) -> tuple[list[str], list[int]]:
    """(job cgroups still present under our prefix, processes still running as our box uid)."""
    assert pipeline.cgroups is not None
    keeper = pipeline.keeper.pid if pipeline.keeper is not None else None
    procs = [p for p in processes_of(pipeline.policy.box_uid) if p != keeper]
    idle = set(pipeline.idle_cgroups())  # made ahead for future boxes, never used
    return [cg for cg in pipeline.cgroups.jobs() if cg not in idle], procs


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def registry() -> RuntimeRegistry:
    return detect_runtimes().registry


@pytest.fixture(scope="session")
def sandbox(registry: RuntimeRegistry) -> Iterator[LocalSandbox]:
    sb = LocalSandbox.open(unique_policy(), registry=registry)
    yield sb
    sb.pipeline.close(remove_cgroup_root=True)


@pytest.fixture(scope="session")
def pipeline(sandbox: LocalSandbox) -> Pipeline:
    return sandbox.pipeline


@pytest.fixture
def secret_env() -> Iterator[str]:
    """A secret in the supervisor's environment that no box may see."""
    value = f"s3cret-{uuid.uuid4().hex}"
    os.environ["BASTION_TEST_SECRET"] = value
    yield value
    del os.environ["BASTION_TEST_SECRET"]
