"""bastion.sandbox: run untrusted code contained, in any installed language.

    from bastion.sandbox import LocalSandbox, Policy

    sandbox = LocalSandbox.open(Policy())   # SandboxUnavailable if the host cannot isolate
    result = await sandbox.run(job)         # protocol.exec.Job -> protocol.exec.JobResult

Layers, outermost first: `policy` (what the operator allows), `host` (what this machine
supports), `local` + `jobs` + `pool` (jobs and stages), `contain` (the isolation pipeline: one
module per mechanism), `runtimes` (languages declared in data files).
"""

from bastion.sandbox.contain import Box as Box
from bastion.sandbox.contain import BoxFile as BoxFile
from bastion.sandbox.contain import BoxResult as BoxResult
from bastion.sandbox.contain import BoxSpec as BoxSpec
from bastion.sandbox.contain import ContainError as ContainError
from bastion.sandbox.contain import KillReason as KillReason
from bastion.sandbox.contain import Pipeline as Pipeline
from bastion.sandbox.host import Host as Host
from bastion.sandbox.local import LocalSandbox as LocalSandbox
from bastion.sandbox.local import SessionFactory as SessionFactory
from bastion.sandbox.policy import Missing as Missing
from bastion.sandbox.policy import Policy as Policy
from bastion.sandbox.policy import StageLimits as StageLimits

__all__ = [
    "Box",
    "BoxFile",
    "BoxResult",
    "BoxSpec",
    "ContainError",
    "Host",
    "KillReason",
    "LocalSandbox",
    "Missing",
    "Pipeline",
    "Policy",
    "SessionFactory",
    "StageLimits",
]
