"""Package rules as units: refusals name the reason; the choice survives a restart.

The live contract test installs and uninstalls a real runtime through the real sandbox; here the
runner is a plain function so the refusal paths (no toolchain, a test that does not print OK)
can be reached on a host where every toolchain is installed.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bastion.protocol.exec import File, Job, JobResult, Runtime, StageResult
from bastion.sandbox.service.packages import PackageEntry, Packages
from bastion.sandbox.service.piston import RequestError

PY = Runtime(language="python", version="3.11.2", aliases=("py",))
GCC_C = Runtime(language="c", version="12.2.0", runtime="gcc")
GCC_CPP = Runtime(language="c++", version="12.2.0", runtime="gcc")


def _job(language: str) -> Job:
    return Job(language=language, files=(File(name="t", content="x"),))


CATALOG = [
    PackageEntry(
        name="python", version="3.11.2", runtimes=(PY,), available=True, test=_job("python")
    ),
    PackageEntry(
        name="gcc", version="12.2.0", runtimes=(GCC_C, GCC_CPP), available=True, test=_job("c")
    ),
    PackageEntry(
        name="rust", version="0.0.0", runtimes=(), available=False,
        reason="rustc not found (apt-get install rustc)",
    ),
]  # fmt: skip


def _result(stdout: str) -> JobResult:
    stage = StageResult(
        stdout=stdout, stderr="", output=stdout, code=0, signal=None, status=None, message=None,
        cpu_time_ms=1, wall_time_ms=1, memory_bytes=0,
    )  # fmt: skip
    return JobResult(language="c", version="12.2.0", compile=None, run=stage)


def make(tmp_path: Path, prints: str = "OK\n") -> Packages:
    async def runner(job: Job) -> JobResult:
        return _result(prints)

    return Packages(lambda: CATALOG, runner, tmp_path / "packages.json")


def test_listing_shape_and_multi_language_packages(tmp_path: Path) -> None:
    p = make(tmp_path)
    assert p.listing() == [
        {"language": "python", "language_version": "3.11.2", "installed": True},
        {"language": "gcc", "language_version": "12.2.0", "installed": True},
        {"language": "rust", "language_version": "0.0.0", "installed": False},
    ]
    assert [r.language for r in p.installed_runtimes()] == ["python", "c", "c++"]


def test_uninstall_hides_every_language_of_a_package_and_survives_restart(tmp_path: Path) -> None:
    p = make(tmp_path)
    assert p.uninstall({"language": "gcc", "version": "12.x"}) == {
        "language": "gcc",
        "version": "12.2.0",
    }
    assert [r.language for r in p.installed_runtimes()] == ["python"]
    assert [r.language for r in make(tmp_path).installed_runtimes()] == ["python"]
    with pytest.raises(RequestError, match=r"gcc-12\.2\.0 is not installed"):
        p.uninstall({"language": "gcc", "version": "*"})
    assert asyncio.run(p.install({"language": "gcc", "version": "*"})) == {
        "language": "gcc",
        "version": "12.2.0",
    }


def test_refusals_say_why(tmp_path: Path) -> None:
    p = make(tmp_path)
    with pytest.raises(RequestError) as info:
        asyncio.run(p.install({"language": "rust", "version": "*"}))
    assert info.value.status == 500
    assert (
        "cannot be installed on this host: rustc not found (apt-get install rustc)"
        in info.value.message
    )
    with pytest.raises(RequestError) as info:
        asyncio.run(p.install({"language": "python", "version": "*"}))
    assert (info.value.status, info.value.message) == (500, "Already installed")
    with pytest.raises(RequestError) as info:
        p.find({"language": "cobol", "version": "*"})
    assert (info.value.status, info.value.message) == (
        404,
        "Requested package cobol-* does not exist",
    )

    broken = make(tmp_path / "b", prints="nope\n")
    broken.uninstall({"language": "python", "version": "*"})
    with pytest.raises(RequestError, match="failed its test \\(expected OK on stdout"):
        asyncio.run(broken.install({"language": "python", "version": "*"}))
    assert broken.installed_runtimes() == [GCC_C, GCC_CPP]
