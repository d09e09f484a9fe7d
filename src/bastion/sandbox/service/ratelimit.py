"""Per-key token buckets: `rate` requests per second on average, bursts up to `burst`."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(
        self, *, max_buckets: int = 100_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._buckets: dict[str, _Bucket] = {}
        self._max = max_buckets
        self._clock = clock

    def acquire(self, key: str, rate: float, burst: int) -> float:
        """Take one token. Returns 0 when allowed, else the seconds to wait before retrying."""
        if rate <= 0:
            return 0.0
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self._max:
                self._evict(now, rate, burst)
            bucket = self._buckets[key] = _Bucket(tokens=float(burst), updated=now)
        bucket.tokens = min(float(burst), bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / rate

    def _evict(self, now: float, rate: float, burst: int) -> None:
        # Full buckets carry no state worth keeping; drop them first, then the oldest.
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.updated) * rate >= burst]
        for k in full or sorted(self._buckets, key=lambda k: self._buckets[k].updated)[:1]:
            del self._buckets[k]


def retry_after(seconds: float) -> str:
    """A Retry-After header value: whole seconds, at least 1."""
    return str(max(1, math.ceil(seconds)))
