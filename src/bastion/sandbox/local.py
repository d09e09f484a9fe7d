"""`LocalSandbox`: `protocol.exec.Sandbox` on this host, over the contain pipeline.

    sandbox = LocalSandbox.open(Policy())        # probes the host; SandboxUnavailable if it can't
    await sandbox.start_pool(["python"])         # optional: warm boxes for interpreted runtimes
    result = await sandbox.run(job)              # JobResult
    running = await sandbox.start(job)           # RunningJob: events(), stdin, signal(), wait()
    await sandbox.aclose()

Sessions are built by `bastion.sandbox.sessions`: by default a `SessionManager` (kept as
`sandbox.sessions`, to find a session by id and to close them all with the sandbox); another
factory can be passed as `sessions=` (a callable taking this sandbox's `Pipeline`, `Policy`,
runtime registry and a `SessionSpec`, returning an awaitable `SandboxSession`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from bastion.protocol.exec import Job, JobResult, Runtime, SandboxSession, SessionSpec, StageName
from bastion.sandbox.contain.pipeline import Pipeline
from bastion.sandbox.contain.spec import BoxSpec
from bastion.sandbox.contain.supervisor import Box, OutputCallback
from bastion.sandbox.jobs import LocalRunningJob, stage_limits
from bastion.sandbox.policy import Policy
from bastion.sandbox.pool import WarmPool, packet
from bastion.sandbox.runtimes import RuntimeDef, RuntimeRegistry, detect_runtimes
from bastion.sandbox.sessions import SessionManager

SessionFactory = Callable[
    [Pipeline, Policy, RuntimeRegistry, SessionSpec], Awaitable[SandboxSession]
]


class LocalSandbox:
    """Runs jobs in boxes on this host. Create with `LocalSandbox.open()`; close with `aclose()`."""

    def __init__(
        self,
        pipeline: Pipeline,
        registry: RuntimeRegistry,
        *,
        sessions: SessionFactory | None = None,
        pool_size: int = 2,
    ) -> None:
        self.pipeline = pipeline
        self.policy = pipeline.policy
        self.registry = registry
        self.sessions: SessionFactory = sessions if sessions is not None else SessionManager()
        self._pool = WarmPool(pipeline, size=pool_size)
        self._jobs: set[LocalRunningJob] = set()

    @classmethod
    def open(
        cls,
        policy: Policy | None = None,
        *,
        registry: RuntimeRegistry | None = None,
        sessions: SessionFactory | None = None,
        pool_size: int = 2,
    ) -> LocalSandbox:
        """Probe the host (fail closed), sweep leftovers, detect the installed runtimes."""
        pipeline = Pipeline.open(policy)
        if registry is None:
            registry = detect_runtimes().registry
        return cls(pipeline, registry, sessions=sessions, pool_size=pool_size)

    # ------------------------------------------------------------ protocol.exec.Sandbox

    def runtimes(self) -> Sequence[Runtime]:
        return self.registry.listing()

    async def start(self, job: Job) -> LocalRunningJob:
        """Start `job`; its stdin stays open for `write_stdin` until `close_stdin`."""
        return self._start(job, keep_stdin_open=True)

    async def run(self, job: Job) -> JobResult:
        """Run `job` to the end with `job.stdin` as its whole input.

        Cancelling the caller (a client that went away) kills the job's process tree.
        """
        running = self._start(job, keep_stdin_open=False, stream_events=False)
        try:
            return await running.wait()
        except asyncio.CancelledError:
            running.kill()
            raise

    async def open_session(self, spec: SessionSpec) -> SandboxSession:
        return await self.sessions(self.pipeline, self.policy, self.registry, spec)

    # ------------------------------------------------------------ more

    @property
    def pool(self) -> WarmPool:
        return self._pool

    async def start_pool(self, languages: Sequence[str] = ("python", "javascript")) -> list[str]:
        """Keep warm boxes for these languages' newest runtimes; returns the ones pooled."""
        pooled = []
        for language in languages:
            try:
                rt = self.registry.resolve(language)
            except Exception:  # noqa: S112 - a language not installed here is simply not pooled
                continue
            limits = stage_limits(self.policy, rt, Job(language=language, files=()), "run")
            if self._pool.enable(rt, limits):
                pooled.append(rt.language)
        return pooled

    async def aclose(self, *, remove_cgroup_root: bool = False) -> None:
        """Kill running jobs, sessions and warm boxes; optionally remove our cgroup prefix too."""
        if isinstance(self.sessions, SessionManager):
            await self.sessions.close_all()
        for job in list(self._jobs):
            await job.aclose()
        await self._pool.aclose()
        self.pipeline.close(remove_cgroup_root=remove_cgroup_root)

    def _start(
        self, job: Job, *, keep_stdin_open: bool, stream_events: bool = True
    ) -> LocalRunningJob:
        rt = self.registry.resolve(job.language, job.version)
        running = LocalRunningJob(
            job,
            rt,
            self.policy,
            self._spawn,
            keep_stdin_open=keep_stdin_open,
            stream_events=stream_events,
        )
        self._jobs.add(running)
        running.add_done_callback(lambda: self._jobs.discard(running))
        return running

    async def _spawn(
        self, spec: BoxSpec, rt: RuntimeDef, stage: StageName, on_output: OutputCallback
    ) -> Box:
        if stage == "run" and not spec.network:
            box = await self._pool.take(rt, spec.limits)
            if box is not None:
                box.set_output_callback(on_output)
                box.activate(spec.limits)
                await box.write_stdin(packet(spec.files, spec.argv[1:]))
                return box
        return await self.pipeline.spawn(spec, on_output)
