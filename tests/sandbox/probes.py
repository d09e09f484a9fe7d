# ruff: noqa: E501  (the programs are data: kept as their authors would write them)
"""Attack programs for the isolation battery, in Python and C. Each prints a verdict line per probe
(``<name> <outcome>``) so a test can expect an exact outcome rather than "did not crash"."""

from __future__ import annotations

PY_PROBE_HELPERS = """
import ctypes, errno, os, socket, stat, sys
def probe(name, fn):
    try:
        fn()
        print(name, "ALLOWED")
    except OSError as e:
        print(name, "denied", errno.errorcode.get(e.errno, e.errno))
"""

FORK_BOMB_PY = """
import os, time
n = 0
try:
    while n < 10000:
        if os.fork() == 0:
            time.sleep(30)
            os._exit(0)
        n += 1
except OSError as e:
    print("bounded", n < 64, e.errno == 11)
"""

FORK_BOMB_C = r"""
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
int main(void) {
    for (int n = 0; n < 10000; n++) {
        pid_t p = fork();
        if (p == 0) { sleep(30); _exit(0); }
        if (p < 0) { printf("bounded %d %d\n", n < 64, errno == EAGAIN); return 0; }
    }
    return 1;
}
"""

FORK_BOMB_BASH = ":(){ :|:& };:\nwhile :; do :; done\n"

MEMORY_BOMB_PY = """
chunks = []
while True:
    chunks.append(b"x" * (16 << 20))
"""

MEMORY_BOMB_C = r"""
#include <stdlib.h>
#include <string.h>
int main(void) {
    for (;;) { char *p = malloc(16 << 20); if (!p) return 3; memset(p, 1, 16 << 20); }
}
"""

CPU_SPIN_PY = "while True:\n    pass\n"
CPU_SPIN_C = 'int main(void) { for (;;) { __asm__ volatile(""); } }\n'
SLEEP_PY = "import time\ntime.sleep(100)\n"
SLEEP_C = "#include <unistd.h>\nint main(void) { sleep(100); return 0; }\n"

DISK_BIG_PY = """
import errno
n = 0
try:
    with open("/box/big", "wb") as f:
        while True:
            f.write(b"\\1" * (1 << 20))
            f.flush()
            n += 1
except OSError as e:
    print(errno.errorcode[e.errno], n <= 64)
"""

DISK_MANY_PY = """
import errno
n = 0
try:
    while True:
        with open(f"/tmp/f{n}", "wb") as f:
            f.write(b"x" * 4096)
        n += 1
except OSError as e:
    print(errno.errorcode[e.errno], 0 < n <= 16384)
"""

DISK_BIG_C = r"""
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
int main(void) {
    static char buf[1 << 20];
    memset(buf, 1, sizeof buf);
    signal(SIGXFSZ, SIG_IGN);
    FILE *f = fopen("/box/big", "wb");
    setvbuf(f, NULL, _IONBF, 0);
    long n = 0;
    while (fwrite(buf, 1, sizeof buf, f) == sizeof buf) n++;
    printf("%s %d\n", errno == ENOSPC ? "ENOSPC" : errno == EFBIG ? "EFBIG" : "other", n <= 64);
    return 0;
}
"""

FLOOD_STDOUT_PY = "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n"
FLOOD_STDERR_PY = "import sys\nwhile True:\n    sys.stderr.write('y' * 65536)\n"
FLOOD_STDOUT_C = r"""
#include <stdio.h>
#include <string.h>
int main(void) { static char b[65536]; memset(b, 'x', sizeof b); for (;;) fwrite(b, 1, sizeof b, stdout); }
"""

NETWORK_PY = (
    PY_PROBE_HELPERS
    + """
port = int(sys.argv[1])
def tcp(host, port, family=socket.AF_INET):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(2)
    s.connect((host, port))
probe("outside-tcp", lambda: tcp("1.1.1.1", 80))
probe("metadata", lambda: tcp("169.254.169.254", 80))
probe("host-loopback", lambda: tcp("127.0.0.1", port))
probe("outside-ipv6", lambda: tcp("2606:4700:4700::1111", 80, socket.AF_INET6))
probe("udp", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("8.8.8.8", 53)))
probe("raw", lambda: socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP))
probe("netlink", lambda: socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0))
probe("vsock", lambda: socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM))
probe("packet", lambda: socket.socket(socket.AF_PACKET, socket.SOCK_RAW))
probe("dns", lambda: socket.getaddrinfo("example.com", 80))
"""
)

