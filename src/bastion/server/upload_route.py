"""``/_bastion/upload/<token>``: file uploads, streamed to disk with the limits enforced while
reading.

    POST   /_bastion/upload/<token>?name=<file name>   body: the file's bytes (Content-Type: its
                                                        type) -> 201 {"file_id", "name", "size",
                                                        "type"}
    DELETE /_bastion/upload/<token>/<file_id>           -> 204 (the file is removed)

The token (see `bastion.app.uploads`) binds the request to one session and one widget. Before a
byte of the body is read: the Origin must be the app's own (or allowed), the CSRF hook (if the
composition root gives one) must pass, the name's extension must be one the widget accepts (415),
and a declared Content-Length must fit the limit (413). While reading, the count is checked after
every chunk: the moment it passes the limit the partial file is deleted, reading stops, and the
answer is 413 with ``Connection: close`` so the rest of the body is never read.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from urllib.parse import parse_qs

import anyio
from starlette.types import Receive, Scope, Send

from bastion.app.uploads import PendingUpload, UploadRefused, UploadStore
from bastion.server.app_socket import origin_allowed

log = logging.getLogger("bastion.server")

UPLOAD_PREFIX = "/_bastion/upload/"
CsrfCheck = Callable[[Scope], bool]
"""The hook for the CSRF defence: given the request's scope, True to let it through. The guard
passes its double-submit check here (`create_app(..., upload_csrf_check=...)`)."""


class UploadRoute:
    def __init__(
        self,
        store: UploadStore,
        *,
        allowed_origins: Iterable[str] = (),
        csrf_check: CsrfCheck | None = None,
    ) -> None:
        self.store = store
        self.allowed_origins = list(allowed_origins)
        self.csrf_check = csrf_check

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        rest = scope["path"].removeprefix(scope.get("root_path", "")).strip("/")
        parts = rest.split("/") if rest else []
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        method = scope["method"]
        if not origin_allowed(
            headers.get("origin"),
            headers.get("host"),
            scope.get("scheme", "http"),
            self.allowed_origins,
        ):
            await _answer(send, 403, {"error": "cross-origin upload refused"})
            return
        if self.csrf_check is not None and not self.csrf_check(scope):
            await _answer(send, 403, {"error": "missing or wrong CSRF token: reload the page"})
            return
        if method == "DELETE" and len(parts) == 2:
            removed = self.store.remove(parts[0], parts[1])
            await _answer(
                send, 204 if removed else 404, None if removed else {"error": "no such file"}
            )
            return
        if method not in ("POST", "PUT") or len(parts) != 1:
            await _answer(send, 405, {"error": "POST a file to the upload URL, or DELETE a file"})
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        name = (query.get("name") or [""])[0]
        try:
            declared = _content_length(headers)
            pending = self.store.reserve(parts[0], name, headers.get("content-type", ""), declared)
        except UploadRefused as e:
            await _answer(send, e.status, {"error": e.message}, close=True)
            return
        try:
            size = await _stream_to_disk(pending, receive)
        except UploadRefused as e:
            self.store.abort(pending)
            await _answer(send, e.status, {"error": e.message}, close=True)
            return
        except BaseException:
            self.store.abort(pending)
            raise
        try:
            record = self.store.commit(pending, size)
        except UploadRefused as e:
            await _answer(send, e.status, {"error": e.message}, close=True)
            return
        body = {
            "file_id": record.file_id,
            "name": record.name,
            "size": record.size,
            "type": record.type,
        }
        await _answer(send, 201, body)


def _content_length(headers: Mapping[str, str]) -> int | None:
    raw = headers.get("content-length")
    if raw is None:
        return None
    if not raw.isdigit():
        raise UploadRefused(400, "invalid Content-Length")
    return int(raw)


async def _stream_to_disk(pending: PendingUpload, receive: Receive) -> int:
    size = 0
    # O_EXCL through "xb": the random name must be new; never follow a planted file.
    async with await anyio.open_file(pending.path, "xb") as f:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise UploadRefused(400, "the client went away")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > pending.limit:
                raise UploadRefused(
                    413,
                    f"the file is larger than the {pending.limit / 1024 / 1024:.1f} MB limit "
                    "(server.maxUploadSize): upload a smaller file",
                )
            if chunk:
                await f.write(chunk)
            if not message.get("more_body", False):
                return size


async def _answer(send: Send, status: int, body: object, *, close: bool = False) -> None:
    data = b"" if body is None else json.dumps(body).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(data)).encode()),
        (b"cache-control", b"no-store"),
        (b"x-content-type-options", b"nosniff"),
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})
