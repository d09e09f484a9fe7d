"""The contain pipeline: one small module per isolation mechanism, ordered in `pipeline`.

pipeline    Pipeline.open(policy) once; spawn(BoxSpec) -> Box; run(BoxSpec) -> BoxResult
spec        BoxSpec, BoxFile, BoxResult, KillReason (the vocabulary)
bwrap       namespaces, filesystem plan, generated /etc, identity, environment
seccomp     the syscall filter, compiled once, passed by fd
cgroup      a cgroup per box (v2, or v1+v2 hybrid): limits, accounting, tree kill, sweep
rlimits     the per-process backstop
supervisor  Box: pipes with byte caps, timers, CPU polling, kill, reap
"""

from bastion.sandbox.contain.pipeline import ContainError as ContainError
from bastion.sandbox.contain.pipeline import Pipeline as Pipeline
from bastion.sandbox.contain.spec import BoxFile as BoxFile
from bastion.sandbox.contain.spec import BoxResult as BoxResult
from bastion.sandbox.contain.spec import BoxSpec as BoxSpec
from bastion.sandbox.contain.spec import KillReason as KillReason
from bastion.sandbox.contain.supervisor import Box as Box

__all__ = ["Box", "BoxFile", "BoxResult", "BoxSpec", "ContainError", "KillReason", "Pipeline"]
