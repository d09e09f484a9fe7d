"""Timers: one thread per `Timers`, started on first use, gone when idle. Fragments' `run_every`
and the runner's delayed interrupts use them.

A timer's callback returns the delay until it should fire again, or None to stop. Callbacks run on
the timer thread and must not block (they only queue a rerun request).
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger("bastion.app")


class Timers:
    def __init__(self, idle_timeout: float = 5.0, name: str = "bastion-timers") -> None:
        self._idle_timeout = idle_timeout
        self._name = name
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, Callable[[], float | None]]] = []
        self._seq = 0
        self._thread: threading.Thread | None = None

    def schedule(self, delay: float, fn: Callable[[], float | None]) -> None:
        with self._cond:
            self._seq += 1
            heapq.heappush(self._heap, (time.monotonic() + delay, self._seq, fn))
            if self._thread is None:
                thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
                self._thread = thread
                thread.start()
            self._cond.notify()

    def __len__(self) -> int:
        with self._cond:
            return len(self._heap)

    def _loop(self) -> None:
        while True:
            with self._cond:
                if not self._heap:
                    self._cond.wait(self._idle_timeout)
                    if not self._heap:
                        self._thread = None
                        return
                    continue
                due = self._heap[0][0]
                now = time.monotonic()
                if due > now:
                    self._cond.wait(due - now)
                    continue
                _, _, fn = heapq.heappop(self._heap)
            try:
                again = fn()
            except Exception:
                log.exception("timer callback failed")
                again = None
            if again is not None:
                self.schedule(again, fn)
