"""The sessions of one supervisor: create with limits checked, look up by id, close all.

Ids are 128-bit random tokens (a session id is a capability to run code in that session). The
manager caps how many sessions exist at once and forgets a session the moment it closes, whether
by `close()`, its idle timer or its lifetime timer.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from pathlib import Path

from bastion.protocol.errors import ExecError, InvalidJob, SessionNotFound
from bastion.protocol.exec import SessionSpec
from bastion.sandbox.contain.cgroup import CgroupLimits, Cgroups, JobCgroup
from bastion.sandbox.contain.pipeline import Pipeline
from bastion.sandbox.policy import Policy, StageLimits
from bastion.sandbox.runtimes import RuntimeRegistry
from bastion.sandbox.sessions import workdir as workdir_
from bastion.sandbox.sessions.kernel import Spawn
from bastion.sandbox.sessions.session import LocalSession, SessionPolicy

DEFAULT_ROOT = Path("/run/bastion-sessions")


class TooManySessions(ExecError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            f"there are already {limit} open sessions, the configured maximum; close one or "
            "wait for an idle session to expire"
        )
        self.limit = limit


class SessionManager:
    """Open sessions of one supervisor.

    Either bind it at once (`SessionManager(pipeline.spawn, policy)`) or hand it to
    `LocalSandbox.open(sessions=manager)` (the default there): it is then a session factory,
    bound to that sandbox's pipeline on first use, and `sandbox.open_session(spec)` returns a
    `LocalSession`. Either way the caller keeps the manager to find sessions by id (`get`) and
    to `close_all()` at shutdown.

    With cgroups (`cgroups=`, or those of the pipeline whose `spawn` is given), each session gets
    a cgroup group holding its kernels' boxes, so the session's memory and process limits bound
    all its kernels together; without, they bound each kernel alone.
    """

    def __init__(
        self,
        spawn: Spawn | None = None,
        policy: Policy | None = None,
        *,
        cgroups: Cgroups | None = None,
        runtimes: RuntimeRegistry | None = None,
        sessions: SessionPolicy | None = None,
        root: Path | None = None,
        max_sessions: int = 64,
    ) -> None:
        self.sessions_policy = sessions or SessionPolicy()
        self._base = root or DEFAULT_ROOT
        self._max = max_sessions
        self._open: dict[str, LocalSession] = {}
        self._spawn: Spawn | None = None
        self._runtimes = runtimes
        owner = getattr(spawn, "__self__", None)
        self._pipeline = owner if isinstance(owner, Pipeline) else None
        if cgroups is None and self._pipeline is not None:
            cgroups = self._pipeline.cgroups  # a bound `Pipeline.spawn` brings its cgroups
        self._cgroups = cgroups
        if spawn is not None and policy is not None:
            self._bind(spawn, policy)

    def _bind(self, spawn: Spawn, policy: Policy) -> None:
        self._spawn = spawn
        self._policy = policy
        # One directory per supervisor (its cgroup prefix), swept at startup like its cgroups.
        self._root = self._base / policy.cgroup_prefix
        workdir_.sweep(self._root)

    async def __call__(
        self, pipeline: Pipeline, policy: Policy, registry: RuntimeRegistry, spec: SessionSpec
    ) -> LocalSession:
        """`LocalSandbox`'s session factory."""
        if self._spawn is None:
            self._bind(pipeline.spawn, policy)
            self._pipeline = pipeline
            self._cgroups = self._cgroups or pipeline.cgroups
            self._runtimes = self._runtimes or registry
        return await self.open(spec)

    def __len__(self) -> int:
        return len(self._open)

    def get(self, session_id: str) -> LocalSession:
        session = self._open.get(session_id)
        if session is None or session.closed is not None:
            raise SessionNotFound(session_id)
        return session

    async def open(self, spec: SessionSpec) -> LocalSession:
        if self._spawn is None:
            raise RuntimeError("SessionManager is not bound to a pipeline yet")
        sp = self.sessions_policy
        if len(self._open) >= self._max:
            raise TooManySessions(self._max)
        memory = _bounded(spec.memory_bytes, sp.memory_bytes, sp.max_memory_bytes, "memory_bytes")
        procs = _bounded(
            spec.max_processes, sp.max_processes, sp.max_max_processes, "max_processes"
        )
        for name, value, ceiling in (
            ("idle_timeout_s", spec.idle_timeout_s, sp.max_idle_timeout_s),
            ("max_lifetime_s", spec.max_lifetime_s, sp.max_lifetime_s),
        ):
            if not isinstance(value, int | float) or not 0 < value <= ceiling:
                raise InvalidJob(
                    f"{name} must be a number of seconds in (0, {ceiling:g}], got {value!r}",
                    field=name,
                )
        if spec.network and not self._policy.allow_network:
            raise InvalidJob(
                "network access is disabled by the operator's policy; open the session with "
                "network=false",
                field="network",
            )
        spawn = self._spawn
        session_id = secrets.token_urlsafe(16)
        # Host-visible names (mounts, cgroups are world-readable) never show the id: it is a
        # capability to run code in the session.
        host_name = f"session-{secrets.token_hex(8)}"
        if spec.workdir is not None:
            wd = workdir_.WorkDir.host(spec.workdir)
        else:
            wd = workdir_.WorkDir.tmpfs(
                self._root,
                host_name,
                size=sp.workdir_bytes,
                uid=self._policy.box_uid,
                gid=self._policy.box_gid,
            )
        group: JobCgroup | None = None
        if self._cgroups is not None:
            try:
                group = await asyncio.to_thread(
                    self._cgroups.create, host_name, CgroupLimits(memory, procs)
                )
            except BaseException:
                wd.close()
                raise
        warming = self._warm(group)
        box_limits = StageLimits(
            # The boxes live as long as the session; its timers end them.
            wall_time_ms=int(spec.max_lifetime_s * 1000) + 60_000,
            cpu_time_ms=int(spec.max_lifetime_s * 1000) * (os.cpu_count() or 1) + 60_000,
            memory_bytes=memory,
            max_processes=procs,
            max_open_files=1024,
            max_file_size_bytes=sp.workdir_bytes,
            # The pipeline's own stdout/stderr carry only bwrap's errors: the kernels write to
            # their own pipes.
            output_max_bytes=64 * 1024,
        )
        session = LocalSession(
            session_id,
            spec,
            spawn=spawn,
            workdir=wd,
            policy=sp,
            box_limits=box_limits,
            network=spec.network,
            runtimes=self._runtimes,
            group=group,
            warming=warming,
            on_close=self._forget,
        )
        self._open[session_id] = session
        return session

    def _warm(self, group: JobCgroup | None) -> asyncio.Future[None] | None:
        # The first process to enter a fresh v1 memory cgroup tree pays ~10-15 ms: let the
        # pipeline's idle uid keeper pay it, off the critical path, while the caller gets its
        # session; the first kernel start waits for it only if it is still running.
        keeper = self._pipeline.keeper if self._pipeline is not None else None
        if group is None or keeper is None:
            return None
        return asyncio.ensure_future(asyncio.to_thread(group.warm, keeper.pid))

    def _forget(self, session: LocalSession) -> None:
        self._open.pop(session.id, None)

    async def close_all(self) -> None:
        await asyncio.gather(*(s.close() for s in list(self._open.values())))


def _bounded(value: int | None, default: int, ceiling: int, name: str) -> int:
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= ceiling:
        raise InvalidJob(
            f"{name} must be a positive integer up to {ceiling}, got {value!r}", field=name
        )
    return value
