"""A cgroup per box: memory, process count and CPU accounting, whole-tree kill, removal.

Two backends behind one small interface (`Cgroups.create(name, limits) -> JobCgroup`):

* `V2` (pure cgroup2 hosts): one directory with `memory.max`, `memory.swap.max=0`,
  `memory.oom.group=1`, `pids.max`; `cpu.stat`, `memory.peak`, `memory.events`; `cgroup.kill`.
* `Hybrid` (v1 controllers plus a cgroup2 mount, like this project's CI machine): v1 `memory`
  (`memory.limit_in_bytes`, `memsw` when swap accounting exists, `max_usage_in_bytes`,
  `oom_control`) and v1 `pids` for the limits, and a cgroup2 directory for what v2 does better:
  `cpu.stat` for CPU time and `cgroup.kill` for a race-free kill of the whole tree.

Job cgroups live under `<the supervisor's own cgroup>/<prefix>/` in every hierarchy, so
`sweep()` at startup can kill and remove whatever a previous supervisor left behind without
touching anyone else's. Pure v1 hosts without a cgroup2 mount are not supported (no reliable tree
kill); `detect()` reports them as missing.
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bastion.sandbox.policy import Missing


@dataclass(frozen=True, slots=True)
class CgroupLimits:
    memory_bytes: int
    max_processes: int


class JobCgroup(Protocol):
    """One box's cgroup(s). Every method is cheap (a few small file reads or writes)."""

    name: str

    def attach(self, pid: int) -> None:
        """Move `pid` (which must not have forked yet) into the cgroup."""

    def set_limits(self, limits: CgroupLimits) -> None: ...

    def warm(self, pid: int) -> None:
        """Move an idle helper `pid` in and straight back out, off the critical path.

        On the v1 memory controller the first process to enter a fresh cgroup pays a one-off
        cost that was measured at 8-16 ms on this project's CI kernel (later entries: ~0.1 ms).
        """

    def cpu_usec(self) -> int: ...

    def peak_memory(self) -> int: ...

    def oom_kills(self) -> int: ...

    def pids(self) -> list[int]: ...

    def kill(self) -> None:
        """SIGKILL every process in the cgroup, including ones that left the session/group."""

    def populated(self) -> bool: ...

    def remove(self) -> None:
        """rmdir the cgroup(s); the caller has waited until `populated()` is False."""


class Cgroups(Protocol):
    kind: str

    def create(self, name: str, limits: CgroupLimits) -> JobCgroup:
        """A new cgroup. `name` may be `<group>/<name>` under an existing one (made with
        `create` too): the group's limits then bound everything below it together."""

    def sweep(self) -> int:
        """Kill and remove every job cgroup under our prefix; return how many were found."""

    def close(self) -> None:
        """Sweep, then remove the prefix directories themselves."""

    def jobs(self) -> list[str]:
        """Names of the job cgroups that exist now under our prefix (in any hierarchy)."""


# ---------------------------------------------------------------- helpers


