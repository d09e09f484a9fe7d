"""Fixtures for the sandbox tests: one real contain pipeline per test session.

Its cgroups live under a prefix unique to this run, so parallel runs (and other supervisors on the
host) never see each other's jobs; the prefix is swept and removed at the end.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from bastion.sandbox.contain.pipeline import Pipeline
from bastion.sandbox.policy import Policy


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def policy() -> Policy:
    return Policy(cgroup_prefix=f"bastion-test-{uuid.uuid4().hex[:8]}")


@pytest.fixture(scope="session")
def pipeline(policy: Policy) -> Iterator[Pipeline]:
    p = Pipeline.open(policy)
    yield p
    p.close(remove_cgroup_root=True)
