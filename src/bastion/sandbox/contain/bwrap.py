"""The bubblewrap command line: namespaces, the filesystem plan, identity and environment.

The box sees an empty tmpfs root, remounted read-only once built; read-only binds of `/usr` (with
the merged-usr symlinks) and the few host paths a runtime needs; a generated `/etc` (passwd, group,
hosts, resolv.conf, nsswitch.conf: no host secrets); fresh `/proc` and `/dev`; no `/sys`; size-
limited tmpfs for `/box` (the work dir), `/tmp` and `/dev/shm`. All namespaces are new (user, pid,
net, ipc, uts, cgroup, mount); nested user namespaces are disabled; every capability is dropped;
the process runs in a new session (no TIOCSTI on the supervisor's terminal) as an unprivileged uid
and dies with its parent. Only the environment given is set.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from bastion.sandbox.contain.spec import BOX, BoxSpec
from bastion.sandbox.policy import Policy

DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin"


def etc_files(policy: Policy) -> dict[str, bytes]:
    """The generated /etc: enough for libc and runtimes, nothing of the host's."""
    u, g = policy.inner_uid, policy.inner_gid
    files = {
        "passwd": f"root:x:0:0:root:/root:/bin/sh\nsandbox:x:{u}:{g}:sandbox:{BOX}:/bin/sh\n"
        "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
        "group": f"root:x:0:\nsandbox:x:{g}:\nnogroup:x:65534:\n",
        "hosts": "127.0.0.1 localhost box\n::1 localhost\n",
        "hostname": "box\n",
        "resolv.conf": "",
        "nsswitch.conf": "passwd: files\ngroup: files\nhosts: files dns\n",
    }
    return {f"/etc/{name}": text.encode() for name, text in files.items()}


def command(
    spec: BoxSpec,
    policy: Policy,
    *,
    info_fd: int,
    block_fd: int,
    seccomp_fd: int | None,
    file_fds: Sequence[tuple[int, str, int]],
) -> list[str]:
    """The full bwrap argv for `spec`. `file_fds` are (fd, in-box path, mode) for `--file`: the
    generated /etc files first, then the job's. Files are copied into the box's own tmpfs rather
    than bound, so no host path shows in the box's mountinfo."""
    a = [policy.bwrap, "--unshare-all", "--unshare-user", "--disable-userns"]
    if spec.network and policy.allow_network:
        a.append("--share-net")
    a += [
        "--die-with-parent",
        "--new-session",
        "--cap-drop", "ALL",
        "--uid", str(policy.inner_uid),
        "--gid", str(policy.inner_gid),
        "--hostname", "box",
        "--info-fd", str(info_fd),
        "--block-fd", str(block_fd),
    ]  # fmt: skip
    if seccomp_fd is not None:
        a += ["--seccomp", str(seccomp_fd)]
    # The filesystem, built on an empty tmpfs root.
    a += ["--tmpfs", "/"]
    for merged in ("bin", "lib", "lib32", "lib64", "libx32", "sbin"):
        if os.path.islink(f"/{merged}"):
            a += ["--symlink", f"usr/{merged}", f"/{merged}"]
    a += ["--dir", "/etc"]
    for host in (*policy.ro_binds, *spec.ro_binds):
        a += ["--ro-bind-try", host, host]
    a += ["--proc", "/proc", "--dev", "/dev"]
    # In-box paths, on fresh size-limited tmpfs mounts (not the host's /tmp).
    a += ["--size", str(policy.shm_bytes), "--tmpfs", "/dev/shm"]  # noqa: S108
    a += ["--size", str(policy.tmp_bytes), "--tmpfs", "/tmp"]  # noqa: S108
    if spec.workdir is not None:
        a += ["--bind", spec.workdir, BOX]
    else:
        a += ["--size", str(policy.workdir_bytes), "--perms", "0755", "--tmpfs", BOX]
    made: set[str] = {BOX, "/tmp", "/etc"}  # noqa: S108 - in-box paths
    for fd, path, mode in file_fds:
        target = path if path.startswith("/") else f"{BOX}/{path}"
        parent = target.rsplit("/", 1)[0]
        parents = []
        while parent and parent not in made:
            parents.append(parent)
            parent = parent.rsplit("/", 1)[0]
        for d in reversed(parents):
            a += ["--dir", d]
            made.add(d)
        a += ["--perms", f"{mode:04o}", "--file", str(fd), target]
    a += ["--remount-ro", "/"]
    # Process setup.
    a += ["--chdir", spec.cwd, "--clearenv"]
    env = {"PATH": DEFAULT_PATH, "HOME": BOX, "LANG": "C.UTF-8", **spec.env}
    for k, v in env.items():
        a += ["--setenv", k, v]
    a += ["--", *spec.argv]
    return a
