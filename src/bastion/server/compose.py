"""Composition of the real parts for the interpreter: the local sandbox and its sessions.

Each `bastion chat` process gets its own cgroup prefix: the pipeline's startup sweep kills what
it finds under its prefix, so sharing one with an exec service on the same host would kill the
service's jobs. The prefix is removed again by `close_sandbox()`.
"""

from __future__ import annotations

import asyncio
import os
import secrets

from bastion.protocol.exec import Sandbox
from bastion.sandbox import LocalSandbox
from bastion.sandbox.policy import Policy
from bastion.sandbox.runtimes import RuntimeRegistry


def local_sandbox(*, network: bool = False) -> LocalSandbox:
    """The sandbox `bastion chat` runs code in (raises `SandboxUnavailable` if the host can't)."""
    prefix = f"bastion-chat-{os.getpid()}-{secrets.token_hex(3)}"
    # The user running `bastion chat` is the operator: --network is theirs to allow.
    policy = Policy(allow_network=network, cgroup_prefix=prefix)
    # The interpreter's languages all have session kernels: no batch runtimes to detect (~0.6 s),
    # no warm pool of batch boxes.
    return LocalSandbox.open(policy, registry=RuntimeRegistry(), pool_size=0)


def close_sandbox(sandbox: Sandbox) -> None:
    """Kill what is left (sessions, boxes) and remove this process's cgroups."""
    if isinstance(sandbox, LocalSandbox):
        asyncio.run(sandbox.aclose(remove_cgroup_root=True))
