"""Served under a base URL path (behind a reverse proxy): page, assets and socket all follow it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from e2e_support import APPS, AppServer, start_app, stop_app
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    server = start_app(
        ["run", str(APPS / "widgets_app.py"), "--server.baseUrlPath", "/apps/demo"],
        tmp_path_factory.mktemp("base"),
    )
    yield server
    stop_app(server)


def test_the_app_works_under_a_base_path(page: Any, app: AppServer) -> None:
    assert app.url.endswith("/apps/demo/")
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(app.url + "some/client/route")
    page.get_by_role("button", name="Click me").click()
    expect(page.get_by_text("clicks: 1")).to_be_visible()
    assert all("/apps/demo/" in url for url in requests), requests
