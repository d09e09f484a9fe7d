"""A bounded job queue with a concurrency limit and per-key fairness.

At most `concurrency` jobs run; at most `max_queued` wait. Waiters are grouped by key (the API key,
or the client address when keys are off) and served round-robin across keys, so one client with a
hundred queued jobs delays another client's single job by at most one job per key ahead of it.
When the queue is full `QueueFull` carries a Retry-After estimate from recent job durations.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass


class QueueFull(Exception):
    def __init__(self, queued: int, retry_after_s: float) -> None:
        super().__init__(
            f"queue is full ({queued} jobs waiting); retry after {retry_after_s:.0f} s"
        )
        self.queued = queued
        self.retry_after_s = retry_after_s


@dataclass
class _Waiter:
    future: asyncio.Future[None]


class Admission:
    def __init__(
        self,
        *,
        concurrency: int,
        max_queued: int,
        on_change: Callable[[int, int], None] | None = None,
    ) -> None:
        if concurrency < 1 or max_queued < 0:
            raise ValueError("concurrency must be >= 1 and max_queued >= 0")
        self.concurrency = concurrency
        self.max_queued = max_queued
        self.running = 0
        self._queues: OrderedDict[str, deque[_Waiter]] = OrderedDict()
        self._queued = 0
        self._avg_job_s = 0.5
        self._on_change = on_change

    @property
    def queued(self) -> int:
        return self._queued

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change(self.running, self._queued)

    def retry_after(self) -> float:
        waves = (self._queued + self.running) / self.concurrency
        return max(1.0, waves * self._avg_job_s)

    def record_duration(self, seconds: float) -> None:
        self._avg_job_s = 0.8 * self._avg_job_s + 0.2 * seconds

    @contextlib.asynccontextmanager
    async def slot(self, key: str) -> AsyncIterator[None]:
        await self._acquire(key)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, key: str) -> None:
        if self.running < self.concurrency and self._queued == 0:
            self.running += 1
            self._changed()
            return
        if self._queued >= self.max_queued:
            raise QueueFull(self._queued, self.retry_after())
        waiter = _Waiter(asyncio.get_running_loop().create_future())
        self._queues.setdefault(key, deque()).append(waiter)
        self._queued += 1
        self._changed()
        try:
            await waiter.future
        except asyncio.CancelledError:
            if waiter.future.done() and not waiter.future.cancelled():
                self._release()  # granted and cancelled in the same tick: hand the slot on
            else:
                self._remove(key, waiter)
            raise

    def _remove(self, key: str, waiter: _Waiter) -> None:
        q = self._queues.get(key)
        if q is not None and waiter in q:
            q.remove(waiter)
            self._queued -= 1
            if not q:
                del self._queues[key]
            self._changed()

    def _release(self) -> None:
        self.running -= 1
        while self._queues and self.running < self.concurrency:
            key, q = next(iter(self._queues.items()))
            waiter = q.popleft()
            self._queued -= 1
            # Round-robin: the key just served goes to the back of the line.
            del self._queues[key]
            if q:
                self._queues[key] = q
            if waiter.future.done():
                continue
            self.running += 1
            waiter.future.set_result(None)
        self._changed()
