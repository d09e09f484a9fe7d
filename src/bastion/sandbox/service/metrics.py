"""Prometheus metrics, one registry per app (never prometheus_client's global one), so two apps in
one process (tests, replicas) never share or clash on counters."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from bastion.protocol.exec import StageResult, Status

CONTENT_TYPE = CONTENT_TYPE_LATEST

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.queue_depth = Gauge("bastion_exec_queue_depth", "Jobs waiting for a slot", registry=r)
        self.running = Gauge("bastion_exec_running_jobs", "Jobs holding a slot", registry=r)
        self.stage_seconds = Histogram(
            "bastion_exec_stage_duration_seconds",
            "Wall time of each stage, by language and stage",
            ["language", "stage"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.request_seconds = Histogram(
            "bastion_exec_job_latency_seconds",
            "From request accepted to result sent (queueing included), by language",
            ["language"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.stages = Counter(
            "bastion_exec_stages_total",
            "Finished stages by language, stage and Piston status (ok = clean exit)",
            ["language", "stage", "status"],
            registry=r,
        )
        self.oom = Counter(
            "bastion_exec_oom_kills_total", "Stages killed by the memory limit", ["language"],
            registry=r,
        )  # fmt: skip
        self.timeouts = Counter(
            "bastion_exec_timeouts_total", "Stages killed by a time limit", ["language"], registry=r
        )
        self.rejected = Counter(
            "bastion_exec_rejected_total",
            "Requests refused before running: unauthorized, rate_limited, queue_full, invalid",
            ["reason"],
            registry=r,
        )
        self.sessions = Gauge("bastion_exec_sessions", "Open sandbox sessions", registry=r)

    def queue_changed(self, running: int, queued: int) -> None:
        self.running.set(running)
        self.queue_depth.set(queued)

    def stage_finished(self, language: str, stage: str, result: StageResult) -> None:
        self.stage_seconds.labels(language, stage).observe(result.wall_time_ms / 1000)
        status = "ok" if result.status is None else str(result.status)
        self.stages.labels(language, stage, status).inc()
        if result.oom_killed:
            self.oom.labels(language).inc()
        if result.status == Status.TIMEOUT:
            self.timeouts.labels(language).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
