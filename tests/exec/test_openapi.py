"""The OpenAPI document and the route table agree, both ways; the public API is curated."""

from __future__ import annotations

import re
import types
from typing import Any, cast

from starlette.routing import Route, WebSocketRoute

import bastion.sandbox.service as service
from bastion.protocol.exec import Sandbox
from bastion.sandbox.service import create_app
from bastion.sandbox.service.openapi import document


class _NoSandbox:
    """Only the route table is inspected here: nothing runs."""

    def runtimes(self) -> list[Any]:
        return []

    async def run(self, job: Any) -> Any:
        raise AssertionError("nothing runs in this test")


def _routes() -> set[tuple[str, str]]:
    app = create_app(cast(Sandbox, _NoSandbox()))
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        path = re.sub(r"\{(\w+)(:\w+)?\}", r"{\1}", route.path)  # type: ignore[attr-defined]
        if isinstance(route, WebSocketRoute):
            found.add(("get", path))
        elif isinstance(route, Route):
            found |= {(m.lower(), path) for m in (route.methods or ()) if m != "HEAD"}
    return found


def test_every_route_is_documented_and_nothing_else() -> None:
    documented = {(m, p) for p, ops in document()["paths"].items() for m in ops}
    assert _routes() == documented


def test_public_api_is_complete() -> None:
    public = {
        n
        for n, v in vars(service).items()
        if not n.startswith("_") and not isinstance(v, types.ModuleType) and n != "annotations"
    }
    assert public == set(service.__all__)
