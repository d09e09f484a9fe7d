"""One safe path join for every file the server reads or serves from disk.

Streamlit's advisories were mostly path bugs in file serving (traversal, absolute and Windows UNC
paths, symlinks out of the served folder). Every file Bastion serves or stores under a directory it
controls (built assets, static files, media given by path, upload temp files) goes through
`safe_join`: the relative part is checked as text first (no empty, `.` or `..` segments, no
absolute path, backslash, drive letter, NUL or control character), then the joined path is
resolved (symlinks followed) and must still lie inside the resolved root.

The text checks run on the path *after* URL decoding: callers pass what the route decoded once,
and a segment that still holds a ``%`` escape after that is refused as well (double encoding).
"""

from __future__ import annotations

import re
from pathlib import Path

_DRIVE = re.compile(r"^[A-Za-z]:")


class UnsafePath(ValueError):
    """A relative path that tries to leave its root, or names something that is not a file."""


def check_relative(relative: str) -> list[str]:
    """The segments of `relative`, or `UnsafePath` if it is anything but a plain relative path."""
    if not isinstance(relative, str) or not relative:
        raise UnsafePath("empty path")
    if "\\" in relative or "\x00" in relative or not relative.isprintable():
        raise UnsafePath("backslash, NUL or control character in path")
    if relative.startswith("/") or _DRIVE.match(relative):
        raise UnsafePath("absolute path")
    segments = relative.split("/")
    for s in segments:
        if s in ("", ".", ".."):
            raise UnsafePath("empty, '.' or '..' segment")
        if "%" in s:
            raise UnsafePath("percent escape left after decoding (double encoding)")
        if ":" in s:
            raise UnsafePath("':' in a segment (drive letter or alternate data stream)")
    return segments


def safe_join(root: str | Path, relative: str, *, must_exist: bool = True) -> Path:
    """`root / relative`, resolved, guaranteed inside `root` (after resolving symlinks of both).

    With `must_exist` (the default) the result must be an existing regular file. Raises
    `UnsafePath` otherwise; never touches the filesystem before the text checks pass.
    """
    segments = check_relative(relative)
    try:
        root_resolved = Path(root).resolve(strict=True)
        candidate = root_resolved.joinpath(*segments)
        resolved = candidate.resolve(strict=must_exist)
    except (OSError, RuntimeError):
        raise UnsafePath("no such file") from None
    if not resolved.is_relative_to(root_resolved) or resolved == root_resolved:
        raise UnsafePath("outside the root")
    if must_exist and not resolved.is_file():
        raise UnsafePath("not a regular file")
    return resolved


def safe_file(path: Path) -> Path:
    """A file given in full (media by path): its parent is the root, its name the relative part,
    so a symlink swapped in since `add()` that leads elsewhere is refused."""
    return safe_join(path.parent, path.name)
