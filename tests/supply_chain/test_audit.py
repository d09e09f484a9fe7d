"""The dependency audit fails on real, planted vulnerabilities and passes on the project's locks."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "security" / "advisories"


def make_root(
    tmp_path: Path,
    uv_packages: dict[str, str],
    npm: dict[str, dict[str, object]] | None = None,
    allowlist: str = "",
) -> Path:
    """A minimal project tree: a uv.lock, maybe a package-lock, the real advisory snapshot."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    lock = ["version = 1", 'requires-python = ">=3.11"', ""]
    lock += [
        "[[package]]",
        'name = "bastion"',
        'version = "0.1.0"',
        'source = { editable = "." }',
        "",
    ]
    for name, version in uv_packages.items():
        lock += [
            "[[package]]",
            f'name = "{name}"',
            f'version = "{version}"',
            'source = { registry = "https://pypi.org/simple" }',
            "",
        ]
    (tmp_path / "uv.lock").write_text("\n".join(lock))
    if npm is not None:
        (tmp_path / "frontend").mkdir()
        packages: dict[str, object] = {"": {"name": "frontend", "version": "0.0.0"}}
        packages.update({f"node_modules/{k}": v for k, v in npm.items()})
        (tmp_path / "frontend" / "package-lock.json").write_text(
            json.dumps({"name": "frontend", "lockfileVersion": 3, "packages": packages})
        )
    shutil.copytree(SNAPSHOT, tmp_path / "security" / "advisories")
    (tmp_path / "security" / "audit-allowlist.toml").write_text(allowlist)
    return tmp_path


def run(
    audit: ModuleType, root: Path, capsys: pytest.CaptureFixture[str], today: str = "2026-11-21"
) -> tuple[int, str]:
    code = audit.main(["--root", str(root), "--today", today])
    return code, capsys.readouterr().out


