"""The media store: bytes and files a script run shows (images, audio, video, downloads).

An element never inlines media in a message: `add()` keeps the bytes (or the path of a file) and
returns a URL, relative to the app's base path (``_bastion/media/<id>.<ext>``), that the browser
fetches from the server's media route (`bastion.server.media_route`). Rules:

- Ids come from a CSPRNG (144 bits), so a URL cannot be guessed; every session has its own ids
  (the same image in two sessions gets two ids: ids reveal nothing across sessions), and a
  session's entries go when the session closes.
- The same content added again by the same session gets the same id, so a rerun that shows the
  same image sends an identical element (the session's `Same` de-duplication applies) and the
  browser does not fetch it again.
- An entry lives while the session's latest complete run referenced it. When a complete run
  (not one interrupted by a rerun) finishes without it, it is kept `server.mediaGraceSeconds`
  more (a download or a video still loading) and then dropped. A fragment run judges only the
  entries its fragments added (each entry remembers the innermost fragment that added it).
- Bytes count against `server.maxMediaSessionSize` per session and `server.maxMediaTotalSize`
  per server (MB). Files given by path cost no memory: the route streams them from disk through
  the safe path join, so a file swapped for a symlink to elsewhere after `add()` is not served.

`data` may be bytes (or a bytes-like object), or a path (`str` or `os.PathLike`): a `str` is
always a path, as in Streamlit's media file manager; encode text yourself to add it as content.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import secrets
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from bastion.app import context
from bastion.app.errors import AppError

ROUTE = "_bastion/media/"
"""URL prefix of media, relative to the app's base path (route: ``/_bastion/media/{name}``)."""

MB = 1024 * 1024
_ID_BYTES = 18  # 144 bits, 24 URL-safe characters


class MediaError(AppError):
    """A media `add()` that cannot be honoured (limits, missing file, bad argument)."""


class MediaLimitError(MediaError):
    pass


@dataclass(slots=True, eq=False)
class MediaEntry:
    id: str
    session_id: str
    mimetype: str
    data: bytes | None  # in memory, or
    path: Path | None  # a file on disk, served by streaming (resolved at add time)
    filename: str | None
    attachment: bool
    last_run: int
    fragment: str | None = None  # the innermost fragment that added it last (None: the page)
    expires: float | None = None  # monotonic deadline once no complete run references it

    @property
    def cost(self) -> int:
        return len(self.data) if self.data is not None else 0


class _SessionMedia:
    __slots__ = ("by_key", "bytes", "entries")

    def __init__(self) -> None:
        self.entries: dict[str, MediaEntry] = {}
        self.by_key: dict[bytes, str] = {}  # content key -> id (same content, same URL)
        self.bytes = 0


