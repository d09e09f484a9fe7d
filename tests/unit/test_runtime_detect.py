"""Detection: version parsing from real toolchain output, fake toolchains, and this very host."""

import os
import stat
from pathlib import Path

import msgspec
import pytest

from bastion.sandbox.runtimes import detect_runtimes, load_declarations
from bastion.sandbox.runtimes.decl import RuntimeDecl, parse_declaration
from bastion.sandbox.runtimes.detect import NotInstalled, detect_one, parse_version_output

# What each toolchain really prints (captured on Debian 12 and from other releases).
SAMPLES = [
    ("python", "Python 3.11.2\n", "3.11.2"),
    ("python", "Python 3.13.0b1\n", "3.13.0-b.1"),
    ("javascript", "v20.20.2\n", "20.20.2"),
    ("javascript", "v18.19.0\n", "18.19.0"),
    ("bash", "GNU bash, version 5.2.15(1)-release (x86_64-pc-linux-gnu)\nCopyright", "5.2.15"),
    ("c", "12.2.0\n", "12.2.0"),
    ("c", "13\n", "13.0.0"),
    ("cpp", "12.2.0\n", "12.2.0"),
    (
        "java",
        "openjdk 17.0.15 2025-04-15\nOpenJDK Runtime Environment (build 17.0.15+6)",
        "17.0.15",
    ),
    ("java", "openjdk 17 2021-09-14\nOpenJDK Runtime Environment (build 17+35)", "17.0.0"),
    ("java", "openjdk 21-ea 2023-09-19\n", "21.0.0-ea"),
    ("typescript", "Version 4.8.4\n", "4.8.4"),
    ("rust", "rustc 1.63.0\n", "1.63.0"),
    ("rust", "rustc 1.75.0 (82e1608df 2023-12-21) (built from a source tarball)\n", "1.75.0"),
    ("go", "go version go1.19.8 linux/amd64\n", "1.19.8"),
    ("go", "go version go1.21rc2 linux/amd64\n", "1.21.0-rc.2"),
    ("go", "go version go1.22 linux/amd64\n", "1.22.0"),
    ("ruby", "ruby 3.1.2p20 (2022-04-12 revision 4491bb740a) [x86_64-linux-gnu]\n", "3.1.2"),
    ("perl", "v5.36.0", "5.36.0"),
    ("php", "PHP 8.2.36 (cli) (built: Nov 18 2026 20:02:04) (NTS)\nCopyright", "8.2.36"),
    ("lua", "Lua 5.4.4  Copyright (C) 1994-2022 Lua.org, PUC-Rio\n", "5.4.4"),
    (
        "sqlite3",
        "3.40.1 2022-12-28 14:03:47 df5c253c0b3dd24916e4ec7cf77d3db5294cc9fd45ae7b9c\n",
        "3.40.1",
    ),
]


@pytest.fixture(scope="module")
def builtin() -> dict[str, RuntimeDecl]:
    return {decl.name: decl for decl in load_declarations()}


@pytest.mark.parametrize(("name", "output", "expected"), SAMPLES)
def test_versions_parse_from_real_output(
    builtin: dict[str, RuntimeDecl], name: str, output: str, expected: str
) -> None:
    assert str(parse_version_output(builtin[name], output)) == expected


def test_unparseable_output_says_what_was_printed(builtin: dict[str, RuntimeDecl]) -> None:
    with pytest.raises(NotInstalled, match="printed 'command not found'"):
        parse_version_output(builtin["python"], "command not found")


def fake_toolchain(tmp_path: Path, prints: str) -> Path:
    real = tmp_path / "lib" / "toy-1.2"
    real.parent.mkdir()
    real.write_text(f"#!/bin/sh\necho '{prints}'\n")
    real.chmod(real.stat().st_mode | stat.S_IXUSR)
    link = tmp_path / "toy"
    link.symlink_to(real)
    return link


def toy_decl(toolchain: Path, extra: str = "") -> RuntimeDecl:
    text = f"""
language = "toy"
aliases = ["toy{{major}}"]
packages = ["toy-lang"]
{extra}
[version]
command = ["{toolchain}", "--version"]
pattern = '^toy (\\S+)'
[run]
argv = ["{toolchain}", "{{main}}"]
[test]
file = "t.toy"
code = "OK"
"""
    return parse_declaration(text, name="toy", source="toy.toml")


def test_a_present_toolchain_is_detected_and_its_program_resolved(tmp_path: Path) -> None:
    toolchain = fake_toolchain(tmp_path, "toy 1.2.3 (built today)")
    rt = detect_one(toy_decl(toolchain))
    assert str(rt.version) == "1.2.3"
    assert rt.aliases == ("toy1",)
    # The box gets the real file, so it needs no symlink farm such as /etc/alternatives.
    assert rt.run_template[0] == os.path.realpath(toolchain)
    assert rt.run_template[0].endswith("lib/toy-1.2")


def test_a_missing_toolchain_names_the_package(tmp_path: Path) -> None:
    with pytest.raises(NotInstalled, match=r"toy not found \(install Debian package toy-lang\)"):
        detect_one(toy_decl(tmp_path / "toy"))


def test_a_hanging_toolchain_is_given_up_on(tmp_path: Path) -> None:
    toolchain = fake_toolchain(tmp_path, "toy 1.0")
    toolchain.resolve().write_text("#!/bin/sh\nexec sleep 30\n")
    with pytest.raises(NotInstalled, match="timed out"):
        detect_one(toy_decl(toolchain), timeout_s=0.2)


def test_a_missing_host_path_makes_it_unavailable(tmp_path: Path) -> None:
    toolchain = fake_toolchain(tmp_path, "toy 1.2.3")
    decl = toy_decl(toolchain, f'host_paths = ["{tmp_path}/etc/toy-{{major}}"]')
    with pytest.raises(NotInstalled, match=r"etc/toy-1 not found"):
        detect_one(decl)
    (tmp_path / "etc" / "toy-1").mkdir(parents=True)
    assert detect_one(decl).host_paths == (f"{tmp_path}/etc/toy-1",)


def test_unavailable_runtimes_are_reported_not_offered(tmp_path: Path) -> None:
    present = toy_decl(fake_toolchain(tmp_path, "toy 2.0.1"))
    gone = msgspec.structs.replace(toy_decl(tmp_path / "missing"), name="gone")
    detection = detect_runtimes([present, gone])
    assert [str(rt.version) for rt in detection.registry] == ["2.0.1"]
    assert [(u.name, u.language) for u in detection.unavailable] == [("gone", "toy")]
    assert "install Debian package toy-lang" in detection.unavailable[0].reason


def test_every_shipped_runtime_is_detected_on_this_host() -> None:
    """scripts/setup installs every toolchain we declare, so all of them must be offered here."""
    detection = detect_runtimes()
    assert detection.unavailable == ()
    names = {rt.name for rt in detection.registry}
    assert names == {decl.name for decl in load_declarations()}
    for rt in detection.registry:
        for path in (*rt.run_template[:1], *(rt.compile_template or ())[:1], *rt.host_paths):
            if os.path.isabs(path):
                assert os.path.exists(path), f"{rt.name}: {path}"
                assert not os.path.islink(path), f"{rt.name}: {path} should be resolved"