def test_the_projects_own_locks_pass(audit: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(audit, ROOT, capsys, today=dt.date.today().isoformat())
    assert code == 0, out


def test_a_planted_vulnerable_python_version_fails(
    audit: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Jinja2 2.10 has published advisories (CVE-2019-10906, sandbox escape via str.format_map).
    root = make_root(tmp_path, {"jinja2": "2.10", "click": "8.1.7"})
    code, out = run(audit, root, capsys)
    assert code == 1
    assert "PyPI jinja2 2.10" in out
    assert "CVE-2019-10906" in out
    assert "click" not in out.split("problem(s)")[1]


def test_the_fixed_version_passes(
    audit: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_root(tmp_path, {"jinja2": "3.1.6"})
    code, out = run(audit, root, capsys)
    assert code == 0, out


def test_a_planted_vulnerable_npm_production_package_fails_but_dev_only_warns(
    audit: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # node-fetch 2.6.0: GHSA-w7rc-rwvf-8q5r (size limit not honoured after redirect), fixed 2.6.1.
    planted = {"node-fetch": {"version": "2.6.0"}}
    root = make_root(tmp_path, {}, npm=planted)
    code, out = run(audit, root, capsys)
    assert code == 1
    assert "npm node-fetch 2.6.0: GHSA-w7rc-rwvf-8q5r" in out

    dev_root = make_root(
        tmp_path / "dev", {}, npm={"node-fetch": {"version": "2.6.0", "dev": True}}
    )
    code, out = run(audit, dev_root, capsys)
    assert code == 0, out
    assert "warning (dev-only" in out


def add_record(root: Path, name: str, record: dict[str, object]) -> None:
    db = root / "security" / "advisories"
    (db / "PyPI" / f"{name}.json").write_text(json.dumps([record]))
    coverage = json.loads((db / "coverage.json").read_text())
    coverage["PyPI"].append(name)
    (db / "coverage.json").write_text(json.dumps(coverage))


def test_an_allow_list_entry_silences_one_advisory_until_its_date(
    audit: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entry = (
        '[[ignore]]\nid = "CVE-2099-0001"\npackage = "Demo_Pkg"\n'
        'reason = "test: the affected parser is never called"\nuntil = 2026-12-31\n'
    )
    root = make_root(tmp_path, {"demo-pkg": "1.0"}, allowlist=entry)
    add_record(
        root,
        "demo-pkg",
        {
            "id": "GHSA-test-0000-0001",
            "aliases": ["CVE-2099-0001"],
            "summary": "demo flaw",
            "affected": [
                {
                    "package": {"ecosystem": "PyPI", "name": "demo-pkg"},
                    "ranges": [
                        {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.1"}]}
                    ],
                }
            ],
        },
    )
    code, out = run(audit, root, capsys)
    assert code == 0, out
    assert "allowed: PyPI demo-pkg 1.0 GHSA-test-0000-0001" in out

    code, out = run(audit, root, capsys, today="2027-01-01")
    assert code == 1
    assert "expired on 2026-12-31" in out
    assert "GHSA-test-0000-0001" in out


def test_an_allow_list_entry_without_a_reason_is_rejected(
    audit: ModuleType, tmp_path: Path
) -> None:
    root = make_root(
        tmp_path, {}, allowlist='[[ignore]]\nid = "X"\npackage = "y"\nuntil = 2027-01-01\n'
    )
    with pytest.raises(SystemExit, match="lacks reason"):
        audit.main(["--root", str(root)])


def test_an_unreviewed_dependency_fails(
    audit: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_root(tmp_path, {"left-pad-never-checked": "1.0.0"})
    code, out = run(audit, root, capsys)
    assert code == 1
    assert "left-pad-never-checked 1.0.0: not in the advisory snapshot" in out


def test_an_unlisted_npm_install_script_fails(
    audit: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_root(tmp_path, {}, npm={"react": {"version": "19.0.0", "hasInstallScript": True}})
    code, out = run(audit, root, capsys)
    assert code == 1
    assert "npm react declares an install script" in out


@pytest.mark.parametrize(
    ("version", "events", "affected"),
    [
        ("1.0", [{"introduced": "0"}, {"fixed": "1.1"}], True),
        ("1.1", [{"introduced": "0"}, {"fixed": "1.1"}], False),
        (
            "2.5",
            [{"introduced": "0"}, {"fixed": "2.0"}, {"introduced": "3.0"}, {"fixed": "3.1"}],
            False,
        ),
        (
            "3.0.5",
            [{"introduced": "0"}, {"fixed": "2.0"}, {"introduced": "3.0"}, {"fixed": "3.1"}],
            True,
        ),
        ("1.4", [{"introduced": "1.0"}, {"last_affected": "1.4"}], True),
        ("1.4.1", [{"introduced": "1.0"}, {"last_affected": "1.4"}], False),
        ("0.9", [{"introduced": "1.0"}], False),
        ("2.0rc1", [{"introduced": "0"}, {"fixed": "2.0"}], True),
    ],
)
def test_osv_range_semantics_for_pypi(
    audit: ModuleType, version: str, events: list[dict[str, str]], affected: bool
) -> None:
    assert audit.in_range("PyPI", version, events) is affected


def test_semver_ranges_for_npm(audit: ModuleType) -> None:
    events = [{"introduced": "16.0.0"}, {"fixed": "16.4.2"}]
    assert audit.in_range("npm", "16.4.1", events)
    assert not audit.in_range("npm", "16.4.2", events)
    assert audit.in_range("npm", "16.4.2-rc.1", events)


def test_refresh_says_so_and_changes_nothing_when_osv_is_unreachable(
    refresh: ModuleType, tmp_path: Path
) -> None:
    root = make_root(tmp_path, {"jinja2": "3.1.6"})
    before = sorted(p.read_bytes() for p in (root / "security").rglob("*.json"))
    # Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    assert refresh.refresh(root, "http://127.0.0.1:9", timeout=2) == 2
    assert sorted(p.read_bytes() for p in (root / "security").rglob("*.json")) == before


def test_recording_a_hand_checked_package_covers_it(
    audit: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_root(tmp_path, {"Fresh_Dep": "1.0.0"})
    assert run(audit, root, capsys)[0] == 1
    db = root / "security" / "advisories"
    assert (
        audit.main(["--db", str(db), "--root", str(root), "--record-checked", "PyPI:Fresh_Dep"])
        == 0
    )
    assert json.loads((db / "PyPI" / "fresh-dep.json").read_text()) == []
    code, out = run(audit, root, capsys)
    assert code == 0, out
