"""`persist="disk"`: cache_data entries on disk, in formats that cannot run code, each signed.

Streamlit writes `pickle.dumps(value)` to `~/.streamlit/cache/*.memo` and unpickles whatever it
finds there, so anyone who can write that folder runs code in the app. Here a value is stored as
Arrow IPC (pandas frames and series, Arrow tables), `.npy` without pickle (numpy arrays), or
msgpack (plain data: None, bool, int, float, str, bytes, lists and str-keyed dicts of them). A
value that does not round-trip exactly in one of those stays in memory only (with a warning).

Every file carries an HMAC-SHA256 over its content and its own cache key, with a random 32-byte
key kept per app in the cache folder (mode 0600, checked to be the owner's and private before
use). A file whose signature fails, or that was copied under another key's name, is refused and
recomputed: the elements replayed from a cache file go to browsers as they are, so an unsigned
file would be an XSS vector even without pickle.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import os
import secrets
import stat
import sys
from pathlib import Path
from typing import Any

import msgspec

log = logging.getLogger("bastion.app.cache")
MAGIC = b"BASTION-CACHE-1\n"
_SIG = 32


class Record(msgspec.Struct, array_like=True):
    func_key: str
    value_key: str
    created: float  # wall-clock seconds, for ttl
    kind: str  # "pandas", "series", "arrow", "npy", "msgpack"
    value: bytes
    ops: list[tuple[str, Any, bool, bytes, str | None]]


class NotPersistable(Exception):
    pass


class DiskStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._key: bytes | None = None

    def _signing_key(self) -> bytes:
        if self._key is None:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            path = self.directory / "signing.key"
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            except FileExistsError:
                info = os.lstat(path)
                if (
                    not stat.S_ISREG(info.st_mode)
                    or info.st_uid != os.geteuid()
                    or info.st_mode & 0o077
                ):
                    raise PermissionError(
                        f"{path} is not a private regular file of this user: refusing to trust "
                        "the disk cache. Delete the folder (bastion cache clear) to start over."
                    ) from None
                key = path.read_bytes()
                if len(key) != 32:
                    raise PermissionError(f"{path} is not a 32-byte key") from None
                self._key = key
            else:
                key = secrets.token_bytes(32)
                with os.fdopen(fd, "wb") as f:
                    f.write(key)
                self._key = key
        return self._key

    def path_for(self, func_key: str, value_key: str) -> Path:
        return self.directory / f"{func_key}-{value_key}.bcache"

    def _sign(self, body: bytes) -> bytes:
        return hmac.new(self._signing_key(), MAGIC + body, hashlib.sha256).digest()

    def read(self, func_key: str, value_key: str) -> tuple[Any, list[Any], float] | None:
        path = self.path_for(func_key, value_key)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        head = len(MAGIC)
        body = raw[head + _SIG :]
        if (
            raw[:head] != MAGIC
            or len(raw) < head + _SIG
            or not hmac.compare_digest(raw[head : head + _SIG], self._sign(body))
        ):
            log.warning("refused cache file %s: bad signature (tampered or foreign)", path)
            return None
        try:
            rec = msgspec.msgpack.decode(body, type=Record)
        except msgspec.DecodeError:
            log.warning("refused cache file %s: undecodable", path)
            return None
        if rec.func_key != func_key or rec.value_key != value_key:
            log.warning("refused cache file %s: signed for another key", path)
            return None
        return _load(rec.kind, rec.value), [list(op) for op in rec.ops], rec.created

    def write(
        self, func_key: str, value_key: str, value: Any, ops: list[Any], created: float
    ) -> bool:
        try:
            kind, data = _dump(value)
        except NotPersistable as e:
            log.warning("cache_data(persist='disk'): %s; kept in memory only", e)
            return False
        rec = Record(
            func_key,
            value_key,
            created,
            kind,
            data,
            [(k, a, b, d, s if isinstance(s, str) else None) for k, a, b, d, s in ops],
        )
        body = msgspec.msgpack.encode(rec)
        signature = self._sign(body)  # makes the folder and key on first use
        path = self.path_for(func_key, value_key)
        tmp = path.with_suffix(f".{secrets.token_hex(4)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(MAGIC + signature + body)
        os.replace(tmp, path)
        return True

    def remove(self, func_key: str | None = None) -> None:
        if not self.directory.is_dir():
            return
        pattern = f"{func_key}-*.bcache" if func_key else "*.bcache"
        for p in self.directory.glob(pattern):
            p.unlink(missing_ok=True)


def _dump(value: Any) -> tuple[str, bytes]:
    module = type(value).__module__.partition(".")[0]
    if module == "pandas":
        import pandas as pd
        import pyarrow as pa

        kind = "series" if isinstance(value, pd.Series) else "pandas"
        frame = value.to_frame() if isinstance(value, pd.Series) else value
        if not isinstance(frame, pd.DataFrame):
            raise NotPersistable(f"cannot persist a {type(value).__name__}")
        try:
            table = pa.Table.from_pandas(frame, preserve_index=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError) as e:
            raise NotPersistable(f"this DataFrame has no Arrow form ({e})") from None
        return kind, _ipc(table)
    if module == "pyarrow":
        import pyarrow as pa

        if isinstance(value, pa.Table):
            return "arrow", _ipc(value)
        raise NotPersistable(f"cannot persist a pyarrow {type(value).__name__}")
    if module == "numpy" and hasattr(value, "dtype") and hasattr(value, "shape"):
        import numpy as np

        buf = io.BytesIO()
        try:
            np.save(buf, np.asarray(value), allow_pickle=False)
        except ValueError as e:
            raise NotPersistable(f"object arrays need pickle ({e})") from None
        return "npy", buf.getvalue()
    try:
        data = msgspec.msgpack.encode(value)
        back = msgspec.msgpack.decode(data)
    except (TypeError, msgspec.MsgspecError) as e:
        raise NotPersistable(f"{type(value).__name__} has no safe serialized form ({e})") from None
    if not _same(back, value):
        raise NotPersistable(
            f"a {type(value).__name__} does not survive msgpack unchanged (tuples, sets and "
            "custom classes do not)"
        )
    return "msgpack", data


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return bool(a == b)


def _ipc(table: Any) -> bytes:
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return bytes(sink.getvalue())


def _load(kind: str, data: bytes) -> Any:
    if kind in ("pandas", "series", "arrow"):
        import pyarrow as pa

        table = pa.ipc.open_stream(pa.py_buffer(data)).read_all()
        if kind == "arrow":
            return table
        frame = table.to_pandas()
        return frame.iloc[:, 0] if kind == "series" else frame
    if kind == "npy":
        import numpy as np

        return np.load(io.BytesIO(data), allow_pickle=False)
    if kind == "msgpack":
        return msgspec.msgpack.decode(data)
    raise ValueError(f"unknown cache record kind {kind!r}")


def default_directory(script_path: str) -> Path:
    """`$XDG_CACHE_HOME/bastion/apps/<digest of the script's path>` (per app, per user)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    digest = hashlib.blake2b(script_path.encode(sys.getfilesystemencoding()), digest_size=8)
    return Path(base) / "bastion" / "apps" / digest.hexdigest()
