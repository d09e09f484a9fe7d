"""Uploaded files: who may upload where, what is kept on disk, what a script gets back.

The browser uploads each file over HTTP (the server's upload route streams it to disk, enforcing
the limits while reading), then reports the returned file id as the widget's value. This module
is the bookkeeping both sides share:

- An uploader widget gets an upload token per (session, widget): 144 random bits, the only
  capability that lets a request upload into that session, for that widget, under that widget's
  rules (`UploadSpec`: extensions, one file or many, the byte limit).
- Files go into one private temp directory per session (created on the first upload, mode 0700,
  removed with the session), named by their random file id through the safe path join.
- A widget value is a list of file ids; `files_for` accepts only ids this session uploaded
  through that widget (a forged or another session's id is refused), so a script only ever sees
  its own session's files.
- `server.maxUploadSize` bounds one file, `server.maxUploadSessionSize` all files of a session.
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from bastion.app.paths import safe_join

MB = 1024 * 1024


class UploadRefused(Exception):
    """An upload the rules refuse; `status` is the HTTP answer (403, 404, 413, 415)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class UploadSpec:
    accept: tuple[str, ...] = ()  # lower-case extensions with their dot; empty: any
    multiple: bool = False
    max_bytes: int = 200 * MB


@dataclass(slots=True)
class UploadRecord:
    file_id: str
    widget_id: str
    name: str
    type: str
    size: int
    path: Path


@dataclass(slots=True)
class _Slot:
    session_id: str
    widget_id: str
    spec: UploadSpec


@dataclass(slots=True)
class _SessionUploads:
    dir: Path | None = None
    files: dict[str, UploadRecord] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # widget id -> token
    bytes: int = 0  # committed plus reserved


@dataclass(slots=True)
class PendingUpload:
    """A reserved upload: the route writes at most `limit` bytes to `path`, then commits or
    aborts."""

    session_id: str
    widget_id: str
    file_id: str
    name: str
    type: str
    path: Path
    limit: int