def _write(path: Path, value: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        os.write(fd, value.encode())
    finally:
        os.close(fd)


def _read(path: Path) -> str:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        return os.read(fd, 65536).decode()
    finally:
        os.close(fd)


def _keyed(path: Path, key: str) -> int:
    for line in _read(path).splitlines():
        k, _, v = line.partition(" ")
        if k == key:
            return int(v)
    return 0


def _rmdir_tree(path: Path) -> None:
    """rmdir `path` after its child cgroups (a session's group holds its boxes' cgroups)."""
    with contextlib.suppress(FileNotFoundError):
        for child in path.iterdir():
            if child.is_dir():
                _rmdir_tree(child)
    _rmdir(path)


def _rmdir(path: Path) -> None:
    # rmdir can briefly answer EBUSY right after the last task exits (v1 memory); retry a little.
    for _ in range(200):
        try:
            os.rmdir(path)
            return
        except FileNotFoundError:
            return
        except OSError as exc:
            if exc.errno != errno.EBUSY:
                raise
            time.sleep(0.001)
    os.rmdir(path)


def _pids(path: Path) -> list[int]:
    try:
        return [int(p) for p in _read(path / "cgroup.procs").split()]
    except FileNotFoundError:
        return []


@dataclass(frozen=True, slots=True)
class Mounts:
    """Where the hierarchies are mounted and where this process sits in each."""

    v2: Path | None  # cgroup2 mount point
    v2_own: str  # our path inside it
    v1: dict[str, tuple[Path, str]]  # controller -> (mount point, our path)

    @classmethod
    def read(cls) -> Mounts:
        v2: Path | None = None
        v1_mounts: dict[str, Path] = {}
        for line in Path("/proc/self/mountinfo").read_text().splitlines():
            left, _, right = line.partition(" - ")
            fstype, _source, options = [*right.split(" "), "", ""][:3]
            mount_point = Path(left.split(" ")[4])
            if fstype == "cgroup2":
                v2 = mount_point
            elif fstype == "cgroup":
                for opt in options.split(","):
                    if opt in ("memory", "pids", "cpu", "cpuacct", "freezer"):
                        v1_mounts[opt] = mount_point
        own_v2 = "/"
        own_v1: dict[str, str] = {}
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _hid, controllers, path = line.split(":", 2)
            if controllers == "":
                own_v2 = path
            for c in controllers.split(","):
                own_v1[c] = path
        v1 = {c: (m, own_v1.get(c, "/")) for c, m in v1_mounts.items()}
        return cls(v2=v2, v2_own=own_v2, v1=v1)


def _under(mount: Path, own: str, prefix: str) -> Path:
    return mount / own.lstrip("/") / prefix


# ---------------------------------------------------------------- hybrid: v1 limits + v2 core


class HybridCgroup:
    def __init__(
        self, name: str, memory: Path, pids: Path, unified: Path, memory_home: Path | None = None
    ) -> None:
        self.name = name
        self._memory, self._pids, self._unified = memory, pids, unified
        self._memory_home = memory_home  # where a warming helper returns to

    def warm(self, pid: int) -> None:
        if self._memory_home is None:
            return
        _write(self._memory / "cgroup.procs", str(pid))
        _write(self._memory_home / "cgroup.procs", str(pid))

    def attach(self, pid: int) -> None:
        for d in (self._memory, self._pids, self._unified):
            _write(d / "cgroup.procs", str(pid))

    def set_limits(self, limits: CgroupLimits) -> None:
        # v1 keeps memory <= memory+swap at every step: raise memsw first, lower it last.
        memory = self._memory / "memory.limit_in_bytes"
        memsw = self._memory / "memory.memsw.limit_in_bytes"
        order = [memory, memsw] if memsw.exists() else [memory]
        if memsw.exists() and limits.memory_bytes > int(_read(memsw)):
            order.reverse()
        for path in order:
            _write(path, str(limits.memory_bytes))
        _write(self._pids / "pids.max", str(limits.max_processes))

    def cpu_usec(self) -> int:
        return _keyed(self._unified / "cpu.stat", "usage_usec")

    def peak_memory(self) -> int:
        return int(_read(self._memory / "memory.max_usage_in_bytes"))

    def oom_kills(self) -> int:
        return _keyed(self._memory / "memory.oom_control", "oom_kill")

    def pids(self) -> list[int]:
        return _pids(self._unified)

    def kill(self) -> None:
        _write(self._unified / "cgroup.kill", "1")

    def populated(self) -> bool:
        return _keyed(self._unified / "cgroup.events", "populated") != 0

    def remove(self) -> None:
        for d in (self._unified, self._pids, self._memory):
            _rmdir_tree(d)


class Hybrid:
    kind = "hybrid (v1 memory+pids, cgroup2 for cpu.stat and cgroup.kill)"

    def __init__(self, mounts: Mounts, prefix: str, v2: Path) -> None:
        mem_mount, mem_own = mounts.v1["memory"]
        pids_mount, pids_own = mounts.v1["pids"]
        self._memory_home = mem_mount / mem_own.lstrip("/")
        self._roots = (
            _under(mem_mount, mem_own, prefix),
            _under(pids_mount, pids_own, prefix),
            _under(v2, mounts.v2_own, prefix),
        )
        for root in self._roots:
            root.mkdir(exist_ok=True)

    def create(self, name: str, limits: CgroupLimits) -> HybridCgroup:
        dirs = [root / name for root in self._roots]
        made: list[Path] = []
        try:
            for d in dirs:
                d.mkdir()
                made.append(d)
            memory, pids, unified = dirs
            cg = HybridCgroup(name, memory, pids, unified, memory_home=self._memory_home)
            cg.set_limits(limits)
        except BaseException:
            for d in reversed(made):
                _rmdir(d)
            raise
        return cg

    def jobs(self) -> list[str]:
        names: set[str] = set()
        for root in self._roots:
            names.update(p.name for p in root.iterdir() if p.is_dir())
        return sorted(names)

    def _existing(self) -> Iterator[HybridCgroup]:
        for name in self.jobs():
            yield HybridCgroup(name, *(root / name for root in self._roots))

    def sweep(self) -> int:
        found = 0
        for cg in self._existing():
            found += 1
            _sweep_one(cg, [self._roots[0] / cg.name, self._roots[1] / cg.name])
        return found

    def close(self) -> None:
        self.sweep()
        for root in self._roots:
            _rmdir(root)


# ---------------------------------------------------------------- pure v2


class V2Cgroup:
    def __init__(self, name: str, path: Path) -> None:
        self.name = name
        self._path = path

    def attach(self, pid: int) -> None:
        _write(self._path / "cgroup.procs", str(pid))

    def warm(self, pid: int) -> None:
        pass  # cgroup2 attaches are cheap from the start

    def set_limits(self, limits: CgroupLimits) -> None:
        _write(self._path / "memory.max", str(limits.memory_bytes))
        _write(self._path / "pids.max", str(limits.max_processes))

    def cpu_usec(self) -> int:
        return _keyed(self._path / "cpu.stat", "usage_usec")

    def peak_memory(self) -> int:
        peak = self._path / "memory.peak"  # kernel >= 5.19
        return int(_read(peak)) if peak.exists() else int(_read(self._path / "memory.current"))

    def oom_kills(self) -> int:
        return _keyed(self._path / "memory.events", "oom_kill")

    def pids(self) -> list[int]:
        return _pids(self._path)

    def kill(self) -> None:
        _write(self._path / "cgroup.kill", "1")

    def populated(self) -> bool:
        return _keyed(self._path / "cgroup.events", "populated") != 0

    def remove(self) -> None:
        _rmdir_tree(self._path)


class V2:
    kind = "cgroup v2"

    def __init__(self, mounts: Mounts, prefix: str, v2: Path) -> None:
        own = v2 / mounts.v2_own.lstrip("/")
        _delegate(own, mounts.v2_own == "/")
        self._root = own / prefix
        self._root.mkdir(exist_ok=True)
        _write(self._root / "cgroup.subtree_control", "+memory +pids")

    def create(self, name: str, limits: CgroupLimits) -> V2Cgroup:
        path = self._root / name
        if path.parent != self._root:  # nested in a group: it must hand its controllers down
            _write(path.parent / "cgroup.subtree_control", "+memory +pids")
        path.mkdir()
        cg = V2Cgroup(name, path)
        try:
            if (path / "memory.swap.max").exists():  # absent without swap accounting
                _write(path / "memory.swap.max", "0")
            _write(path / "memory.oom.group", "1")
            cg.set_limits(limits)
        except BaseException:
            _rmdir(path)
            raise
        return cg

    def sweep(self) -> int:
        found = 0
        for p in self._root.iterdir():
            if p.is_dir():
                found += 1
                _sweep_one(V2Cgroup(p.name, p), [])
        return found

    def close(self) -> None:
        self.sweep()
        _rmdir(self._root)

    def jobs(self) -> list[str]:
        return sorted(p.name for p in self._root.iterdir() if p.is_dir())


def _delegate(own: Path, is_root: bool) -> None:
    """Make memory and pids available to our children in `own` (the supervisor's cgroup).

    cgroup2's "no internal processes" rule: a non-root cgroup can hand controllers to its
    children only when it holds no process itself, so the processes of `own` (the supervisor,
    under systemd `Delegate=yes` the whole service) move to a `supervisor` leaf first.
    """
    enabled = set(_read(own / "cgroup.subtree_control").split())
    if {"memory", "pids"} <= enabled:
        return
    if not is_root:
        leaf = own / "supervisor"
        leaf.mkdir(exist_ok=True)
        for pid in _pids(own):
            with contextlib.suppress(ProcessLookupError):
                _write(leaf / "cgroup.procs", str(pid))
    _write(own / "cgroup.subtree_control", "+memory +pids")


def _sweep_one(cg: JobCgroup, v1_dirs: Sequence[Path]) -> None:
    with contextlib.suppress(FileNotFoundError):
        cg.kill()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            if not cg.populated():
                break
        except FileNotFoundError:
            break
        time.sleep(0.005)
    # A v1 directory can hold processes the v2 one lost track of only if a previous run crashed
    # between the attach calls; kill them directly before removing.
    for d in v1_dirs:
        for pid in _pids(d):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, 9)
    cg.remove()


