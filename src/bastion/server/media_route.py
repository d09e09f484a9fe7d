"""GET/HEAD ``/_bastion/media/<id>.<ext>``: the media a session's elements show.

The id is the capability (see `bastion.app.media`): unknown or expired ids are a plain 404.
Every response carries the entry's Content-Type with ``X-Content-Type-Options: nosniff``, and a
Content-Security-Policy with ``sandbox`` and no script source, so opening a media URL directly
(an SVG or HTML file a script added) never runs script in the app's origin. Downloads get
``Content-Disposition: attachment`` with an RFC 5987 file name.

Single byte ranges are served (206, or 416 with ``Content-Range: bytes */size``), which is what
`<video>` seeking needs; a multi-range or malformed Range header gets the whole body (RFC 9110
allows ignoring Range). Files given by path are streamed from disk in chunks, re-checked through
the safe path join on every request.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import anyio
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from bastion.app.media import MediaEntry, MediaStore, id_from_name
from bastion.app.paths import UnsafePath, safe_file

MEDIA_PREFIX = "/_bastion/media/"
CHUNK = 256 * 1024
# frame-ancestors 'self': st.pdf frames media from our own pages; it also overrides a blanket
# X-Frame-Options: DENY that the app-wide headers may add (browsers prefer frame-ancestors).
MEDIA_CSP = (
    "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; "
    "frame-ancestors 'self'; sandbox"
)
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_range(header: str | None, size: int) -> tuple[int, int] | bool | None:
    """`(first, last)` inclusive, None to send everything, False when unsatisfiable (416)."""
    if header is None:
        return None
    m = _RANGE.match(header.strip().replace(" ", ""))
    if m is None:
        return None  # multi-range or malformed: ignored, the whole body is sent
    first, last = m[1], m[2]
    if not first and not last:
        return None
    if not first:  # suffix: the last N bytes
        n = int(last)
        if n == 0 or size == 0:
            return False
        return max(0, size - n), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None  # invalid: ignored
    if start >= size:
        return False
    return start, min(end, size - 1)


def content_disposition(entry: MediaEntry) -> str | None:
    if not entry.attachment and entry.filename is None:
        return None
    kind = "attachment" if entry.attachment else "inline"
    if entry.filename is None:
        return kind
    name = entry.filename
    ascii_name = "".join(c if 32 <= ord(c) < 127 and c not in '"\\;' else "_" for c in name)
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(entry.filename, safe='')}"


class MediaRoute:
    """ASGI app for the media prefix; mount it as a `Route` with a path parameter or call it for
    any path under `MEDIA_PREFIX`."""

    def __init__(self, store: MediaStore) -> None:
        self.store = store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.response_for(scope)
        await response(scope, receive, send)

    async def response_for(self, scope: Scope) -> Response:
        if scope["method"] not in ("GET", "HEAD"):
            return PlainTextResponse(
                "method not allowed", status_code=405, headers={"Allow": "GET, HEAD"}
            )
        name = scope["path"].removeprefix(scope.get("root_path", "")).lstrip("/")
        entry = self.store.get(id_from_name(name)) if "/" not in name else None
        if entry is None:
            return _not_found()
        headers = {
            "Content-Type": entry.mimetype,
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": MEDIA_CSP,
            "Accept-Ranges": "bytes",
            "Cache-Control": "private, max-age=3600",
            "Cross-Origin-Resource-Policy": "same-origin",
        }
        disposition = content_disposition(entry)
        if disposition is not None:
            headers["Content-Disposition"] = disposition
        file: Path | None = None
        size = len(entry.data) if entry.data is not None else 0
        if entry.path is not None:
            try:
                file = safe_file(entry.path)
                size = file.stat().st_size
            except (UnsafePath, OSError):
                return _not_found()
        req_headers = dict(scope["headers"])
        raw_range = req_headers.get(b"range")
        wanted = parse_range(raw_range.decode("latin-1") if raw_range else None, size)
        if wanted is False:
            return PlainTextResponse(
                "range not satisfiable",
                status_code=416,
                headers={"Content-Range": f"bytes */{size}", "X-Content-Type-Options": "nosniff"},
            )
        status = 200
        first, last = 0, size - 1
        if isinstance(wanted, tuple):
            first, last = wanted
            status = 206
            headers["Content-Range"] = f"bytes {first}-{last}/{size}"
        length = max(0, last - first + 1)
        headers["Content-Length"] = str(length)
        if scope["method"] == "HEAD":
            return Response(b"", status_code=status, headers=headers)
        if file is None:
            body = (entry.data or b"")[first : first + length]
            return Response(body, status_code=status, headers=headers)
        return StreamingResponse(
            _read_file(file, first, length), status_code=status, headers=headers
        )


async def _read_file(path: Path, first: int, length: int) -> AsyncIterator[bytes]:
    async with await anyio.open_file(path, "rb") as f:
        await f.seek(first)
        left = length
        while left > 0:
            chunk = await f.read(min(CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
            yield chunk


def _not_found() -> Response:
    return PlainTextResponse(
        "not found: this media is gone (its session ended or the app no longer shows it)",
        status_code=404,
        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )
