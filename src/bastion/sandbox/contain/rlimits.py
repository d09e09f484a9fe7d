"""Resource limits: a per-process backstop under the cgroup limits, never the primary defence.

Set by util-linux `prlimit` on itself just before it execs bwrap, so bwrap and everything the job
starts inherit them (the supervisor may lack CAP_SYS_RESOURCE, which setting another uid's limits
needs, and must not use preexec_fn in a threaded process).

No RLIMIT_AS (it breaks the JVM and V8, which reserve large address ranges; memory is the cgroup's
job) and no RLIMIT_NPROC (it counts every process of the uid host-wide; `pids.max` is the process
limit).
"""

from __future__ import annotations

import math
import resource

from bastion.sandbox.policy import StageLimits


def table(limits: StageLimits) -> list[tuple[int, int, int]]:
    """(resource, soft, hard) for a stage's limits."""
    cpu_s = math.ceil(limits.cpu_time_ms / 1000) + 1  # the cgroup poll kills first; this is a net
    return [
        (resource.RLIMIT_CORE, 0, 0),
        (resource.RLIMIT_NOFILE, limits.max_open_files, limits.max_open_files),
        (resource.RLIMIT_FSIZE, limits.max_file_size_bytes, limits.max_file_size_bytes),
        (resource.RLIMIT_CPU, cpu_s, cpu_s + 1),
        (resource.RLIMIT_MEMLOCK, 64 * 1024, 64 * 1024),
        (resource.RLIMIT_MSGQUEUE, 0, 0),
    ]


NAMES = {
    resource.RLIMIT_CORE: "core",
    resource.RLIMIT_NOFILE: "nofile",
    resource.RLIMIT_FSIZE: "fsize",
    resource.RLIMIT_CPU: "cpu",
    resource.RLIMIT_MEMLOCK: "memlock",
    resource.RLIMIT_MSGQUEUE: "msgqueue",
}


def prefix(limits: StageLimits, prlimit: str = "/usr/bin/prlimit") -> list[str]:
    """The argv prefix that applies the backstop limits and execs the rest of the command."""
    return [prlimit, *(f"--{NAMES[r]}={soft}:{hard}" for r, soft, hard in table(limits)), "--"]
