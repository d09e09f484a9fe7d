"""Composition of the real parts for the interpreter: the contain pipeline with sessions.

Each `bastion chat` process gets its own cgroup prefix: the pipeline's startup sweep kills what
it finds under its prefix, so sharing one with an exec service on the same host would kill the
service's jobs. The prefix is removed again on `close()`.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Sequence

from bastion.protocol.errors import InvalidJob
from bastion.protocol.exec import Job, JobResult, RunningJob, Runtime, SandboxSession, SessionSpec
from bastion.sandbox.contain.pipeline import Pipeline
from bastion.sandbox.policy import Policy
from bastion.sandbox.sessions import SessionManager


class LocalSessions:
    """A `protocol.exec.Sandbox` that serves sessions (the interpreter's only need)."""

    def __init__(self, *, network: bool = False) -> None:
        prefix = f"bastion-chat-{os.getpid()}-{secrets.token_hex(3)}"
        # The user running `bastion chat` is the operator: --network is theirs to allow.
        self.policy = Policy(allow_network=network, cgroup_prefix=prefix)
        self.pipeline = Pipeline.open(self.policy)  # SandboxUnavailable if the host can't isolate
        self.manager = SessionManager(self.pipeline.spawn, self.policy)

    def runtimes(self) -> Sequence[Runtime]:
        return ()

    async def start(self, job: Job) -> RunningJob:
        raise InvalidJob(
            "this sandbox serves sessions only; run batch jobs through the exec service"
        )

    async def run(self, job: Job) -> JobResult:
        raise InvalidJob(
            "this sandbox serves sessions only; run batch jobs through the exec service"
        )

    async def open_session(self, spec: SessionSpec) -> SandboxSession:
        return await self.manager.open(spec)

    def close(self) -> None:
        """Remove this process's cgroups (open sessions must have been closed first)."""
        self.pipeline.close(remove_cgroup_root=True)


def local_sandbox(*, network: bool = False) -> LocalSessions:
    return LocalSessions(network=network)
