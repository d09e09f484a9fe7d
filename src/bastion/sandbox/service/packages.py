"""Piston's package endpoints over the runtimes this host can provide.

Piston downloads tarballs from a package index. Bastion's runtimes are definitions over toolchains
already on the host, so here a "package" is a runtime definition: installing one enables it, after
checking its toolchain is present and its `test` program prints `OK` in the sandbox (Piston's own
CI convention); uninstalling disables it. The set of disabled packages is kept in a small JSON file
so it survives restarts. Shapes and messages are Piston's: `{language, language_version, installed}`
rows, 404 `Requested package X-Y does not exist`, 500 `{message}` when an install is refused.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bastion.protocol.exec import Job, JobResult, Runtime, newest_in_range
from bastion.sandbox.service.piston import RequestError


@dataclass(frozen=True, kw_only=True)
class PackageEntry:
    """One runtime definition as a package: `name` is Piston's package name (`gcc`, `python`)."""

    name: str
    version: str
    runtimes: tuple[Runtime, ...]  # the languages it provides, empty when unavailable
    available: bool  # its toolchain is on this host
    reason: str | None = None  # why it is unavailable
    test: Job | None = None  # a program that prints OK when the runtime works


Catalog = Callable[[], Sequence[PackageEntry]]
Runner = Callable[[Job], Awaitable[JobResult]]


def catalog_from_runtimes(runtimes: Callable[[], Sequence[Runtime]]) -> Catalog:
    """The catalog a bare `Sandbox` implies: each provided runtime is an available package."""

    def catalog() -> Sequence[PackageEntry]:
        groups: dict[tuple[str, str], list[Runtime]] = {}
        for rt in runtimes():
            groups.setdefault((rt.runtime or rt.language, rt.version), []).append(rt)
        return [
            PackageEntry(name=n, version=v, runtimes=tuple(rts), available=True)
            for (n, v), rts in groups.items()
        ]

    return catalog


class Packages:
    def __init__(self, catalog: Catalog, run: Runner, state_file: Path | None = None) -> None:
        self._catalog = catalog
        self._run = run
        self._state_file = state_file
        self._disabled: set[tuple[str, str]] = set()
        if state_file is not None and state_file.exists():
            data = json.loads(state_file.read_text())
            self._disabled = {(d[0], d[1]) for d in data.get("disabled", [])}

    def _installed(self, entry: PackageEntry) -> bool:
        return entry.available and (entry.name, entry.version) not in self._disabled

    def installed_runtimes(self) -> list[Runtime]:
        return [rt for e in self._catalog() if self._installed(e) for rt in e.runtimes]

    def listing(self) -> list[dict[str, object]]:
        return [
            {"language": e.name, "language_version": e.version, "installed": self._installed(e)}
            for e in self._catalog()
        ]

    def find(self, body: object) -> PackageEntry:
        if not isinstance(body, dict):
            raise RequestError("the request body must be a JSON object {language, version}")
        name, version = body.get("language"), body.get("version")
        if not isinstance(name, str) or not name:
            raise RequestError("language is required as a string")
        if not isinstance(version, str) or not version:
            raise RequestError("version is required as a string")
        named = (e for e in self._catalog() if e.name == name)
        best = newest_in_range(named, version, lambda e: e.version)
        if best is None:
            raise RequestError(f"Requested package {name}-{version} does not exist", status=404)
        return best

    async def install(self, body: object) -> dict[str, str]:
        entry = self.find(body)
        if self._installed(entry):
            raise RequestError("Already installed", status=500)
        if not entry.available:
            raise RequestError(
                f"{entry.name}-{entry.version} cannot be installed on this host: {entry.reason}",
                status=500,
            )
        if entry.test is None:
            raise RequestError(f"{entry.name}-{entry.version} has no test program", status=500)
        result = await self._run(entry.test)
        if "OK" not in result.run.stdout:
            raise RequestError(
                f"{entry.name}-{entry.version} failed its test (expected OK on stdout, got "
                f"{result.run.output[:200]!r}, status {result.run.status})",
                status=500,
            )
        self._disabled.discard((entry.name, entry.version))
        self._save()
        return {"language": entry.name, "version": entry.version}

    def uninstall(self, body: object) -> dict[str, str]:
        entry = self.find(body)
        if not self._installed(entry):
            raise RequestError(f"{entry.name}-{entry.version} is not installed", status=500)
        self._disabled.add((entry.name, entry.version))
        self._save()
        return {"language": entry.name, "version": entry.version}

    def _save(self) -> None:
        if self._state_file is None:
            return
        self._state_file.parent.mkdir(parents=True, exist_ok=True)
        data = json.dumps({"disabled": sorted(self._disabled)})
        fd, tmp = tempfile.mkstemp(dir=self._state_file.parent, prefix=".packages-")
        with os.fdopen(fd, "w") as f:
            f.write(data)
        os.replace(tmp, self._state_file)
