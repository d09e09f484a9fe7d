"""What one box is asked to do (`BoxSpec`) and what came out of it (`BoxResult`).

These are the contain pipeline's vocabulary; jobs (`bastion.sandbox.jobs`), the warm pool and
sessions build `BoxSpec`s and read `BoxResult`s. Paths are *inside* the box: the work dir is
`/box` (a size-limited tmpfs unless `workdir` binds a host directory), `/tmp` and `/dev/shm` are
size-limited tmpfs, everything else is read-only.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from bastion.sandbox.policy import StageLimits

BOX = "/box"


@dataclass(frozen=True, slots=True)
class BoxFile:
    """A file bwrap writes into the box before it starts. `path` is relative to /box or absolute
    inside the box; callers validate untrusted names first (`bastion.sandbox.files`)."""

    path: str
    data: bytes
    mode: int = 0o644


@dataclass(frozen=True, slots=True, kw_only=True)
class BoxSpec:
    """One process tree to run contained.

    argv        the command, resolved inside the box (e.g. ``("/usr/bin/python3", "main.py")``)
    env         the whole environment (bwrap starts from an empty one); PATH/HOME default sanely
    files       written into the box before the command starts
    limits      wall/cpu time, memory, processes, open files, file size, output cap
    network     share the host network (only if the policy allows it; see `Policy.allow_network`)
    ro_binds    extra host paths bound read-only at the same path (a runtime's install dir)
    workdir     a host directory bound read-write as /box instead of a fresh tmpfs (sessions)
    stdin       bytes written to the command's stdin; it is then closed unless `keep_stdin_open`
    collect     if set, the command may write bytes to the fd numbered $BASTION_COLLECT_FD
                (with bash: `>&$BASTION_COLLECT_FD`; the pipe cannot be reopened through /proc);
                they come back in `BoxResult.collected`, capped at the work dir size. Compile
                stages use it to carry their artifacts to the run stage.
    cgroup_parent  the name of a cgroup made with `Cgroups.create` under which this box's cgroup
                is made (a session's group: its limits bound all the session's boxes together)
    pass_fds    fds of the caller passed into the box at the same numbers (sessions: a kernel's
                control pipes and output pipes); the caller keeps and closes its copies
    """

    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    files: tuple[BoxFile, ...] = ()
    limits: StageLimits = field(default_factory=StageLimits)
    network: bool = False
    ro_binds: tuple[str, ...] = ()
    workdir: str | None = None
    cwd: str = BOX
    stdin: bytes = b""
    keep_stdin_open: bool = False
    collect: bool = False
    pass_fds: tuple[int, ...] = ()
    cgroup_parent: str | None = None


class KillReason(enum.StrEnum):
    """Why the supervisor killed the tree (None in `BoxResult.killed` when it ended by itself)."""

    WALL_TIME = "wall_time"
    CPU_TIME = "cpu_time"
    STDOUT = "stdout"
    STDERR = "stderr"
    REQUESTED = "requested"  # someone called Box.kill() or signal(SIGKILL/SIGTERM)
    SUPERVISOR = "supervisor"  # the pipeline itself failed mid-run


@dataclass(frozen=True, slots=True, kw_only=True)
class BoxResult:
    """Raw facts about a finished box; `bastion.sandbox.jobs` turns them into a StageResult."""

    exit_code: int | None  # None when the command died of a signal
    signal: int | None
    killed: KillReason | None
    oom_killed: bool
    stdout: bytes
    stderr: bytes
    output: str  # both streams decoded and interleaved in arrival order
    stdout_truncated: bool
    stderr_truncated: bool
    cpu_time_ms: int
    wall_time_ms: int
    memory_bytes: int
    collected: bytes = b""
    error: str | None = None  # set when the supervisor failed (status XX)
