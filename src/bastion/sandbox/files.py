"""A job's files: names checked, contents decoded, before anything is written into a box.

Names are relative paths inside the work dir. Refused with `InvalidJob` naming the field
(``files[2].name``): absolute paths, ``..`` or empty components, NUL and other control
characters, names over 255 bytes per component or 4096 bytes in all, duplicates. A missing name
becomes Piston's default ``file<i>.code``. Contents decode from utf8, base64 or hex.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence

from bastion.protocol.errors import InvalidJob
from bastion.protocol.exec import File

MAX_FILES = 256
MAX_NAME_BYTES = 4096
MAX_COMPONENT_BYTES = 255


def check_name(name: str, field: str) -> str:
    """Return `name` if it is a safe relative path, else raise `InvalidJob` for `field`."""

    def bad(why: str) -> InvalidJob:
        hint = "use a relative name like 'main.py' or 'src/util.c'"
        return InvalidJob(f"{field} {why}; {hint}", field=field)

    if not isinstance(name, str):
        raise bad(f"must be a string, got {type(name).__name__}")
    encoded = name.encode("utf-8", "surrogatepass")
    if len(encoded) > MAX_NAME_BYTES:
        raise bad(f"is {len(encoded)} bytes long, over the {MAX_NAME_BYTES}-byte limit")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):
        raise bad("contains a NUL or control character")
    if name.startswith("/"):
        raise bad(f"{name!r} is absolute")
    for part in name.split("/"):
        if part in ("", ".", ".."):
            raise bad(f"{name!r} has an empty, '.' or '..' component")
        if len(part.encode("utf-8", "surrogatepass")) > MAX_COMPONENT_BYTES:
            raise bad(f"has a component over {MAX_COMPONENT_BYTES} bytes")
    return name


def decode(file: File, field: str) -> bytes:
    """The bytes of `file`, decoded from its declared encoding."""
    try:
        if file.encoding == "utf8":
            return file.content.encode("utf-8", "surrogateescape")
        if file.encoding == "base64":
            return base64.b64decode(file.content, validate=True)
        if file.encoding == "hex":
            return bytes.fromhex(file.content)
    except (binascii.Error, ValueError) as exc:
        raise InvalidJob(
            f"{field}.content is not valid {file.encoding}: {exc}", field=f"{field}.content"
        ) from exc
    raise InvalidJob(
        f"{field}.encoding must be one of utf8, base64, hex; got {file.encoding!r}",
        field=f"{field}.encoding",
    )


def prepare(files: Sequence[File], *, max_total_bytes: int) -> list[tuple[str, bytes]]:
    """Validate and decode a job's files: [(name, data)], main file first."""
    if not files:
        raise InvalidJob("files must hold at least one file (the first is run)", field="files")
    if len(files) > MAX_FILES:
        raise InvalidJob(f"files holds {len(files)} files; at most {MAX_FILES}", field="files")
    out: list[tuple[str, bytes]] = []
    seen: set[str] = set()
    total = 0
    for i, f in enumerate(files):
        field = f"files[{i}]"
        name = check_name(f.name or f"file{i}.code", f"{field}.name")
        if name in seen:
            raise InvalidJob(f"{field}.name {name!r} is used twice", field=f"{field}.name")
        seen.add(name)
        data = decode(f, field)
        total += len(data)
        out.append((name, data))
    dirs = {name.rsplit("/", 1)[0] for name, _ in out if "/" in name}
    for i, (name, _) in enumerate(out):
        if name in dirs or any(d.startswith(name + "/") for d in dirs):
            raise InvalidJob(
                f"files[{i}].name {name!r} is also used as a directory", field=f"files[{i}].name"
            )
    if total > max_total_bytes:
        raise InvalidJob(
            f"files hold {total} bytes, over the work dir size of {max_total_bytes}", field="files"
        )
    return out
