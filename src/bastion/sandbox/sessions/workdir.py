"""A session's work dir on the host: a size-limited tmpfs of its own, or the caller's directory.

Every kernel box of a session binds this one directory read-write as its work dir, so files
written by the Python kernel are there for the shell. Without `SessionSpec.workdir` it is a fresh
tmpfs (`size=` caps the disk a session can fill; its pages are charged to the writer's memory
cgroup) mounted under `root` and owned by the box identity; closing unmounts it, and `sweep()`
unmounts whatever a dead supervisor left. With `workdir`, that host directory (and nothing else
of the host) is bound; it must exist and be writable by the box identity.

The host side only ever touches the directory through a dir fd opened here, before any
untrusted code ran (`files.py`).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import stat
from pathlib import Path

from bastion.protocol.errors import InvalidJob, SandboxUnavailable

_MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 2, 4, 8
# Host trees a session must never get read-write (kernel interfaces, sockets, the system).
_SYSTEM_DIRS = (
    "/proc", "/sys", "/dev", "/run", "/var/run", "/boot", "/etc", "/usr", "/bin", "/sbin",
    "/lib", "/lib32", "/lib64", "/libx32", "/var/lib", "/var/log", "/snap",
)  # fmt: skip
_MNT_DETACH = 2
_libc = ctypes.CDLL(None, use_errno=True)


def _mount_tmpfs(target: str, size: int, uid: int, gid: int) -> None:
    opts = f"size={size},nr_inodes=65536,mode=0700,uid={uid},gid={gid}".encode()
    rc = _libc.mount(b"tmpfs", target.encode(), b"tmpfs", _MS_NOSUID | _MS_NODEV, opts)
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err), target)


def _umount(target: str) -> None:
    if _libc.umount2(target.encode(), _MNT_DETACH) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err), target)


class WorkDir:
    """The host directory behind /box for one session, plus a dir fd for safe file access."""

    def __init__(self, path: str, fd: int, *, mounted: bool) -> None:
        self.path = path
        self.fd = fd
        self._mounted = mounted

    @classmethod
    def tmpfs(cls, root: Path, name: str, *, size: int, uid: int, gid: int) -> WorkDir:
        target = root / name
        root.mkdir(mode=0o711, parents=True, exist_ok=True)
        target.mkdir(mode=0o700)
        try:
            _mount_tmpfs(str(target), size, uid, gid)
        except OSError as exc:
            target.rmdir()
            raise SandboxUnavailable(
                [
                    f"sessions: cannot mount the session's tmpfs work dir at {target} ({exc}) "
                    "(fix: run the exec supervisor as root, or give each session a host workdir)"
                ]
            ) from exc
        try:
            fd = os.open(target, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            _umount(str(target))
            target.rmdir()
            raise
        return cls(str(target), fd, mounted=True)

    @classmethod
    def host(cls, path: str) -> WorkDir:
        """The caller's directory: its path is trusted (the caller chose it), its content is not."""
        real = os.path.realpath(path)
        try:
            fd = os.open(real, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError as exc:
            raise InvalidJob(
                f"workdir {path!r} must be an existing directory on the host ({exc.strerror})",
                field="workdir",
            ) from None
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            os.close(fd)
            raise InvalidJob(f"workdir {path!r} must be a directory", field="workdir")
        system = next((d for d in _SYSTEM_DIRS if real == d or real.startswith(d + "/")), None)
        if real == "/" or system is not None:
            os.close(fd)
            raise InvalidJob(
                f"workdir {path!r} is {real!r}, a system directory of the host"
                f"{f' (under {system})' if system else ''}; choose a project directory",
                field="workdir",
            )
        return cls(real, fd, mounted=False)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)
        if self._mounted:
            with contextlib.suppress(OSError):
                _umount(self.path)
            with contextlib.suppress(OSError):
                os.rmdir(self.path)
            self._mounted = False


def sweep(root: Path) -> int:
    """Unmount and remove the work dirs a dead supervisor left under `root`."""
    found = 0
    if not root.is_dir():
        return 0
    for entry in root.iterdir():
        found += 1
        with contextlib.suppress(OSError):
            _umount(str(entry))
        with contextlib.suppress(OSError):
            os.rmdir(entry)  # never a recursive delete: only what the unmount emptied
    return found
