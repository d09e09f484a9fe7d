"""scripts/sbom describes exactly the locked runtime set, not the dev tools."""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_python_sbom_lists_the_locked_runtime_packages(tmp_path: Path) -> None:
    subprocess.run([str(ROOT / "scripts" / "sbom"), str(tmp_path)], check=True, capture_output=True)
    bom = json.loads((tmp_path / "bastion-python.cdx.json").read_text())
    assert bom["bomFormat"] == "CycloneDX"
    components = {c["name"].lower(): c["version"] for c in bom["components"]}
    lock = tomllib.loads((ROOT / "uv.lock").read_text())
    locked = {p["name"]: p.get("version") for p in lock["package"]}
    for runtime_dep in ("starlette", "uvicorn", "msgspec", "pyseccomp"):
        assert components[runtime_dep] == locked[runtime_dep]
    for dev_tool in ("pytest", "mypy", "ruff", "pip-audit"):
        assert dev_tool not in components
    assert all(c.get("purl", "").startswith("pkg:pypi/") for c in bom["components"])


def test_the_frontend_sbom_lists_the_production_npm_packages(tmp_path: Path) -> None:
    subprocess.run([str(ROOT / "scripts" / "sbom"), str(tmp_path)], check=True, capture_output=True)
    bom = json.loads((tmp_path / "bastion-frontend.cdx.json").read_text())
    lock = json.loads((ROOT / "frontend" / "package-lock.json").read_text())["packages"]
    # (name, version) pairs: a package may be locked at two versions (one nested).
    production = {
        (key.rsplit("node_modules/", 1)[-1], meta["version"])
        for key, meta in lock.items()
        if key and not meta.get("dev") and "version" in meta
    }
    components = {(c["name"], c["version"]) for c in bom["components"]}
    # npm sbom leaves out a type-declarations package reached from both a dev and a production
    # package (@types/estree, via vega-expression and estree-walker); such packages hold no code
    # and never reach the bundle.
    missing = {(name, v) for name, v in production - components if not name.startswith("@types/")}
    assert missing == set()
    assert components <= production
    names = {name for name, _ in components}
    assert "react" in names
    assert "vite" not in names
