"""Piston's version rule, shared by the runtime registry, the exec service and its packages."""

from __future__ import annotations

import pytest

from bastion.protocol.exec import newest_in_range

VERSIONS = ["3.9.4", "3.11.2", "3.10.0", "3.12.0-rc.1", "2.7.18", "not a version"]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("*", "3.11.2"),  # prereleases only match ranges that name them, as in npm
        ("3", "3.11.2"),
        ("3.x", "3.11.2"),
        ("3.10.x", "3.10.0"),
        ("^3.9", "3.11.2"),
        ("<3.10", "3.9.4"),
        ("2", "2.7.18"),
        ("3.11.2", "3.11.2"),
        (">=3.12.0-rc.0", "3.12.0-rc.1"),
        ("4", None),
        ("latest", None),  # not a range: Piston answers "unknown runtime"
        ("", "3.11.2"),
    ],
)
def test_the_newest_version_inside_an_npm_range_wins(spec: str, expected: str | None) -> None:
    assert newest_in_range(VERSIONS, spec, lambda v: v) == expected


def test_non_semver_versions_are_coerced_and_candidates_keep_their_identity() -> None:
    runtimes = [("lua", "5.4"), ("lua-old", "5.3.6")]
    assert newest_in_range(runtimes, "5", lambda rt: rt[1]) == ("lua", "5.4")
    assert newest_in_range(runtimes, "~5.3", lambda rt: rt[1]) == ("lua-old", "5.3.6")