class MediaStore:
    """All media of one runtime's sessions. Thread-safe: script threads add, the server reads."""

    def __init__(
        self,
        *,
        max_session_bytes: int = 200 * MB,
        max_total_bytes: int = 1024 * MB,
        grace_seconds: float = 30.0,
    ) -> None:
        self.max_session_bytes = max_session_bytes
        self.max_total_bytes = max_total_bytes
        self.grace_seconds = grace_seconds
        self._lock = threading.Lock()
        self._sessions: dict[str, _SessionMedia] = {}
        self._by_id: dict[str, MediaEntry] = {}
        self._total = 0

    @property
    def total_bytes(self) -> int:
        return self._total

    def session_bytes(self, session_id: str) -> int:
        s = self._sessions.get(session_id)
        return s.bytes if s is not None else 0

    def count(self, session_id: str | None = None) -> int:
        if session_id is None:
            return len(self._by_id)
        s = self._sessions.get(session_id)
        return len(s.entries) if s is not None else 0

    def add(
        self,
        session_id: str,
        run: int,
        data: bytes | bytearray | memoryview | str | os.PathLike[str],
        mimetype: str | None = None,
        *,
        filename: str | None = None,
        attachment: bool = False,
        now: float | None = None,
        fragment: str | None = None,
    ) -> MediaEntry:
        now = time.monotonic() if now is None else now
        blob, path = _normalize(data)
        if mimetype is None:
            guessed = mimetypes.guess_type(filename or (path.name if path else ""))[0]
            mimetype = guessed or "application/octet-stream"
        if not isinstance(mimetype, str) or not _valid_mimetype(mimetype):
            raise MediaError(f"media mimetype must look like 'type/subtype', got {mimetype!r}")
        if filename is not None:
            filename = _clean_filename(filename)
        key = _content_key(blob, path, mimetype, filename, attachment)
        with self._lock:
            media = self._sessions.setdefault(session_id, _SessionMedia())
            existing = media.by_key.get(key)
            if existing is not None and existing in media.entries:
                entry = media.entries[existing]
                if entry.expires is None or entry.expires > now:
                    if run >= entry.last_run:
                        entry.last_run = run
                        entry.fragment = fragment
                    entry.expires = None
                    return entry
                self._remove(media, entry)
            cost = len(blob) if blob is not None else 0
            if cost:
                self._make_room(media, cost, now)
            entry = MediaEntry(
                id=secrets.token_urlsafe(_ID_BYTES),
                session_id=session_id,
                mimetype=mimetype,
                data=blob,
                path=path,
                filename=filename,
                attachment=attachment,
                last_run=run,
                fragment=fragment,
            )
            media.entries[entry.id] = entry
            media.by_key[key] = entry.id
            media.bytes += cost
            self._total += cost
            self._by_id[entry.id] = entry
            return entry

    def _make_room(self, media: _SessionMedia, cost: int, now: float) -> None:
        if media.bytes + cost > self.max_session_bytes or self._total + cost > self.max_total_bytes:
            self._sweep_locked(now)
            # Entries only kept for their grace period go first, oldest run first.
            for entry in sorted(
                (e for e in media.entries.values() if e.expires is not None),
                key=lambda e: e.last_run,
            ):
                if media.bytes + cost <= self.max_session_bytes:
                    break
                self._remove(media, entry)
        if media.bytes + cost > self.max_session_bytes:
            raise MediaLimitError(
                f"this session's media would take {(media.bytes + cost) / MB:.1f} MB, over the "
                f"{self.max_session_bytes / MB:.0f} MB limit (server.maxMediaSessionSize). Show "
                "smaller media, pass large files by path (they are streamed from disk), or "
                "raise the limit."
            )
        if self._total + cost > self.max_total_bytes:
            raise MediaLimitError(
                f"the server's media would take {(self._total + cost) / MB:.1f} MB, over the "
                f"{self.max_total_bytes / MB:.0f} MB limit (server.maxMediaTotalSize). Pass "
                "large files by path, or raise the limit."
            )

    def _remove(self, media: _SessionMedia, entry: MediaEntry) -> None:
        media.entries.pop(entry.id, None)
        self._by_id.pop(entry.id, None)
        media.bytes -= entry.cost
        self._total -= entry.cost
        for k in [k for k, v in media.by_key.items() if v == entry.id]:
            del media.by_key[k]

    def get(self, media_id: str, now: float | None = None) -> MediaEntry | None:
        entry = self._by_id.get(media_id)
        if entry is None:
            return None
        now = time.monotonic() if now is None else now
        if entry.expires is not None and entry.expires <= now:
            return None
        return entry

    def run_finished(
        self,
        session_id: str,
        run: int,
        complete: bool,
        now: float | None = None,
        *,
        scope: Collection[str] | None = None,
    ) -> None:
        """A run ended. After a complete run, entries it did not reference start their grace;
        an interrupted run changes nothing (the browser still shows the older elements). A
        fragment run (`scope`: the fragment ids it reran) only judges entries those fragments
        added: the rest of the page was not rerun and still shows its media."""
        if not complete:
            return
        now = time.monotonic() if now is None else now
        with self._lock:
            media = self._sessions.get(session_id)
            if media is None:
                return
            deadline = now + self.grace_seconds
            for entry in media.entries.values():
                judged = scope is None or entry.fragment in scope
                if judged and entry.last_run < run and entry.expires is None:
                    entry.expires = deadline
            self._sweep_session(media, now)

    def sweep(self, now: float | None = None) -> int:
        """Drop entries whose grace is over (the runtime calls this on its expiry timer)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            return self._sweep_locked(now)

    def _sweep_locked(self, now: float) -> int:
        return sum(self._sweep_session(m, now) for m in list(self._sessions.values()))

    def _sweep_session(self, media: _SessionMedia, now: float) -> int:
        gone = [e for e in media.entries.values() if e.expires is not None and e.expires <= now]
        for entry in gone:
            self._remove(media, entry)
        return len(gone)

    def drop_session(self, session_id: str) -> None:
        with self._lock:
            media = self._sessions.pop(session_id, None)
            if media is None:
                return
            for entry in list(media.entries.values()):
                self._remove(media, entry)


def url_for(entry: MediaEntry) -> str:
    ext = _extension(entry)
    return f"{ROUTE}{entry.id}{ext}"


def add(
    data: bytes | str | os.PathLike[str],
    mimetype: str | None = None,
    *,
    filename: str | None = None,
    attachment: bool = False,
) -> str:
    """Keep `data` for the running session; return the URL the browser fetches it from.

    `data`: bytes, or a path (`str` or `os.PathLike`) to a file streamed from disk when fetched.
    `mimetype`: guessed from `filename` or the path's name when None. `attachment=True` makes
    the browser download it (as `filename`) rather than show it.
    """
    ctx = context.get("media")
    store: MediaStore = ctx.session.runtime.media
    entry = store.add(
        ctx.session.id,
        ctx.run,
        data,
        mimetype,
        filename=filename,
        attachment=attachment,
        fragment=ctx.fragment,  # set by fragments (bastion.app.fragment)
    )
    return url_for(entry)


def id_from_name(name: str) -> str:
    """The media id in a route's last segment (``<id>.<ext>``)."""
    return name.split(".", 1)[0]


