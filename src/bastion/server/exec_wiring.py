"""Compose the exec service: the real `LocalSandbox`, its runtime catalog, sessions and keys.

The service (`bastion.sandbox.service`) knows only the protocol; this module, in the composition
root, is the one place that knows which implementation it gets.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

from starlette.applications import Starlette

from bastion.protocol.exec import Job
from bastion.sandbox.contain.pipeline import Pipeline
from bastion.sandbox.local import LocalSandbox
from bastion.sandbox.policy import COMPILE_DEFAULTS, RUN_DEFAULTS, Policy
from bastion.sandbox.runtimes import Detection, detect_runtimes
from bastion.sandbox.service import KeyStore, PackageEntry, ServiceConfig, create_app
from bastion.sandbox.sessions import SessionManager

UNKNOWN_VERSION = "0.0.0"  # a toolchain that is not installed has no version to report


def catalog_from_detection(detection: Detection) -> list[PackageEntry]:
    """Piston packages from runtime definitions: one per providing package (gcc -> c, c++)."""
    entries: list[PackageEntry] = []
    seen: set[tuple[str, str]] = set()
    for rt in detection.registry:
        key = (rt.runtime or rt.name, str(rt.version))
        test = Job(language=rt.language, version=str(rt.version), files=(rt.test,))
        if key in seen:
            continue
        seen.add(key)
        provided = tuple(
            r.to_protocol()
            for r in detection.registry
            if (r.runtime or r.name, str(r.version)) == key
        )
        entries.append(
            PackageEntry(name=key[0], version=key[1], runtimes=provided, available=True, test=test)
        )
    for missing in detection.unavailable:
        if any(e.name == missing.name for e in entries):
            continue
        entries.append(
            PackageEntry(
                name=missing.name,
                version=UNKNOWN_VERSION,
                runtimes=(),
                available=False,
                reason=missing.reason,
            )
        )
    return entries


def build_app(
    config: ServiceConfig,
    state_dir: Path,
    keys: KeyStore | None,
    *,
    cgroup_prefix: str = "bastion-exec",
    pool_languages: Sequence[str] = ("python", "javascript"),
) -> Starlette:
    """The service app; the sandbox opens (probing the host, sweeping leftovers of a previous
    run under `cgroup_prefix`, detecting runtimes) when the app starts, and closes with it."""
    detection = detect_runtimes()
    entries = catalog_from_detection(detection)
    # Piston's output cap is the boxes' default, so plain jobs match the warm pool's boxes.
    cap = config.limits.output_max_size
    policy = Policy(
        cgroup_prefix=cgroup_prefix,
        compile_defaults=dataclasses.replace(COMPILE_DEFAULTS, output_max_bytes=cap),
        run_defaults=dataclasses.replace(RUN_DEFAULTS, output_max_bytes=cap),
    )
    pipeline = Pipeline.open(policy)  # probes the host (fail closed), sweeps our old cgroups
    # Bound now, not at the first session: it sweeps work dirs a killed predecessor left.
    sessions = SessionManager(
        pipeline.spawn, policy, runtimes=detection.registry, max_sessions=config.max_sessions
    )
    sandbox = LocalSandbox(pipeline, detection.registry, sessions=sessions)
    app = create_app(sandbox, config, keys=keys, catalog=lambda: entries, state_dir=state_dir)
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(app_: Starlette) -> AsyncIterator[None]:
        await sandbox.start_pool(list(pool_languages))
        try:
            async with inner(app_):
                yield
        finally:
            await sandbox.aclose()  # kills running jobs, sessions and warm boxes

    app.router.lifespan_context = lifespan
    return app
