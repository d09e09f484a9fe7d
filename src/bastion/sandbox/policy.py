"""The operator's sandbox policy: typed, with fail-closed defaults.

A `Policy` says what every box gets (limits, identity, network) and which isolation mechanisms
are *required*. The defaults require everything: bubblewrap namespaces, a seccomp filter, a cgroup
per job and an unprivileged host identity. When the host lacks one of them, `Policy.enforce()`
raises `SandboxUnavailable` naming each missing piece and the fix, and nothing runs; an operator
who accepts weaker isolation must say so field by field (`require_cgroups=False`, ...).

Limits come in two sets per stage: the defaults a job gets when it asks for nothing, and the
maxima it may ask for (Piston answers "... cannot exceed the configured limit of N"; so do we).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

from bastion.protocol.errors import InvalidJob, SandboxUnavailable
from bastion.protocol.exec import Limits

MiB = 1024 * 1024


@dataclass(frozen=True, slots=True, kw_only=True)
class StageLimits:
    """Concrete limits of one stage (no `None`): what the contain pipeline enforces."""

    wall_time_ms: int = 3_000
    cpu_time_ms: int = 3_000
    memory_bytes: int = 512 * MiB
    max_processes: int = 64
    max_open_files: int = 256
    max_file_size_bytes: int = 64 * MiB
    output_max_bytes: int = 1 * MiB

    def merged(self, asked: Limits, maxima: StageLimits, *, prefix: str) -> StageLimits:
        """Apply a job's requested limits over these defaults, refusing any above `maxima`.

        `prefix` names the job field in errors (e.g. ``run_limits``).
        """
        values = {}
        for f in dataclasses.fields(self):
            value = getattr(asked, f.name)
            if value is None:
                continue
            ceiling = getattr(maxima, f.name)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise InvalidJob(
                    f"{prefix}.{f.name} must be a positive integer, got {value!r}",
                    field=f"{prefix}.{f.name}",
                )
            if value > ceiling:
                raise InvalidJob(
                    f"{prefix}.{f.name} cannot exceed the configured limit of {ceiling}",
                    field=f"{prefix}.{f.name}",
                )
            values[f.name] = value
        return dataclasses.replace(self, **values)


COMPILE_DEFAULTS = StageLimits(wall_time_ms=10_000, cpu_time_ms=10_000, memory_bytes=1024 * MiB)
RUN_DEFAULTS = StageLimits()
MAXIMA = StageLimits(
    wall_time_ms=60_000,
    cpu_time_ms=60_000,
    memory_bytes=4096 * MiB,
    max_processes=512,
    max_open_files=4096,
    max_file_size_bytes=1024 * MiB,
    output_max_bytes=64 * MiB,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """Everything the operator decides about boxes. Defaults are the strictest that still work."""

    # Isolation that must be present; False is an explicit, per-mechanism opt-out.
    require_cgroups: bool = True
    require_seccomp: bool = True
    require_unprivileged: bool = True  # bwrap runs as `box_uid`, never as host root

    # Network: a job's `network: true` is honoured only when this is True.
    allow_network: bool = False

    # The host identity boxes run as (must not own anything on the host) and the one inside.
    box_uid: int = 61_000
    box_gid: int = 61_000
    inner_uid: int = 1000
    inner_gid: int = 1000

    # Sizes of the in-box tmpfs mounts (charged to the job's memory cgroup as well).
    workdir_bytes: int = 64 * MiB
    tmp_bytes: int = 64 * MiB
    shm_bytes: int = 16 * MiB

    compile_defaults: StageLimits = COMPILE_DEFAULTS
    run_defaults: StageLimits = RUN_DEFAULTS
    maxima: StageLimits = MAXIMA

    # Cgroups of this supervisor live under `<own cgroup>/<cgroup_prefix>`; the startup sweep kills
    # and removes everything found there. Two supervisors on one host need two prefixes.
    cgroup_prefix: str = "bastion"
    # How often the supervisor samples a job's cgroup CPU time when it may be near its limit.
    tick_ms: int = 10

    # Host paths bound read-only into every box (besides the runtime's own).
    ro_binds: Sequence[str] = field(
        default=(
            "/usr",
            "/etc/alternatives",
            "/etc/ld.so.cache",
            "/etc/ssl",
        )
    )
    bwrap: str = "/usr/bin/bwrap"

    def enforce(self, missing: Sequence[Missing]) -> None:
        """Raise `SandboxUnavailable` if a mechanism this policy requires is missing.

        `missing` comes from `bastion.sandbox.host.probe()`; each entry says what and how to fix.
        """
        fatal = [m.describe() for m in missing if self._requires(m.mechanism)]
        if fatal:
            raise SandboxUnavailable(fatal)

    def _requires(self, mechanism: str) -> bool:
        return {
            "cgroups": self.require_cgroups,
            "seccomp": self.require_seccomp,
            "unprivileged": self.require_unprivileged,
        }.get(mechanism, True)  # bwrap and namespaces are never optional


@dataclass(frozen=True, slots=True)
class Missing:
    """One isolation mechanism the host lacks: which, why, and the fix."""

    mechanism: str  # "bwrap", "userns", "seccomp", "cgroups", "unprivileged"
    problem: str
    fix: str

    def describe(self) -> str:
        return f"{self.mechanism}: {self.problem} (fix: {self.fix})"
