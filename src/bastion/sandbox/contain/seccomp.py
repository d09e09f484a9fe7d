"""The seccomp filter: compiled once per supervisor, handed to bwrap by fd for every box.

A denylist over a default-allow filter (the shape of Docker's profile, plus what a code runner
needs): the kernel surface that namespaces do not cover (keyrings, bpf, perf, io_uring, modules,
kexec, the mount API, ptrace and cross-process memory access, namespace creation, terminal
injection, time setters) answers EPERM; `clone3` answers ENOSYS so libc falls back to `clone`, whose
namespace flags we can inspect; sockets other than unix/inet/inet6 answer EAFNOSUPPORT (netlink,
packet, vsock, ...). Only the native x86_64 ABI is allowed: a 32-bit `int 0x80` or an x32 call is
answered ENOSYS, so it cannot be used to slip past the rules.

`compile_filter()` returns the BPF program as bytes (libseccomp's `export_bpf`); `filter_fd()` makes
a fresh pipe holding it for one bwrap (`--seccomp FD` reads to EOF, so a shared fd would race).
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile

from bastion.protocol.errors import SandboxUnavailable

# Denied with EPERM outright.
DENIED = (
    # debugging and reading other processes
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
    # namespaces and mounts (the box's own are set up before the filter applies)
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot",
    "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr",
    "open_by_handle_at", "name_to_handle_at",
    # shared kernel objects and attack surface
    "keyctl", "add_key", "request_key", "bpf", "perf_event_open", "userfaultfd",
    "io_uring_setup", "io_uring_enter", "io_uring_register", "fanotify_init",
    "lookup_dcookie", "syslog", "acct", "quotactl", "quotactl_fd",
    # the machine itself
    "reboot", "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "swapon", "swapoff", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
    "uselib", "ustat", "sysfs", "vhangup",
    # NUMA placement (Docker denies without CAP_SYS_NICE)
    "mbind", "set_mempolicy", "migrate_pages", "move_pages",
)  # fmt: skip

CLONE_NEW_FLAGS = (
    0x00020000,  # CLONE_NEWNS
    0x02000000,  # CLONE_NEWCGROUP
    0x04000000,  # CLONE_NEWUTS
    0x08000000,  # CLONE_NEWIPC
    0x10000000,  # CLONE_NEWUSER
    0x20000000,  # CLONE_NEWPID
    0x40000000,  # CLONE_NEWNET
)
TIOCSTI = 0x5412
TIOCLINUX = 0x541C
ALLOWED_SOCKET_FAMILIES = (1, 2, 10)  # AF_UNIX, AF_INET, AF_INET6
AF_MAX = 46
PERSONALITY_DENIED_BITS = (0x0040000, 0x0400000)  # ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC


def compile_filter() -> bytes:
    """Build the filter with libseccomp (through pyseccomp) and return the raw BPF program.

    Raises `SandboxUnavailable` when libseccomp is not installed.
    """
    try:
        import pyseccomp as sc
    except (ImportError, OSError) as exc:  # ctypes raises OSError when libseccomp.so.2 is absent
        raise SandboxUnavailable(
            [f"seccomp: cannot load libseccomp ({exc}) (fix: apt-get install libseccomp2)"]
        ) from exc

    f = sc.SyscallFilter(sc.ALLOW)
    # Non-native ABIs (x86 via int 0x80, x32) never match the x86_64 rules below: refuse them all.
    f.set_attr(sc.Attr.ACT_BADARCH, sc.ERRNO(errno.ENOSYS))
    # A binary tree over syscall numbers instead of a linear list: every syscall the job makes
    # runs this program, so its depth matters more than its size.
    with contextlib.suppress(RuntimeError, ValueError, OSError):
        f.set_attr(sc.Attr.CTL_OPTIMIZE, 2)
    eperm = sc.ERRNO(errno.EPERM)
    for name in DENIED:
        try:
            f.add_rule(eperm, name)
        except (RuntimeError, ValueError):  # pragma: no cover - syscall unknown to old libseccomp
            continue
    f.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
    for flag in CLONE_NEW_FLAGS:
        f.add_rule(eperm, "clone", sc.Arg(0, sc.MASKED_EQ, flag, flag))
    for request in (TIOCSTI, TIOCLINUX):
        f.add_rule(eperm, "ioctl", sc.Arg(1, sc.MASKED_EQ, 0xFFFFFFFF, request))
    for bit in PERSONALITY_DENIED_BITS:
        f.add_rule(eperm, "personality", sc.Arg(0, sc.MASKED_EQ, bit, bit))
    eafnosupport = sc.ERRNO(errno.EAFNOSUPPORT)
    for family in range(AF_MAX):
        if family not in ALLOWED_SOCKET_FAMILIES:
            f.add_rule(eafnosupport, "socket", sc.Arg(0, sc.EQ, family))
    f.add_rule(eafnosupport, "socket", sc.Arg(0, sc.GE, AF_MAX))
    with tempfile.TemporaryFile() as out:
        f.export_bpf(out)
        out.seek(0)
        program: bytes = out.read()
    if not program or len(program) % 8:
        raise SandboxUnavailable([f"seccomp: libseccomp exported {len(program)} bytes of BPF"])
    return program


def filter_fd(program: bytes) -> int:
    """A readable fd holding `program` for one bwrap (`--seccomp FD`); the caller closes it."""
    r, w = os.pipe2(os.O_CLOEXEC)
    try:
        # The program (~2 KiB) fits the pipe buffer, so this never blocks.
        os.write(w, program)
    finally:
        os.close(w)
    return r