NETWORK_C = r"""
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
int main(void) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(80)};
    inet_pton(AF_INET, "169.254.169.254", &a.sin_addr);
    printf("metadata %s\n", connect(s, (struct sockaddr *)&a, sizeof a) == 0 ? "ALLOWED" : "denied");
    printf("netlink %s\n", socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE) >= 0 ? "ALLOWED" : "denied");
    printf("raw %s\n", socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) >= 0 ? "ALLOWED" : "denied");
    return 0;
}
"""

HOST_FILES_PY = """
import os
for p in ["/etc/shadow", "/root", "/home", "/work", "/sys", "/var", "/run", "/boot"]:
    print(p, os.path.exists(p))
leaked = False
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            leaked |= b"BASTION_TEST_SECRET" in open(f"/proc/{pid}/environ", "rb").read()
        except OSError:
            pass
print("environ-leak", leaked or "BASTION_TEST_SECRET" in os.environ)
mounts = open("/proc/self/mountinfo").read()
print("host-paths", any(x in mounts for x in ("/work", "/root", "/tmp/", "bastion", "/home")))
print("passwd-users", sorted(l.split(":")[0] for l in open("/etc/passwd")))
fs = {l.split()[4]: l.split(" - ")[1].split()[0] for l in mounts.splitlines()}
print("writable-fs", [fs[p] for p in ("/box", "/tmp", "/dev/shm")])
"""

HOST_FILES_C = r"""
#include <errno.h>
#include <stdio.h>
int main(void) {
    FILE *f = fopen("/etc/shadow", "r");
    printf("shadow %s\n", f ? "READ" : errno == ENOENT ? "absent" : "denied");
    return 0;
}
"""

READONLY_PY = (
    PY_PROBE_HELPERS
    + """
open("/box/x", "w").close()
probe("write-usr", lambda: open("/usr/bin/evil", "w"))
probe("write-etc", lambda: open("/etc/passwd", "a"))
probe("write-root", lambda: open("/evil", "w"))
probe("write-proc-sys", lambda: open("/proc/sys/kernel/hostname", "w").write("x"))
probe("mknod", lambda: os.mknod("/box/null", stat.S_IFCHR | 0o666, os.makedev(1, 3)))
probe("setuid-0", lambda: os.setuid(0))
probe("chown-root", lambda: os.chown("/box/x", 0, 0))
os.chmod("/box/x", 0o4755)
print("nosuid", all(os.statvfs(p).f_flag & os.ST_NOSUID for p in ("/box", "/tmp", "/usr", "/dev/shm")))
status = open("/proc/self/status").read()
print("no-new-privs", "NoNewPrivs:\\t1" in status)
print("caps", [l.split()[1] for l in status.splitlines() if l.startswith("CapEff")][0])
print("uid", os.getuid(), os.geteuid())
"""
)

SYSCALLS_PY = """
import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
char = ctypes.c_char(b"x")
def sc(name, nr, *args):
    ctypes.set_errno(0)
    r = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) if isinstance(a, int) else a for a in args])
    e = ctypes.get_errno()
    print(name, "ALLOWED" if r >= 0 else errno.errorcode.get(e, e))
sc("ptrace", 101, 0, 0, 0, 0)
sc("unshare-user", 272, 0x10000000)
sc("unshare-mount", 272, 0x20000)
sc("clone-newuser", 56, 0x10000000 | 17, 0, 0, 0, 0)
sc("clone3", 435, 0, 0)
sc("setns", 308, 0, 0)
sc("mount", 165, 0, 0, 0, 0, 0)
sc("fsopen", 430, 0, 0)
sc("open_tree", 428, -100, 0, 0)
sc("chroot", 161, 0)
sc("keyctl", 250, 0, -3, 0)
sc("add_key", 248, 0, 0, 0, 0, 0)
sc("bpf", 321, 0, 0, 0)
sc("perf_event_open", 298, 0, 0, -1, -1, 0)
sc("io_uring_setup", 425, 1, 0)
sc("userfaultfd", 323, 0)
sc("kexec_load", 246, 0, 0, 0, 0)
sc("init_module", 175, 0, 0, 0)
sc("process_vm_readv", 310, 1, 0, 0, 0, 0, 0)
sc("personality", 135, 0x0040000)
sc("tiocsti", 16, 0, 0x5412, ctypes.byref(char))
sc("x32-getpid", 0x40000000 | 39)
sc("getpid", 39)
"""

