"""What every handler shares: the sandbox, settings, the queue, metrics. One per app."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from starlette.types import Receive

from bastion.protocol.exec import Job, JobResult, Runtime, Sandbox
from bastion.sandbox.service.admission import Admission
from bastion.sandbox.service.config import ServiceConfig
from bastion.sandbox.service.metrics import Metrics
from bastion.sandbox.service.packages import Packages

T = TypeVar("T")
KILL_GRACE_S = 5.0


class ClientGone(Exception):
    """The client went away before its job finished; the job was cancelled (and killed)."""


@dataclass(kw_only=True)
class ExecContext:
    sandbox: Sandbox
    config: ServiceConfig
    metrics: Metrics
    packages: Packages
    admission: Admission = field(init=False)

    def __post_init__(self) -> None:
        self.admission = Admission(
            concurrency=self.config.concurrency,
            max_queued=self.config.max_queued,
            on_change=self.metrics.queue_changed,
        )

    def runtimes(self) -> Sequence[Runtime]:
        """Installed runtimes: those the sandbox provides and the operator has not removed."""
        return self.packages.installed_runtimes()

    async def run(self, job: Job, key: str) -> JobResult:
        """Queue fairly for a slot, run the job, record metrics."""
        accepted = time.monotonic()
        async with self.admission.slot(key):
            started = time.monotonic()
            result = await run_killing_on_cancel(self.sandbox, job)
            self.admission.record_duration(time.monotonic() - started)
        self.observe(result)
        self.metrics.request_seconds.labels(result.language).observe(time.monotonic() - accepted)
        return result

    def observe(self, result: JobResult) -> None:
        if result.compile is not None:
            self.metrics.stage_finished(result.language, "compile", result.compile)
            if result.run is result.compile:
                return
        self.metrics.stage_finished(result.language, "run", result.run)


async def run_killing_on_cancel(sandbox: Sandbox, job: Job) -> JobResult:
    """`Sandbox.run`, except that cancelling the caller kills the job's whole process tree
    (a plain `run` may outlive its awaiting task) and keeps the slot until it is dead."""
    running = await sandbox.start(job)
    try:
        await running.close_stdin()  # the job's stdin is all it gets, as with `run`
        return await running.wait()
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await running.signal("SIGKILL")
            await asyncio.wait_for(running.wait(), KILL_GRACE_S)
        raise


async def until_disconnect(receive: Receive, work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` but cancel it as soon as the HTTP client disconnects (after its body was read).

    Cancelling a sandbox call kills the job's process tree, so an abandoned request frees its
    slot and its CPU at once instead of running to its time limit.
    """

    async def watch() -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return

    task: asyncio.Task[T] = asyncio.ensure_future(work())
    watcher = asyncio.ensure_future(watch())
    try:
        done, _ = await asyncio.wait({task, watcher}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        task.cancel()
        watcher.cancel()
        raise
    if task in done:
        watcher.cancel()
        return task.result()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    raise ClientGone
