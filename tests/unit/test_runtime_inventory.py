"""The toolchain inventory operators audit: runtime -> owning Debian packages and versions."""

import msgspec
from semantic_version import Version

import bastion.sandbox.runtimes as runtimes
from bastion.protocol.exec import File
from bastion.sandbox.runtimes import (
    Detection,
    RuntimeDef,
    RuntimeRegistry,
    Unavailable,
    detect_runtimes,
    inventory,
    inventory_report,
)
from bastion.sandbox.runtimes.inventory import owning_packages


def test_every_runtime_here_is_traced_to_a_debian_package() -> None:
    found = {tc.name: tc for tc in inventory(detect_runtimes().registry)}
    assert found, "no runtime detected"
    for tc in found.values():
        assert tc.packages, f"{tc.name}: no package owns {tc.files}"
        assert all(version != "?" for _, version in tc.packages), tc
    assert found["python"].packages[0][0].startswith("python3")
    assert found["bash"].packages[0][0] == "bash"  # recorded by dpkg as /bin/bash
    assert {p for p, _ in found["typescript"].packages} >= {"node-typescript"}


def test_unknown_files_are_left_out() -> None:
    assert owning_packages(["/nonexistent/bastion-file"]) == {}
    assert owning_packages([]) == {}


def test_report_lists_offered_and_missing_runtimes() -> None:
    local = RuntimeDef(
        name="toy",
        language="toy",
        version=Version("1.2.3"),
        run_template=("/opt/toy/bin/toy",),
        test=File(name="t", content="OK"),
        toolchain=("/opt/toy/bin/toy",),
    )
    missing = Unavailable(
        "cobol", "cobol", "/usr/bin/cobc not found (install Debian package gnucobol)"
    )
    lines = inventory_report(Detection(RuntimeRegistry([local]), (missing,)))
    assert lines == [
        "toy 1.2.3: not from a Debian package",
        "cobol: not available: /usr/bin/cobc not found (install Debian package gnucobol)",
    ]


def test_public_api_is_complete() -> None:
    public = {
        name
        for name, value in vars(runtimes).items()
        if not name.startswith("_") and not isinstance(value, type(runtimes))
    }
    assert set(runtimes.__all__) == public
    assert runtimes.__all__ == sorted(runtimes.__all__)
    assert msgspec  # the declarations are msgspec Structs (frozen, strict)