class UploadStore:
    def __init__(
        self,
        *,
        max_file_bytes: int = 200 * MB,
        max_session_bytes: int = 1024 * MB,
        temp_root: str | None = None,
    ) -> None:
        self.max_file_bytes = max_file_bytes
        self.max_session_bytes = max_session_bytes
        self.temp_root = temp_root
        self._lock = threading.Lock()
        self._sessions: dict[str, _SessionUploads] = {}
        self._slots: dict[str, _Slot] = {}  # token -> slot

    # --- the script side ----------------------------------------------------------------------

    def token_for(self, session_id: str, widget_id: str, spec: UploadSpec) -> str:
        """The upload token of this widget in this session (stable; the spec is updated)."""
        with self._lock:
            s = self._sessions.setdefault(session_id, _SessionUploads())
            token = s.tokens.get(widget_id)
            if token is None:
                token = secrets.token_urlsafe(18)
                s.tokens[widget_id] = token
            self._slots[token] = _Slot(session_id, widget_id, spec)
            return token

    def files_for(self, session_id: str, widget_id: str, ids: object) -> tuple[UploadRecord, ...]:
        """The records for a widget value (a list of file ids); ValueError for any id that is not
        a file this session uploaded through this widget."""
        if not isinstance(ids, list | tuple) or not all(isinstance(i, str) for i in ids):
            raise ValueError(f"expected a list of file ids, got {ids!r}")
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate file id")
        with self._lock:
            s = self._sessions.get(session_id)
            out = []
            for file_id in ids:
                record = s.files.get(file_id) if s is not None else None
                if record is None or record.widget_id != widget_id:
                    raise ValueError(f"{file_id!r} is not a file uploaded through this widget")
                out.append(record)
            return tuple(out)

    # --- the route side -----------------------------------------------------------------------

    def reserve(self, token: str, name: str, mimetype: str, declared: int | None) -> PendingUpload:
        """Check an upload before reading a byte of it; raise `UploadRefused` with the status."""
        slot = self._slots.get(token)
        if slot is None:
            raise UploadRefused(404, "unknown upload token: reload the page")
        name = _clean_name(name)
        spec = slot.spec
        if spec.accept and not name.lower().endswith(spec.accept):
            raise UploadRefused(
                415, f"{name!r} is not an accepted file type: expected {', '.join(spec.accept)}"
            )
        limit = min(spec.max_bytes, self.max_file_bytes)
        if declared is not None and declared > limit:
            raise UploadRefused(413, _too_big(limit))
        with self._lock:
            s = self._sessions.get(slot.session_id)
            if s is None or s.tokens.get(slot.widget_id) != token:
                raise UploadRefused(404, "unknown upload token: reload the page")
            room = self.max_session_bytes - s.bytes
            if room <= 0 or (declared is not None and declared > room):
                raise UploadRefused(
                    413,
                    f"this session already holds {s.bytes / MB:.0f} MB of uploads "
                    f"(server.maxUploadSessionSize is {self.max_session_bytes / MB:.0f} MB): "
                    "remove some files first",
                )
            limit = min(limit, room)
            if s.dir is None:
                s.dir = Path(tempfile.mkdtemp(prefix="bastion-upload-", dir=self.temp_root))
            file_id = secrets.token_urlsafe(16)
            path = safe_join(s.dir, file_id, must_exist=False)
            s.bytes += limit  # reserved until commit or abort, so parallel uploads share the cap
        return PendingUpload(
            slot.session_id, slot.widget_id, file_id, name, _clean_type(mimetype), path, limit
        )

    def commit(self, pending: PendingUpload, size: int) -> UploadRecord:
        record = UploadRecord(
            pending.file_id, pending.widget_id, pending.name, pending.type, size, pending.path
        )
        with self._lock:
            s = self._sessions.get(pending.session_id)
            if s is None:  # the session ended while the file was arriving
                _unlink(pending.path)
                raise UploadRefused(404, "the session ended")
            s.bytes -= pending.limit - size
            s.files[record.file_id] = record
            if not _spec_multiple(self._slots, s, pending.widget_id):
                # One file per widget: a new upload replaces the old one.
                for old in [
                    r
                    for r in s.files.values()
                    if r.widget_id == pending.widget_id and r is not record
                ]:
                    self._remove_locked(s, old)
        return record

    def put(self, token: str, name: str, mimetype: str, data: bytes) -> UploadRecord:
        """Upload in one call, under the same rules (AppTest's way of uploading)."""
        pending = self.reserve(token, name, mimetype, len(data))
        with open(pending.path, "xb") as f:
            f.write(data)
        return self.commit(pending, len(data))

    def abort(self, pending: PendingUpload) -> None:
        _unlink(pending.path)
        with self._lock:
            s = self._sessions.get(pending.session_id)
            if s is not None:
                s.bytes -= pending.limit

    def remove(self, token: str, file_id: str) -> bool:
        slot = self._slots.get(token)
        if slot is None:
            return False
        with self._lock:
            s = self._sessions.get(slot.session_id)
            record = s.files.get(file_id) if s is not None else None
            if s is None or record is None or record.widget_id != slot.widget_id:
                return False
            self._remove_locked(s, record)
            return True

    def _remove_locked(self, s: _SessionUploads, record: UploadRecord) -> None:
        s.files.pop(record.file_id, None)
        s.bytes -= record.size
        _unlink(record.path)

    def session_dir(self, session_id: str) -> Path | None:
        s = self._sessions.get(session_id)
        return s.dir if s is not None else None

    def drop_session(self, session_id: str) -> None:
        with self._lock:
            s = self._sessions.pop(session_id, None)
            if s is None:
                return
            for token in s.tokens.values():
                self._slots.pop(token, None)
        if s.dir is not None:
            shutil.rmtree(s.dir, ignore_errors=True)


def _spec_multiple(slots: dict[str, _Slot], s: _SessionUploads, widget_id: str) -> bool:
    token = s.tokens.get(widget_id)
    slot = slots.get(token) if token is not None else None
    return slot is not None and slot.spec.multiple


def _too_big(limit: int) -> str:
    return (
        f"the file is larger than the {limit / MB:.1f} MB limit (server.maxUploadSize); "
        "upload a smaller file"
    )


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _clean_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[:255] or "upload"


def _clean_type(mimetype: str) -> str:
    t = mimetype.split(";", 1)[0].strip().lower()
    main, sep, sub = t.partition("/")
    ok = sep and main and sub and len(t) <= 127 and all(c.isalnum() or c in "+-._/" for c in t)
    return t if ok else "application/octet-stream"


class UploadedFile(io.BytesIO):
    """What `st.file_uploader` returns: the file's bytes with `name`, `type`, `size`, `file_id`
    (as Streamlit's UploadedFile; `getvalue()`, `read()`, `seek()` work)."""

    def __init__(self, record: UploadRecord) -> None:
        with open(record.path, "rb") as f:
            super().__init__(f.read())
        self.file_id = record.file_id
        self.name = record.name
        self.type = record.type
        self.size = record.size

    def __repr__(self) -> str:
        return (
            f"UploadedFile(file_id={self.file_id!r}, name={self.name!r}, type={self.type!r}, "
            f"size={self.size})"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, UploadedFile):
            return NotImplemented
        return self.file_id == other.file_id

    def __hash__(self) -> int:
        return hash(self.file_id)
