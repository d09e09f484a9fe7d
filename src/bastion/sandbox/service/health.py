"""`GET /health`: ready when a canary job really runs in the sandbox and prints OK.

The route is public (load balancers probe it without keys), so the canary result is cached for
`health_ttl_s` and concurrent probes share one in-flight run: probing cannot be used to make the
service run jobs. The canary bypasses the job queue so a busy service still reports healthy.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from bastion.protocol.errors import ExecError
from bastion.protocol.exec import File, Job, Limits
from bastion.sandbox.service.context import ExecContext
from bastion.sandbox.service.piston import resolve_runtime


@dataclass(frozen=True)
class HealthReport:
    ok: bool
    body: dict[str, Any]
    checked_at: float


class Health:
    def __init__(self, ctx: ExecContext) -> None:
        self.ctx = ctx
        self._last: HealthReport | None = None
        self._inflight: asyncio.Task[HealthReport] | None = None

    async def check(self) -> HealthReport:
        last = self._last
        if last is not None and time.monotonic() - last.checked_at < self.ctx.config.health_ttl_s:
            return last
        if self._inflight is None or self._inflight.done():
            self._inflight = asyncio.ensure_future(self._run())
        report = await asyncio.shield(self._inflight)
        self._last = report
        return report

    async def _run(self) -> HealthReport:
        cfg = self.ctx.config
        runtimes = self.ctx.runtimes()
        base: dict[str, Any] = {
            "runtimes": len(runtimes),
            "queue": {"running": self.ctx.admission.running, "queued": self.ctx.admission.queued},
        }
        rt = resolve_runtime(runtimes, cfg.canary_language, "*")
        if rt is None:
            return HealthReport(
                False,
                base
                | {
                    "status": "unavailable",
                    "message": f"canary runtime {cfg.canary_language!r} is not installed",
                },
                time.monotonic(),
            )
        job = Job(
            language=rt.language,
            version=rt.version,
            files=(File(name="canary", content=cfg.canary_code),),
            run_limits=Limits(wall_time_ms=10_000, cpu_time_ms=5_000, output_max_bytes=1024),
        )
        started = time.monotonic()
        try:
            result = await self.ctx.sandbox.run(job)
        except ExecError as e:
            return HealthReport(
                False, base | {"status": "unavailable", "message": str(e)}, time.monotonic()
            )
        took = round((time.monotonic() - started) * 1000, 1)
        ok = result.run.stdout.strip() == "OK" and result.run.status is None
        body = base | {"status": "ok" if ok else "unavailable", "canary_ms": took}
        if not ok:
            body["message"] = (
                f"canary printed {result.run.output[:200]!r} (status {result.run.status})"
            )
        return HealthReport(ok, body, time.monotonic())
