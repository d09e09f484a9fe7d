#!/usr/bin/env python3
"""Fail when a locked dependency has a known vulnerability.

Checks every package pinned in `uv.lock` and the production packages of
`frontend/package-lock.json` against OSV advisory records kept in `security/advisories/`
(one JSON file of OSV records per package, plus `coverage.json` naming every package that was
checked). The check works offline, so CI gives the same answer whether or not an advisory
service is reachable; `scripts/update-deps` refreshes the records where OSV is reachable.

Fails closed:
- a locked version inside an advisory's affected ranges fails, unless the allow-list
  (`security/audit-allowlist.toml`) names that advisory for that package with a reason and an
  `until` date that has not passed;
- a locked package absent from the coverage list fails (a new dependency nobody has checked);
- an npm package with an install script not listed in `security/npm-install-scripts.toml` fails.

Usage: scripts/audit.py [--root DIR] [--uv-lock FILE] [--npm-lock FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version
from semantic_version import Version as SemVer  # type: ignore[import-untyped]


@dataclass(frozen=True)
class Locked:
    ecosystem: str  # "PyPI" or "npm", as OSV spells them
    name: str
    version: str
    dev: bool = False


@dataclass(frozen=True)
class Finding:
    package: Locked
    advisory_id: str
    aliases: tuple[str, ...]
    summary: str


def normalize(ecosystem: str, name: str) -> str:
    if ecosystem == "PyPI":
        return re.sub(r"[-_.]+", "-", name).lower()
    return name


def advisory_file(root: Path, ecosystem: str, name: str) -> Path:
    return root / ecosystem / (normalize(ecosystem, name).replace("/", "__") + ".json")


def read_uv_lock(path: Path) -> Iterator[Locked]:
    lock = tomllib.loads(path.read_text())
    for pkg in lock.get("package", []):
        source = pkg.get("source", {})
        if "editable" in source or "virtual" in source:
            continue  # the project itself
        yield Locked("PyPI", normalize("PyPI", pkg["name"]), pkg["version"])


def read_npm_lock(path: Path) -> tuple[list[Locked], list[str]]:
    """Packages of a lockfileVersion 2/3 package-lock, and those that declare install scripts."""
    lock = json.loads(path.read_text())
    if lock.get("lockfileVersion", 1) < 2:
        raise SystemExit(
            f"{path}: lockfileVersion {lock.get('lockfileVersion')} is too old; "
            "regenerate it with npm 7 or newer"
        )
    packages: list[Locked] = []
    scripted: list[str] = []
    for key, meta in lock.get("packages", {}).items():
        if not key or "version" not in meta or meta.get("link"):
            continue
        name = meta.get("name") or key.rsplit("node_modules/", 1)[-1]
        packages.append(Locked("npm", name, meta["version"], dev=bool(meta.get("dev"))))
        if meta.get("hasInstallScript"):
            scripted.append(name)
    return packages, scripted


def _parse(ecosystem: str, version: str) -> Any:
    if ecosystem == "PyPI":
        return Version(version)
    try:
        return SemVer(version)
    except ValueError:
        return SemVer.coerce(version)  # OSV's "0" and other partial versions


def in_range(ecosystem: str, version: str, events: Iterable[Mapping[str, str]]) -> bool:
    """OSV range evaluation: affected from each `introduced` until the next `fixed` (exclusive)
    or `last_affected` (inclusive). Events are evaluated in version order, as the spec says."""
    try:
        v = _parse(ecosystem, version)
    except (InvalidVersion, ValueError):
        return True  # an unparseable pin cannot be proven safe
    affected = False
    keyed: list[tuple[Any, int, str]] = []
    for event in events:
        for kind, value in event.items():
            order = {"introduced": 0, "fixed": 1, "last_affected": 1, "limit": 2}.get(kind)
            if order is None:
                continue
            point = _parse(ecosystem, "0") if value == "0" else _parse(ecosystem, value)
            keyed.append((point, order, kind))
    for point, _order, kind in sorted(keyed, key=lambda e: (e[0], e[1])):
        if kind == "introduced" and v >= point:
            affected = True
        elif (kind == "fixed" and v >= point) or (kind == "last_affected" and v > point):
            affected = False
    return affected


def is_affected(record: Mapping[str, Any], pkg: Locked) -> bool:
    for entry in record.get("affected", []):
        package = entry.get("package", {})
        if package.get("ecosystem") != pkg.ecosystem:
            continue
        if normalize(pkg.ecosystem, package.get("name", "")) != pkg.name:
            continue
        if pkg.version in entry.get("versions", []):
            return True
        for rng in entry.get("ranges", []):
            if rng.get("type") in ("ECOSYSTEM", "SEMVER") and in_range(
                pkg.ecosystem, pkg.version, rng.get("events", [])
            ):
                return True
    return False


def find_vulnerabilities(db: Path, packages: Iterable[Locked]) -> list[Finding]:
    findings: list[Finding] = []
    for pkg in packages:
        path = advisory_file(db, pkg.ecosystem, pkg.name)
        if not path.is_file():
            continue
        for record in json.loads(path.read_text()):
            if is_affected(record, pkg):
                findings.append(
                    Finding(
                        pkg,
                        record["id"],
                        tuple(record.get("aliases", [])),
                        (record.get("summary") or "").strip(),
                    )
                )
    return findings


@dataclass(frozen=True)
class Allowed:
    id: str
    package: str
    reason: str
    until: dt.date


def read_allowlist(path: Path) -> list[Allowed]:
    if not path.is_file():
        return []
    entries = []
    for i, raw in enumerate(tomllib.loads(path.read_text()).get("ignore", [])):
        missing = [k for k in ("id", "package", "reason", "until") if not raw.get(k)]
        if missing:
            raise SystemExit(
                f"{path}: ignore[{i}] lacks {', '.join(missing)}; every entry says "
                "which advisory, for which package, why it does not apply, and until when"
            )
        until = raw["until"]
        if not isinstance(until, dt.date):
            raise SystemExit(f"{path}: ignore[{i}].until must be a TOML date like 2027-01-31")
        entries.append(Allowed(raw["id"], raw["package"], raw["reason"], until))
    return entries


def record_checked(db: Path, items: list[str]) -> None:
    coverage = json.loads((db / "coverage.json").read_text())
    for item in items:
        ecosystem, _, name = item.partition(":")
        if ecosystem not in ("PyPI", "npm") or not name:
            raise SystemExit(
                f"--record-checked takes ECOSYSTEM:NAME with ECOSYSTEM PyPI or npm, not {item!r}"
            )
        name = normalize(ecosystem, name)
        path = advisory_file(db, ecosystem, name)
        if not path.exists():
            path.write_text("[]\n")
        if name not in coverage[ecosystem]:
            coverage[ecosystem] = sorted([*coverage[ecosystem], name])
        print(f"recorded {ecosystem} {name} as checked ({path})")
    (db / "coverage.json").write_text(json.dumps(coverage, indent=1) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    ap.add_argument("--uv-lock", type=Path)
    ap.add_argument("--npm-lock", type=Path)
    ap.add_argument("--db", type=Path)
    ap.add_argument("--today", type=dt.date.fromisoformat, default=dt.date.today())
    ap.add_argument(
        "--record-checked",
        nargs="+",
        metavar="ECOSYSTEM:NAME",
        help="after checking packages by hand, add them to the snapshot's coverage\n"
        "(their advisory file is created empty if it does not exist) and exit",
    )
    args = ap.parse_args(argv)
    root: Path = args.root
    db = args.db or root / "security" / "advisories"
    uv_lock = args.uv_lock or root / "uv.lock"
    npm_lock = args.npm_lock or root / "frontend" / "package-lock.json"

    if args.record_checked:
        record_checked(db, args.record_checked)
        return 0

    problems: list[str] = []
    packages = list(read_uv_lock(uv_lock))
    scripted: list[str] = []
    if npm_lock.is_file():
        npm_packages, scripted = read_npm_lock(npm_lock)
        packages += npm_packages

    coverage = json.loads((db / "coverage.json").read_text())
    covered = {eco: {normalize(eco, n) for n in coverage.get(eco, [])} for eco in ("PyPI", "npm")}
    for pkg in packages:
        if pkg.name not in covered[pkg.ecosystem] and not pkg.dev:
            problems.append(
                f"{pkg.ecosystem} {pkg.name} {pkg.version}: not in the advisory snapshot "
                f"({db / 'coverage.json'}); run scripts/update-deps where OSV is reachable, "
                "or check it by hand and add its records (or []) to the snapshot"
            )

    allow = read_allowlist(root / "security" / "audit-allowlist.toml")
    for entry in allow:
        if entry.until < args.today:
            problems.append(
                f"allow-list entry {entry.id} for {entry.package} expired on "
                f"{entry.until}: review it again, then extend or remove it"
            )
    # Allow-list names are matched loosely (PyPI's normalization) so either spelling works.
    live = {(a.id, normalize("PyPI", a.package)) for a in allow if a.until >= args.today}

    findings = find_vulnerabilities(db, packages)
    for f in findings:
        ids = {f.advisory_id, *f.aliases}
        if any((i, normalize("PyPI", f.package.name)) in live for i in ids):
            print(
                f"allowed: {f.package.ecosystem} {f.package.name} {f.package.version} "
                f"{f.advisory_id}"
            )
            continue
        label = f"{f.package.ecosystem} {f.package.name} {f.package.version}"
        if f.package.dev:
            print(f"warning (dev-only, not shipped): {label}: {f.advisory_id} {f.summary}")
            continue
        problems.append(
            f"{label}: {f.advisory_id} ({', '.join(f.aliases) or 'no aliases'}) "
            f"{f.summary}; upgrade past the fixed version (scripts/update-deps) or, if "
            "it does not apply, add it to security/audit-allowlist.toml with a reason"
        )

    allowed_scripts = set()
    scripts_file = root / "security" / "npm-install-scripts.toml"
    if scripts_file.is_file():
        allowed_scripts = {
            e["package"] for e in tomllib.loads(scripts_file.read_text()).get("allow", [])
        }
    for name in scripted:
        if name not in allowed_scripts:
            problems.append(
                f"npm {name} declares an install script; setup runs npm with "
                "--ignore-scripts, so review whether it needs it and list it in "
                f"{scripts_file.name} with the reason"
            )

    n_py = sum(p.ecosystem == "PyPI" for p in packages)
    n_npm = len(packages) - n_py
    print(
        f"audit: {n_py} Python and {n_npm} npm packages checked against the advisory snapshot "
        f"(advisories through {coverage.get('data_through', '?')}): {len(problems)} problem(s)"
    )
    for p in problems:
        print(f"  FAIL {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
