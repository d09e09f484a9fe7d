"""What sandboxed frames show: `components.html` documents and declared components' files.

Sans I/O: the server's frame routes ask this store for bytes. Documents are kept by content hash
(a rerun that writes the same HTML reuses the entry) within a byte budget, oldest out first.
Component files are only ever read through `component_file`, which refuses anything that could
leave the component's directory (`..`, absolute paths, backslashes, NUL, links out of it).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

MAX_FRAME_BYTES = 64 * 1024 * 1024
MAX_DOCUMENT_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class ComponentSource:
    name: str
    path: Path | None = None  # a directory of built files, served by the app server
    url: str | None = None  # a dev server (http/https), framed as is


def safe_child(root: Path, relative: str) -> Path | None:
    """`root/relative` if it is a regular file inside `root` after resolving links, else None."""
    if not relative or "\x00" in relative or "\\" in relative or relative.startswith("/"):
        return None
    parts = relative.split("/")
    if any(p in ("", ".", "..") for p in parts) or ":" in parts[0]:
        return None
    try:
        base = root.resolve(strict=True)
        target = (base / relative).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not target.is_relative_to(base) or not target.is_file():
        return None
    return target


class FrameStore:
    def __init__(self, max_bytes: int = MAX_FRAME_BYTES) -> None:
        self._max = max_bytes
        self._docs: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.components: dict[str, ComponentSource] = {}

    def put_html(self, document: str) -> str:
        data = document.encode("utf-8", "surrogatepass")
        if len(data) > MAX_DOCUMENT_BYTES:
            raise ValueError(
                f"components.html(): the document is {len(data) / 1e6:.1f} MB; at most "
                f"{MAX_DOCUMENT_BYTES // 1024 // 1024} MB. Serve large content from a URL."
            )
        digest = hashlib.sha256(data).hexdigest()
        with self._lock:
            if digest in self._docs:
                self._docs.move_to_end(digest)
                return digest
            self._docs[digest] = data
            self._size += len(data)
            while self._size > self._max and len(self._docs) > 1:
                _, old = self._docs.popitem(last=False)
                self._size -= len(old)
        return digest

    def document(self, digest: str) -> bytes | None:
        with self._lock:
            return self._docs.get(digest)

    def register(self, source: ComponentSource) -> None:
        with self._lock:
            self.components[source.name] = source

    def component_file(self, name: str, relative: str) -> Path | None:
        source = self.components.get(name)
        if source is None or source.path is None:
            return None
        return safe_child(source.path, relative)
