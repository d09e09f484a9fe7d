"""Find which declared runtimes are installed on this host, and at which version (the I/O adapter).

Call `detect_runtimes()` once at service start (never at import): for each declaration it checks
that every path the runtime names exists, runs its version command (a host toolchain binary named
by a trusted data file, with a clean environment and a timeout), parses the version, and resolves
each command's program through its symlinks (``/usr/bin/java`` -> ``/etc/alternatives/java`` ->
``/usr/lib/jvm/.../bin/java``) so the box needs nothing from ``/etc/alternatives``. Runtimes whose
toolchain is missing are reported, with the fix, in `Detection.unavailable` and never offered.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from bastion.sandbox.runtimes.decl import RuntimeDecl, load_declarations
from bastion.sandbox.runtimes.registry import RuntimeRegistry
from bastion.sandbox.runtimes.runtime import RuntimeDef, build_runtime, fill_version
from bastion.sandbox.runtimes.version import Version, coerce_version

_VERSION_ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
_TEMPLATE = re.compile(r"(?<!\$)\{\w+\}")


class NotInstalled(Exception):
    """A declared runtime cannot be offered on this host; the message says why and the fix."""


@dataclass(frozen=True, slots=True)
class Unavailable:
    name: str
    language: str
    reason: str


@dataclass(frozen=True, slots=True)
class Detection:
    registry: RuntimeRegistry
    unavailable: tuple[Unavailable, ...]


def detect_runtimes(
    decls: Sequence[RuntimeDecl] | None = None, *, timeout_s: float = 15.0
) -> Detection:
    """Detect every declaration (default: the built-in ones) in parallel."""
    todo = load_declarations() if decls is None else tuple(decls)
    found: list[RuntimeDef] = []
    missing: list[Unavailable] = []
    with ThreadPoolExecutor(max_workers=max(1, min(8, len(todo)))) as pool:
        outcomes = pool.map(lambda d: _try_detect(d, timeout_s), todo)
        for decl, outcome in zip(todo, outcomes, strict=True):
            if isinstance(outcome, RuntimeDef):
                found.append(outcome)
            else:
                missing.append(Unavailable(decl.name, decl.language, outcome))
    return Detection(RuntimeRegistry(found), tuple(missing))


def _try_detect(decl: RuntimeDecl, timeout_s: float) -> RuntimeDef | str:
    try:
        return detect_one(decl, timeout_s=timeout_s)
    except NotInstalled as exc:
        return str(exc)


def detect_one(decl: RuntimeDecl, *, timeout_s: float = 15.0) -> RuntimeDef:
    """The installed runtime `decl` describes; raises `NotInstalled` saying why and how to fix."""
    command = decl.version.command
    _require([a for a in command if os.path.isabs(a) and not _TEMPLATE.search(a)], decl)
    try:
        done = subprocess.run(  # noqa: S603 - a trusted toolchain path from a shipped data file
            command,
            capture_output=True,
            text=True,
            errors="replace",
            env=_VERSION_ENV,
            timeout=timeout_s,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise NotInstalled(f"{' '.join(command)} failed: {exc}") from None
    version = parse_version_output(decl, done.stdout + "\n" + done.stderr)
    draft = build_runtime(decl, version)
    _require(_paths_named(decl, draft), decl)
    binaries = {path: os.path.realpath(path) for path in draft.toolchain}
    for template in (draft.compile_template, draft.run_template):
        if template and os.path.isabs(template[0]):
            binaries[template[0]] = os.path.realpath(template[0])
    return build_runtime(decl, version, binaries)


def parse_version_output(decl: RuntimeDecl, output: str) -> Version:
    """The version in what `decl`'s version command printed; raises `NotInstalled` if none."""
    match = re.search(decl.version.pattern, output, re.MULTILINE)
    if match is None:
        excerpt = output.strip()[:200] or "nothing"
        raise NotInstalled(
            f"{' '.join(decl.version.command)} printed {excerpt!r}, "
            f"which does not match version.pattern {decl.version.pattern!r}"
        )
    try:
        return coerce_version(match.group(1))
    except ValueError as exc:
        raise NotInstalled(str(exc)) from None


def _paths_named(decl: RuntimeDecl, draft: RuntimeDef) -> list[str]:
    """Every absolute path the runtime relies on: programs, literal path arguments, declared."""
    argvs = [draft.run_template, draft.compile_template or ()]
    named = [a for argv in argvs for a in argv if os.path.isabs(a) and not _TEMPLATE.search(a)]
    required = [fill_version(path, draft.version) for path in decl.requires]
    return [*named, *draft.host_paths, *required]


def _require(paths: Sequence[str], decl: RuntimeDecl) -> None:
    absent = [p for p in dict.fromkeys(paths) if not os.path.exists(p)]
    if absent:
        fix = (
            f"install Debian package {', '.join(decl.packages)}" if decl.packages else "install it"
        )
        raise NotInstalled(f"{', '.join(absent)} not found ({fix})")