SYSCALLS_EXPECTED = {
    "ptrace": "EPERM",
    "unshare-user": "EPERM",
    "unshare-mount": "EPERM",
    "clone-newuser": "EPERM",
    "clone3": "ENOSYS",
    "setns": "EPERM",
    "mount": "EPERM",
    "fsopen": "EPERM",
    "open_tree": "EPERM",
    "chroot": "EPERM",
    "keyctl": "EPERM",
    "add_key": "EPERM",
    "bpf": "EPERM",
    "perf_event_open": "EPERM",
    "io_uring_setup": "EPERM",
    "userfaultfd": "EPERM",
    "kexec_load": "EPERM",
    "init_module": "EPERM",
    "process_vm_readv": "EPERM",
    "personality": "EPERM",
    "tiocsti": "EPERM",
    "x32-getpid": "ENOSYS",
    "getpid": "ALLOWED",
}

SYSCALLS_C = r"""
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <sys/ptrace.h>
#include <sched.h>
#include <unistd.h>
int main(void) {
    long r;
    /* getpid (20) through the 32-bit entry point: must not reach the kernel's x86 table. */
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "memory");
    printf("int80-getpid %s\n", r == -ENOSYS ? "ENOSYS" : r > 0 ? "ALLOWED" : "other");
    errno = 0;
    printf("ptrace %s\n", ptrace(PTRACE_TRACEME, 0, 0, 0) == 0 ? "ALLOWED" : errno == EPERM ? "EPERM" : "other");
    errno = 0;
    printf("unshare %s\n", unshare(CLONE_NEWUSER) == 0 ? "ALLOWED" : errno == EPERM ? "EPERM" : "other");
    return 0;
}
"""

PROCESSES_PY = """
import os
pids = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
uids = {open(f"/proc/{p}/status").read().split("Uid:")[1].split()[0] for p in pids if os.path.exists(f"/proc/{p}")}
print("few", len(pids) <= 4, "uids", sorted(uids))
"""

KILL_ALL_BASH = "sleep 5 &\nkill -9 -1\necho survived\n"

DAEMON_PY = """
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(60)
    os._exit(0)
time.sleep(0.1)
print("parent done")
"""

ZOMBIES_PY = """
import os, time
for _ in range(20):
    if os.fork() == 0:
        os._exit(0)
time.sleep(0.2)
z = 0
for p in os.listdir("/proc"):
    if p.isdigit():
        try:
            z += open(f"/proc/{p}/stat").read().split(")")[1].split()[0] == "Z"
        except OSError:
            pass
print("zombies", z)
"""

SIGNALS_C = r"""
#include <signal.h>
#include <stdio.h>
int main(void) {
    const int sigs[] = {SIGPIPE, SIGXFSZ, SIGINT, SIGTERM, SIGCHLD};
    const char *names[] = {"SIGPIPE", "SIGXFSZ", "SIGINT", "SIGTERM", "SIGCHLD"};
    sigset_t blocked;
    sigprocmask(SIG_BLOCK, NULL, &blocked);
    for (int i = 0; i < 5; i++) {
        struct sigaction sa;
        sigaction(sigs[i], NULL, &sa);
        printf("%s %s%s\n", names[i], sa.sa_handler == SIG_DFL ? "default" : "changed",
               sigismember(&blocked, sigs[i]) ? " blocked" : "");
    }
    return 0;
}
"""
