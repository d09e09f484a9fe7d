"""Lenient version parsing and npm ranges (`bastion.sandbox.runtimes.version`)."""

import pytest
from semantic_version import Version

from bastion.sandbox.runtimes.version import coerce_version, parse_range


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3.11.2", "3.11.2"),  # Debian python3
        ("17", "17.0.0"),  # a Java GA release prints only the feature number
        ("17.0.15", "17.0.15"),
        ("1.19.8", "1.19.8"),  # go
        ("1.21rc2", "1.21.0-rc.2"),  # go pre-release
        ("21-ea", "21.0.0-ea"),  # JDK early access
        ("3.13.0b1", "3.13.0-b.1"),  # CPython beta
        ("2.0.0-beta.1", "2.0.0-beta.1"),
        ("3.1.2p20", "3.1.2"),  # Ruby's patch level is not a pre-release
        ("5.2.15(1)-release", "5.2.15"),  # bash
        ("v20.20.2", "20.20.2"),  # node
        ("1.63.0", "1.63.0"),  # rustc
        ("5.4.4", "5.4.4"),  # lua
        ("3.40.1", "3.40.1"),  # sqlite
        ("8.2.36", "8.2.36"),
        ("1.2.3.4", "1.2.3"),  # a fourth component is dropped
        ("5", "5.0.0"),
    ],
)
def test_toolchain_versions_coerce_to_semver(raw: str, expected: str) -> None:
    assert str(coerce_version(raw)) == expected


def test_text_without_a_number_is_refused() -> None:
    with pytest.raises(ValueError, match="no version number in 'unknown'"):
        coerce_version("unknown")


@pytest.mark.parametrize(
    ("spec", "version", "matches"),
    [
        ("*", "3.11.2", True),
        ("", "3.11.2", True),
        ("3", "3.11.2", True),
        ("3.x", "3.11.2", True),
        ("3.11", "3.11.2", True),
        ("3.11.2", "3.11.2", True),
        ("3.11.1", "3.11.2", False),
        ("^3.10", "3.11.2", True),
        ("~3.10", "3.11.2", False),
        (">=1.60 <2", "1.63.0", True),
        ("2.x", "3.11.2", False),
        ("*", "1.21.0-rc.2", False),  # npm: ranges skip pre-releases unless they name one
        ("1.21.0-rc.2", "1.21.0-rc.2", True),
        ("17", "17.0.0", True),
    ],
)
def test_npm_ranges(spec: str, version: str, matches: bool) -> None:
    parsed = parse_range(spec)
    assert parsed is not None
    assert parsed.match(Version(version)) is matches


@pytest.mark.parametrize("spec", ["latest", "3.11.2.1.x", "python"])
def test_strings_that_are_not_ranges_parse_to_none(spec: str) -> None:
    assert parse_range(spec) is None
