"""Request bodies as Piston clients really send them.

Piston refuses (415) anything whose Content-Type is not `application/json`, which breaks both
public clients: npm `piston-client` sends JSON as `text/plain`, PyPI `pistonapi` sends a form.
Here JSON is parsed whatever the Content-Type, and form bodies are mapped onto the JSON shape
(`files=<code>` repeated -> `[{"content": <code>}]`, `args` repeated -> a list, numeric limits ->
numbers), except that a "form" which is really a JSON object (`curl -d '{...}'`) is read as JSON.
Malformed JSON keeps Piston's `stack` key and adds a readable `message`.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final
from urllib.parse import parse_qsl

from starlette.requests import Request

from bastion.sandbox.service.piston import RequestError

_NUMBER: Final = re.compile(r"-?\d+(\.\d+)?")
_LIST_FIELDS: Final = frozenset({"files", "args"})


class MalformedJSON(RequestError):
    def __init__(self, detail: str) -> None:
        super().__init__(f"the request body is not valid JSON ({detail}); send a JSON object")
        self.stack = f"SyntaxError: {detail}"


async def read_limited(request: Request, max_bytes: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise RequestError(
            f"the request body is {declared} bytes; the limit is {max_bytes}", status=413
        )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise RequestError(
                f"the request body is over the limit of {max_bytes} bytes", status=413
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _form_value(key: str, value: str) -> Any:
    if key.endswith(("_timeout", "_cpu_time", "_memory_limit")) and _NUMBER.fullmatch(value):
        return float(value) if "." in value else int(value)
    return value


def parse_form(raw: bytes) -> dict[str, Any]:
    out: dict[str, Any] = {}
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise RequestError("the form body is not valid UTF-8") from None
    for key, value in pairs:
        base = key[:-2] if key.endswith("[]") else key
        if base in _LIST_FIELDS:
            out.setdefault(base, []).append(value)
        else:
            out[base] = _form_value(base, value)
    if isinstance(out.get("files"), list):
        out["files"] = [{"content": c} for c in out["files"]]
    return out


def parse_body(raw: bytes, content_type: str) -> Any:
    """JSON (whatever the Content-Type) or an urlencoded form; an empty body is `{}` as in
    Express, so the first missing field gets its usual message."""
    stripped = raw.lstrip()
    is_form = content_type.split(";")[0].strip().lower() == "application/x-www-form-urlencoded"
    # `curl -d '{...}'` labels JSON as a form; a real form never starts with a brace.
    if is_form and not stripped.startswith((b"{", b"[")):
        return parse_form(raw)
    if not stripped:
        return {}
    try:
        return json.loads(raw)
    except UnicodeDecodeError:
        raise MalformedJSON("the body is not UTF-8") from None
    except json.JSONDecodeError as e:
        raise MalformedJSON(f"{e.msg} at position {e.pos}") from None


async def read_json(request: Request, max_bytes: int) -> Any:
    raw = await read_limited(request, max_bytes)
    return parse_body(raw, request.headers.get("content-type", ""))
