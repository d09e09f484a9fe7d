"""File access into a session's work dir that never follows a link the box planted.

Every path is resolved by the kernel with `openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV)` from a directory fd opened when the session was created,
before any untrusted code ran. A symlink anywhere on the path, a `..`, or a mount crossing fails
in the kernel, atomically, so a race with code renaming things in the box cannot redirect us to a
host file (the Judge0 CVE-2024-28185 class). Names are checked first so the caller gets a clear
`InvalidJob` for `..`, absolute paths, NUL and over-long names. Reads refuse anything but a regular
file (a FIFO would block us; a device would be worse) and anything over the size cap.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import stat
import struct

from bastion.protocol.errors import InvalidJob

_SYS_OPENAT2 = 437  # the same number on every architecture (new syscalls are unified)
_RESOLVE_NO_XDEV, _RESOLVE_NO_MAGICLINKS, _RESOLVE_NO_SYMLINKS, _RESOLVE_BENEATH = 1, 2, 4, 8
_RESOLVE = _RESOLVE_BENEATH | _RESOLVE_NO_SYMLINKS | _RESOLVE_NO_MAGICLINKS | _RESOLVE_NO_XDEV
_libc = ctypes.CDLL(None, use_errno=True)

MAX_PATH_BYTES = 1024
MAX_NAME_BYTES = 255
MAX_LIST_ENTRIES = 10_000


def check_path(path: str, *, field: str = "path", allow_root: bool = False) -> str:
    """Return `path` normalised ("a//b/./c" -> "a/b/c"), or raise InvalidJob naming the problem."""
    if not isinstance(path, str):
        raise InvalidJob(f"{field} must be a string, got {type(path).__name__}", field=field)
    if "\x00" in path:
        raise InvalidJob(f"{field} must not contain a NUL byte", field=field)
    if path.startswith("/"):
        raise InvalidJob(
            f"{field} must be relative to the work dir, got the absolute path {path!r}",
            field=field,
        )
    if len(path.encode()) > MAX_PATH_BYTES:
        raise InvalidJob(f"{field} is longer than {MAX_PATH_BYTES} bytes", field=field)
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise InvalidJob(f"{field} must not contain '..', got {path!r}", field=field)
    if any(len(p.encode()) > MAX_NAME_BYTES for p in parts):
        raise InvalidJob(f"{field} has a name longer than {MAX_NAME_BYTES} bytes", field=field)
    if not parts and not allow_root:
        raise InvalidJob(f"{field} must name a file, got {path!r}", field=field)
    return "/".join(parts) or "."


def _openat2(dir_fd: int, path: str, flags: int, mode: int = 0) -> int:
    how = struct.pack("QQQ", flags | os.O_CLOEXEC, mode, _RESOLVE)
    fd = _libc.syscall(
        ctypes.c_long(_SYS_OPENAT2),
        ctypes.c_int(dir_fd),
        ctypes.c_char_p(path.encode()),
        ctypes.c_char_p(how),
        ctypes.c_size_t(len(how)),
    )
    if fd < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err), path)
    return int(fd)


def _refuse(exc: OSError, path: str, field: str) -> InvalidJob:
    if exc.errno in (errno.ELOOP, errno.EXDEV):
        return InvalidJob(
            f"{field} {path!r} is, or passes through, a symbolic link or mount point; "
            "links in the work dir are never followed",
            field=field,
        )
    if exc.errno == errno.ENOENT:
        return InvalidJob(f"{field} {path!r} does not exist in the session's work dir", field=field)
    if exc.errno == errno.ENOTDIR:
        return InvalidJob(f"{field} {path!r}: a parent is not a directory", field=field)
    if exc.errno == errno.EISDIR:
        return InvalidJob(f"{field} {path!r} is a directory, not a file", field=field)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return InvalidJob(f"the session's work dir is full; cannot write {path!r}", field=field)
    return InvalidJob(f"{field} {path!r}: {exc.strerror}", field=field)


def write_file(root_fd: int, path: str, data: bytes, *, field: str = "path") -> None:
    rel = check_path(path, field=field)
    parent = rel.rpartition("/")[0]
    owner = os.fstat(root_fd)
    try:
        if parent:
            _makedirs(root_fd, parent, owner)
        fd = _openat2(
            root_fd,
            rel,
            os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_NONBLOCK,
            0o644,
        )
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise OSError(errno.EISDIR, "not a regular file", rel)
            _give_to(fd, owner)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
    except OSError as exc:
        raise _refuse(exc, path, field) from None


def _give_to(fd: int, owner: os.stat_result) -> None:
    """What the caller puts in the work dir belongs to whoever owns the work dir (the box's user
    for a session tmpfs), so the session's code can change it. Done on the open fd: nothing is
    looked up by name, so a link planted meanwhile cannot redirect it."""
    # An unprivileged supervisor cannot chown, but then it already owns what it creates.
    with contextlib.suppress(PermissionError):
        os.fchown(fd, owner.st_uid, owner.st_gid)


def _makedirs(root_fd: int, rel: str, owner: os.stat_result) -> None:
    done = ""
    for part in rel.split("/"):
        done = f"{done}/{part}" if done else part
        try:
            fd = _openat2(root_fd, done, os.O_RDONLY | os.O_DIRECTORY)
        except FileNotFoundError:
            parent_fd = _openat2(
                root_fd, done.rpartition("/")[0] or ".", os.O_RDONLY | os.O_DIRECTORY
            )
            created = False
            try:
                os.mkdir(part, 0o755, dir_fd=parent_fd)
                created = True
            except FileExistsError:
                pass
            finally:
                os.close(parent_fd)
            fd = _openat2(root_fd, done, os.O_RDONLY | os.O_DIRECTORY)
            if created:
                _give_to(fd, owner)
        os.close(fd)


def read_file(root_fd: int, path: str, max_bytes: int, *, field: str = "path") -> bytes:
    rel = check_path(path, field=field)
    try:
        fd = _openat2(root_fd, rel, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise _refuse(exc, path, field) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InvalidJob(f"{field} {path!r} is not a regular file", field=field)
        if st.st_size > max_bytes:
            raise InvalidJob(
                f"{field} {path!r} is {st.st_size} bytes, over the {max_bytes} byte download limit",
                field=field,
            )
        chunks: list[bytes] = []
        total = 0
        while chunk := os.read(fd, 1 << 20):
            total += len(chunk)
            if total > max_bytes:  # grew while we read
                raise InvalidJob(
                    f"{field} {path!r} is over the {max_bytes} byte limit", field=field
                )
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def list_dir(root_fd: int, path: str = ".", *, field: str = "path") -> list[str]:
    """Entries of one directory, relative to the work dir; directories end with '/'."""
    rel = check_path(path, field=field, allow_root=True)
    try:
        fd = _openat2(root_fd, rel, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError as exc:
        raise _refuse(exc, path, field) from None
    prefix = "" if rel == "." else rel + "/"
    names: list[str] = []
    try:
        with os.scandir(fd) as it:
            for entry in it:
                if len(names) >= MAX_LIST_ENTRIES:
                    break
                suffix = "/" if entry.is_dir(follow_symlinks=False) else ""
                names.append(prefix + entry.name + suffix)
    finally:
        os.close(fd)
    return sorted(names)