# --- helpers ------------------------------------------------------------------------------------


def _normalize(
    data: bytes | bytearray | memoryview | str | os.PathLike[str],
) -> tuple[bytes | None, Path | None]:
    if isinstance(data, bytes):
        return data, None
    if isinstance(data, bytearray | memoryview):
        return bytes(data), None
    if isinstance(data, str | os.PathLike):
        raw = os.fspath(data)
        if not isinstance(raw, str) or "\x00" in raw:
            raise MediaError(f"media path must be a text path without NUL, got {raw!r}")
        try:
            path = Path(raw).expanduser().resolve(strict=True)
        except (OSError, RuntimeError):
            raise MediaError(
                f"media file {raw!r} does not exist (or is not readable). Pass bytes, or a path "
                "to an existing file (relative paths are relative to the working directory)."
            ) from None
        if not path.is_file():
            raise MediaError(f"media path {raw!r} is not a regular file")
        return None, path
    raise MediaError(
        f"media data must be bytes or a file path (str or os.PathLike), got {type(data).__name__}"
    )


def _content_key(
    blob: bytes | None, path: Path | None, mimetype: str, filename: str | None, attachment: bool
) -> bytes:
    h = hashlib.blake2b(digest_size=20)
    if blob is not None:
        h.update(b"b")
        h.update(blob)
    if path is not None:
        st = path.stat()
        h.update(f"p{path}\x00{st.st_size}\x00{st.st_mtime_ns}".encode("utf-8", "surrogatepass"))
    h.update(f"\x00{mimetype}\x00{filename}\x00{attachment}".encode("utf-8", "surrogatepass"))
    return h.digest()


def _valid_mimetype(mimetype: str) -> bool:
    main, sep, rest = mimetype.partition("/")
    return bool(sep and main and rest) and len(mimetype) <= 255 and mimetype.isprintable()


def _clean_filename(name: str) -> str:
    """A download's name: no directories, no control characters, never empty."""
    if not isinstance(name, str):
        raise MediaError(f"filename must be a str, got {type(name).__name__}")
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip().lstrip(".")
    return base[:255] or "download"


_EXT_OVERRIDES = {
    "image/jpeg": ".jpg",
    "image/svg+xml": ".svg",
    "audio/mpeg": ".mp3",
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "text/plain": ".txt",
    "application/octet-stream": ".bin",
}


def _extension(entry: MediaEntry) -> str:
    base = entry.mimetype.split(";", 1)[0].strip().lower()
    ext = _EXT_OVERRIDES.get(base) or mimetypes.guess_extension(base) or ""
    return ext if ext[1:].isalnum() else ""
