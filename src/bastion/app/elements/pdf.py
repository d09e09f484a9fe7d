"""st.pdf: a PDF from the media store, shown in a frame of its own with a download fallback.

The document is served by the media route with ``Content-Security-Policy: sandbox`` (an opaque
origin, no scripts) and ``nosniff``, so whatever JavaScript a PDF carries cannot touch the app's
origin even if a viewer ran it. Accepts bytes, a file-like object, a path, or an ``http(s)`` URL
(fetched by nobody: only same-origin media is framed, so URLs are refused with the reason).
"""

from __future__ import annotations

import os
from typing import Any

from bastion.app import media
from bastion.app.container import emit
from bastion.app.errors import InvalidArgument
from bastion.protocol.app import Pdf

_MAGIC = b"%PDF-"


def _data(data: object) -> bytes | str | os.PathLike[str]:
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
        if not raw[:1024].lstrip().startswith(_MAGIC):
            raise InvalidArgument(
                "pdf", "data", "the bytes of a PDF file (starting %PDF-)", raw[:16]
            )
        return raw
    if isinstance(data, str) and data.startswith(("http://", "https://")):
        raise InvalidArgument(
            "pdf",
            "data",
            "bytes, a file-like object or a local path",
            data,
            "The app's Content-Security-Policy frames only its own origin: download the PDF "
            "in the script and pass its bytes.",
        )
    if isinstance(data, str | os.PathLike):
        return data
    read = getattr(data, "read", None)
    if callable(read):
        seek = getattr(data, "seek", None)
        if callable(seek):
            seek(0)
        return _data(read())
    raise InvalidArgument("pdf", "data", "bytes, a file-like object or a path to a PDF", data)


def pdf(data: Any, *, height: int | str = 500, key: str | None = None) -> Any:
    """Show a PDF document."""
    del key  # accepted for Streamlit compatibility; the element holds no state
    if height == "stretch":
        height = 800
    if isinstance(height, bool) or not isinstance(height, int) or not 50 <= height <= 10_000:
        raise InvalidArgument("pdf", "height", "pixels between 50 and 10000", height)
    payload = _data(data)
    name = "document.pdf"
    if isinstance(payload, str | os.PathLike):
        name = os.path.basename(os.fspath(payload)) or name
    url = media.add(payload, "application/pdf", filename=name)
    return emit("pdf", Pdf(url=url, height=height, name=name), source=url)