# ---------------------------------------------------------------- detection


def detect(prefix: str) -> tuple[Cgroups | None, list[Missing]]:
    """Pick the backend this host supports (creating our prefix dirs), or say what is missing."""
    try:
        mounts = Mounts.read()
    except OSError as exc:
        return None, [Missing("cgroups", f"cannot read the cgroup mounts ({exc})", "mount /proc")]
    if mounts.v2 is None:
        return None, [
            Missing(
                "cgroups",
                "no cgroup2 hierarchy is mounted (needed for cgroup.kill and cpu.stat)",
                "boot with systemd.unified_cgroup_hierarchy=1, or mount cgroup2 at "
                "/sys/fs/cgroup/unified",
            )
        ]
    own = mounts.v2 / mounts.v2_own.lstrip("/")
    try:
        available = set(_read(own / "cgroup.controllers").split())
    except OSError:
        available = set()
    backend: Cgroups | None
    try:
        if {"memory", "pids"} <= available:
            backend = V2(mounts, prefix, mounts.v2)
        elif "memory" in mounts.v1 and "pids" in mounts.v1:
            backend = Hybrid(mounts, prefix, mounts.v2)
        else:
            backend = None
        if backend is not None:
            if not (_under(mounts.v2, mounts.v2_own, prefix) / "cgroup.kill").exists():
                return None, [Missing("cgroups", "cgroup2 has no cgroup.kill", "use Linux >= 5.14")]
            return backend, []
    except PermissionError as exc:
        return None, [
            Missing(
                "cgroups",
                f"cannot create cgroups under {exc.filename}: permission denied",
                "run the supervisor as root, or delegate a cgroup subtree to its user "
                "(systemd: Delegate=yes)",
            )
        ]
    except OSError as exc:
        return None, [Missing("cgroups", f"cannot set up cgroups ({exc})", "check cgroup mounts")]
    return None, [
        Missing(
            "cgroups",
            "neither the cgroup2 memory+pids controllers nor v1 memory and pids are available "
            f"(cgroup2 offers: {' '.join(sorted(available)) or 'nothing'})",
            "enable the memory and pids controllers (cgroup_enable=memory), or delegate them "
            "to the supervisor's cgroup (systemd: Delegate=yes)",
        )
    ]
