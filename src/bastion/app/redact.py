"""Secrets out of error reports: what the browser sees and what the server logs.

A secret is any value of `st.secrets`, any environment variable whose name says it is one
(`*_TOKEN`, `*PASSWORD*`, `*_KEY`, `*SECRET*`, `DATABASE_URL`...), and the session's own tokens.
Values shorter than `MIN_LENGTH` are left alone: redacting "1" or "true" would shred every
message and protect nothing. Redaction is plain substring replacement, longest value first, so
a secret embedded in a URL or a repr is caught too.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

MIN_LENGTH = 6
MASK = "[redacted]"
_SECRET_NAME = re.compile(
    r"secret|token|passw|pwd|api_?key|access_?key|private|credential|auth|cookie|signing|"
    r"session_?key|_key$|^key$|dsn$|database_url|conn(ection)?_?str",
    re.IGNORECASE,
)


def secret_env_values(env: Mapping[str, str] | None = None) -> Iterator[str]:
    for name, value in (os.environ if env is None else env).items():
        if _SECRET_NAME.search(name):
            yield value


def leaf_values(data: Any) -> Iterator[str]:
    """Every scalar in a nested mapping/list, as text (st.secrets sections nest)."""
    if isinstance(data, Mapping):
        for value in data.values():
            yield from leaf_values(value)
    elif isinstance(data, list | tuple):
        for value in data:
            yield from leaf_values(value)
    elif isinstance(data, str | int | float) and not isinstance(data, bool):
        yield str(data)


class Redactor:
    def __init__(self, values: Iterable[str]) -> None:
        unique = {v for v in values if isinstance(v, str) and len(v) >= MIN_LENGTH}
        ordered = sorted(unique, key=len, reverse=True)
        self._pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None

    def __call__(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(MASK, text)
