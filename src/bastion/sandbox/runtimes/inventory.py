"""What user code runs on: each runtime's toolchain files and the Debian packages that own them.

Operators audit the sandbox's toolchains like any other dependency (issue 8): ``bastion sandbox
doctor`` prints `inventory_report(detection)`. The lookup asks dpkg which package owns each resolved
toolchain file (``/usr/bin/php8.2`` -> ``php8.2-cli``), because the packages a declaration names
are often metapackages (``php-cli``, ``default-jdk-headless``) whose version says little. It runs
two dpkg commands for all runtimes, on demand, never at service start.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bastion.sandbox.runtimes.detect import Detection
from bastion.sandbox.runtimes.registry import RuntimeRegistry

_ENV = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"}


@dataclass(frozen=True, slots=True)
class Toolchain:
    name: str
    language: str
    version: str
    files: tuple[str, ...]
    packages: tuple[tuple[str, str], ...]  # (Debian package, its version), owning `files`


def inventory(registry: RuntimeRegistry) -> tuple[Toolchain, ...]:
    """The toolchain of every installed runtime with its owning packages and their versions."""
    files = sorted({path for rt in registry for path in rt.toolchain})
    owners = owning_packages(files)
    versions = package_versions(sorted(set(owners.values())))
    result = []
    for rt in registry:
        owned = dict.fromkeys(owners[f] for f in rt.toolchain if f in owners)
        result.append(
            Toolchain(
                name=rt.name,
                language=rt.language,
                version=str(rt.version),
                files=rt.toolchain,
                packages=tuple((p, versions.get(p, "?")) for p in owned),
            )
        )
    return tuple(result)


def inventory_report(detection: Detection) -> list[str]:
    """Human-readable lines: one per runtime offered, one per runtime missing with its fix."""
    lines = []
    for tc in inventory(detection.registry):
        packages = ", ".join(f"{p} {v}" for p, v in tc.packages) or "not from a Debian package"
        lines.append(f"{tc.language} {tc.version}: {packages}")
    for missing in detection.unavailable:
        lines.append(f"{missing.language}: not available: {missing.reason}")
    return lines


def owning_packages(files: Iterable[str]) -> dict[str, str]:
    """Map each file to the Debian package that installed it; unknown files are left out."""
    # Debian 12 merged /usr, but dpkg still records some files under /bin or /lib (bash).
    asked = {path: path for path in files}
    for path in list(asked):
        for merged in ("/usr/bin/", "/usr/sbin/", "/usr/lib/"):
            if path.startswith(merged):
                asked[path[len("/usr") :]] = path
    if not asked:
        return {}
    out = _dpkg(["/usr/bin/dpkg-query", "--search", *asked])
    owners: dict[str, str] = {}
    for line in out.splitlines():
        package, sep, path = line.partition(": ")
        original = asked.get(path.strip())
        if sep and original is not None and "diversion" not in package:
            # "pkg:amd64: /path" or "pkg1, pkg2: /path": the first owner, without the arch.
            owners[original] = package.split(",")[0].split(":")[0].strip()
    return owners


def package_versions(packages: Iterable[str]) -> Mapping[str, str]:
    names = list(packages)
    if not names:
        return {}
    out = _dpkg(["/usr/bin/dpkg-query", "--show", "--showformat=${Package}\t${Version}\n", *names])
    return dict(line.split("\t", 1) for line in out.splitlines() if "\t" in line)


def _dpkg(argv: list[str]) -> str:
    try:
        done = subprocess.run(  # noqa: S603 - fixed dpkg command, paths from trusted data files
            argv, capture_output=True, text=True, env=_ENV, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""  # not a Debian host, or dpkg is unusable: report without package versions
    return done.stdout
