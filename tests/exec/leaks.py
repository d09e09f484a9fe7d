"""What a server may leave behind: processes, cgroups, temp files. Used by the load tests."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")


def prefix_dirs(prefix: str, max_depth: int = 6) -> list[Path]:
    """Every cgroup directory named `prefix`, in every hierarchy."""
    found: list[Path] = []
    for top, dirs, _ in os.walk(CGROUP_ROOT):
        depth = len(Path(top).relative_to(CGROUP_ROOT).parts)
        if Path(top).name == prefix:
            found.append(Path(top))
            dirs.clear()
        elif depth >= max_depth:
            dirs.clear()
    return found


def job_cgroups(prefix: str) -> list[str]:
    """Names of job cgroups under the prefix, once each (a hybrid host has one per hierarchy);
    the prefix dir itself may stay, its children may not."""
    names = {child.name for d in prefix_dirs(prefix) for child in d.iterdir() if child.is_dir()}
    return sorted(names)


def busy_cgroups(prefix: str) -> set[str]:
    """Job cgroups whose subtree holds a process: unlike the empty ones the pipeline makes ahead
    of need, these belong to something running."""
    busy: set[str] = set()
    for d in prefix_dirs(prefix):
        for child in d.iterdir():
            if not child.is_dir():
                continue
            for procs in child.rglob("cgroup.procs"):
                try:
                    if procs.read_text().split():
                        busy.add(child.name)
                        break
                except OSError:
                    continue
    return busy


def pids_in_cgroups(prefix: str) -> list[int]:
    pids: list[int] = []
    for d in prefix_dirs(prefix):
        for procs in d.rglob("cgroup.procs"):
            try:
                pids += [int(p) for p in procs.read_text().split()]
            except OSError:
                continue
    return pids


def session_members(sid: int, exclude: int | None = None) -> list[int]:
    """Processes whose session id is `sid` (the server runs in its own session)."""
    members: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == exclude:
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[3]) == sid:  # state, ppid, pgrp, session
            members.append(int(entry.name))
    return members


def settle(check: Callable[[], object], timeout_s: float = 10.0) -> object:
    """Poll until `check()` is falsy (nothing left), returning the last value."""
    deadline = time.monotonic() + timeout_s
    value = check()
    while value and time.monotonic() < deadline:
        time.sleep(0.1)
        value = check()
    return value
