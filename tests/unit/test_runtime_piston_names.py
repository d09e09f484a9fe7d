"""Our declarations rendered at Piston's package versions give Piston's metadata exactly.

The expected rows are Piston's `packages/<pkg>/<version>/metadata.json` (language, aliases, and the
providing package for multi-language packages), so clients that name languages the Piston way work.
"""

import pytest

from bastion.sandbox.runtimes import build_runtime, load_declarations
from bastion.sandbox.runtimes.version import Version

PISTON = [
    # (our declaration, Piston package version, language, aliases, runtime)
    ("python", "3.11.0", "python", ("py", "py3", "python3", "python3.11"), None),
    ("python", "3.12.0", "python", ("py", "py3", "python3", "python3.12"), None),
    (
        "javascript",
        "20.11.1",
        "javascript",
        ("node-javascript", "node-js", "javascript", "js"),
        "node",
    ),
    ("typescript", "4.2.3", "typescript", ("ts", "node-ts", "tsc"), None),
    ("bash", "5.2.0", "bash", ("sh",), None),
    ("c", "10.2.0", "c", ("gcc",), "gcc"),
    ("cpp", "10.2.0", "c++", ("cpp", "g++"), "gcc"),
    ("java", "15.0.2", "java", (), None),
    ("rust", "1.68.2", "rust", ("rs",), None),
    ("go", "1.16.2", "go", ("go", "golang"), None),
    ("ruby", "3.0.1", "ruby", ("ruby3", "rb"), None),
    ("perl", "5.36.0", "perl", ("pl",), None),
    ("php", "8.2.3", "php", (), None),
    ("lua", "5.4.4", "lua", (), None),
    ("sqlite3", "3.36.0", "sqlite3", ("sqlite", "sql"), None),
]


@pytest.mark.parametrize(("name", "version", "language", "aliases", "runtime"), PISTON)
def test_names_and_aliases_match_piston(
    name: str, version: str, language: str, aliases: tuple[str, ...], runtime: str | None
) -> None:
    decl = {d.name: d for d in load_declarations()}[name]
    listed = build_runtime(decl, Version(version)).to_protocol()
    assert (listed.language, listed.aliases, listed.runtime) == (language, aliases, runtime)


def test_every_shipped_runtime_is_checked_against_piston() -> None:
    assert {d.name for d in load_declarations()} == {row[0] for row in PISTON}
