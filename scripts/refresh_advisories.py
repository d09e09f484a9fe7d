#!/usr/bin/env python3
"""Rebuild `security/advisories/` from OSV for every package in the locks.

Asks OSV's batch query API which advisories affect any version of each locked package, fetches
the full records, keeps only what the audit needs, and rewrites one file per package plus
`coverage.json`. Needs network access to the OSV API (`--api`, default https://api.osv.dev);
where that is unreachable it says so and changes nothing, and the committed snapshot stays in force.

Usage: scripts/refresh_advisories.py [--root DIR] [--api URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from audit import Locked, advisory_file, read_npm_lock, read_uv_lock

KEEP = ("id", "aliases", "summary", "published", "modified", "affected", "references")


def _post(url: str, body: object, timeout: float) -> Any:
    req = urllib.request.Request(  # noqa: S310 - the URL is the operator's OSV endpoint
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
        return json.load(resp)


def _get(url: str, timeout: float) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310
        return json.load(resp)


def slim(record: dict[str, Any], pkg: Locked) -> dict[str, Any]:
    out = {k: record[k] for k in KEEP if k in record}
    if "summary" not in out and record.get("details"):
        out["summary"] = record["details"].split(". ")[0][:200]
    out["affected"] = [
        a
        for a in record.get("affected", [])
        if a.get("package", {}).get("ecosystem") == pkg.ecosystem
    ]
    out["references"] = record.get("references", [])[:3]
    return out


def refresh(root: Path, api: str, timeout: float = 20.0) -> int:
    packages = list(read_uv_lock(root / "uv.lock"))
    npm_lock = root / "frontend" / "package-lock.json"
    if npm_lock.is_file():
        packages += read_npm_lock(npm_lock)[0]
    unique = sorted(
        {(p.ecosystem, p.name): p for p in packages}.values(), key=lambda p: (p.ecosystem, p.name)
    )
    queries = [{"package": {"ecosystem": p.ecosystem, "name": p.name}} for p in unique]
    try:
        results = _post(f"{api}/v1/querybatch", {"queries": queries}, timeout)["results"]
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        print(
            f"refresh: OSV at {api} is unreachable ({exc}); the committed snapshot is unchanged",
            file=sys.stderr,
        )
        return 2
    db = root / "security" / "advisories"
    count = 0
    for pkg, result in zip(unique, results, strict=True):
        records = []
        for vuln in result.get("vulns", []):
            records.append(slim(_get(f"{api}/v1/vulns/{vuln['id']}", timeout), pkg))
        path = advisory_file(db, pkg.ecosystem, pkg.name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(sorted(records, key=lambda r: r["id"]), indent=1) + "\n")
        count += len(records)
    coverage = {
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d"),
        "data_through": dt.datetime.now(dt.UTC).strftime("%Y-%m"),
        "sources": {"osv": api},
        "PyPI": sorted(p.name for p in unique if p.ecosystem == "PyPI"),
        "npm": sorted(p.name for p in unique if p.ecosystem == "npm"),
    }
    (db / "coverage.json").write_text(json.dumps(coverage, indent=1) + "\n")
    print(f"refresh: {count} advisories for {len(unique)} packages written to {db}")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    ap.add_argument("--api", default="https://api.osv.dev")
    args = ap.parse_args(argv)
    return refresh(args.root, args.api.rstrip("/"))


if __name__ == "__main__":
    sys.exit(main())
