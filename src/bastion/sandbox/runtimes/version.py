"""Turn what a toolchain prints about its version into a semver `Version`, and match ranges.

Toolchains do not print strict semver: Debian's Python says ``3.11.2``, Java ``17`` on a GA release
and ``17.0.15`` later, Go ``go1.19.8`` or ``go1.21rc2``, Ruby ``3.1.2p20``, Bash
``5.2.15(1)-release``, Node ``v20.20.2``. `coerce_version` keeps the numeric core (padded to three
parts), turns a real pre-release marker (``rc2``, ``-ea``, ``beta1``) into a semver pre-release,
and drops everything else (Ruby's patch level, Bash's build number), so ranges like ``3.x`` behave
the way a user reading ``ruby --version`` expects.
"""

from __future__ import annotations

import re

# semantic-version ships no type information; this module is the only place that imports it.
from semantic_version import NpmSpec, Version  # type: ignore[import-untyped]

__all__ = ["NpmSpec", "Version", "coerce_version", "parse_range"]

_CORE = re.compile(r"v?(\d+)(?:\.(\d+))?(?:\.(\d+))?")
# A pre-release marker right after the numeric core: go1.21rc2, 21-ea, 3.13.0b1, 2.0.0-beta.1.
_PRE = re.compile(r"[-.]?(rc|alpha|beta|pre|dev|ea|a|b)\.?(\d*)", re.IGNORECASE)


def coerce_version(raw: str) -> Version:
    """Parse a toolchain's version token leniently; raise `ValueError` if it has no number."""
    text = raw.strip()
    core = _CORE.match(text)
    if core is None:
        raise ValueError(f"no version number in {raw!r}; expected something like '3.11.2'")
    major, minor, patch = (int(part) if part else 0 for part in core.groups())
    pre = _PRE.match(text, core.end())
    prerelease: tuple[str, ...] = ()
    if pre is not None:
        tag, number = pre.group(1).lower(), pre.group(2)
        prerelease = (tag, number) if number else (tag,)
    return Version(major=major, minor=minor, patch=patch, prerelease=prerelease)


def parse_range(spec: str) -> NpmSpec | None:
    """An npm-style range (``3.x``, ``^3.11``, ``>=1.60 <2``, ``*``), or None if it is not one.

    Piston treats a string that is not a range (``latest``) as "no runtime matches"; so do we.
    """
    try:
        return NpmSpec(spec.strip() or "*")
    except ValueError:
        return None
