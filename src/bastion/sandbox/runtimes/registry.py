"""The installed runtimes and Piston's resolution rule: name or alias, npm range, newest wins."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from bastion.protocol.errors import UnknownRuntime
from bastion.protocol.exec import Runtime, newest_in_range
from bastion.sandbox.runtimes.runtime import RuntimeDef


class RuntimeRegistry:
    """An immutable set of `RuntimeDef`s, listed and resolved the way Piston does."""

    def __init__(self, runtimes: Iterable[RuntimeDef] = ()) -> None:
        # Listing order: by language, newest version first (Piston lists in install order).
        ordered = sorted(runtimes, key=lambda rt: rt.version, reverse=True)
        self._runtimes = tuple(sorted(ordered, key=lambda rt: rt.language))
        names = [rt.name for rt in self._runtimes]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"runtime names must be unique; repeated: {', '.join(duplicates)}")

    def __iter__(self) -> Iterator[RuntimeDef]:
        return iter(self._runtimes)

    def __len__(self) -> int:
        return len(self._runtimes)

    def __repr__(self) -> str:
        listed = ", ".join(f"{rt.language}-{rt.version}" for rt in self._runtimes)
        return f"RuntimeRegistry([{listed}])"

    def resolve(self, language: str, version: str = "*") -> RuntimeDef:
        """The newest runtime answering to `language` whose version is in the npm range `version`.

        Matching is case-sensitive on the name or an alias, and the newest match wins across all
        runtimes (as in Piston, where ``javascript`` picks node over deno when node is newer).
        Raises `UnknownRuntime` (``<language>-<version> runtime is unknown``) when nothing matches,
        including when `version` is not a range at all (``latest``).
        """
        named = (rt for rt in self._runtimes if rt.answers_to(language))
        found = newest_in_range(named, version, lambda rt: str(rt.version))
        if found is None:
            raise UnknownRuntime(language, version)
        return found

    def listing(self) -> tuple[Runtime, ...]:
        """What ``GET /api/v2/runtimes`` shows: one entry per installed runtime."""
        return tuple(rt.to_protocol() for rt in self._runtimes)
