"""The newer inputs in Chromium: set a date, a color and a pill; each reaches the script, and a
cached function's element is replayed on the rerun that hits."""

from __future__ import annotations

from typing import Any

import pytest
from e2e_support import AppServer, app_fixture
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

app = app_fixture("inputs_app.py")


def test_date_color_pill_and_cached_replay(page: Any, app: AppServer) -> None:
    page.goto(app.url)
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-running", "false")
    expect(page.get_by_text("day is 2024-05-01")).to_be_visible()

    page.get_by_label("Day").fill("2024-07-04")
    expect(page.get_by_text("day is 2024-07-04")).to_be_visible()

    page.get_by_label("Color").fill("#ff8800")
    expect(page.get_by_text("color is #ff8800")).to_be_visible()

    expect(page.get_by_text("computed 0")).to_be_visible()
    page.get_by_role("button", name="banana").click()
    expect(page.get_by_text("pill is banana")).to_be_visible()
    expect(page.get_by_role("button", name="banana")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_text("square is 36")).to_be_visible()
    expect(page.get_by_text("computed 6")).to_be_visible()

    page.get_by_role("button", name="3 stars").click()
    expect(page.get_by_text("stars: 2")).to_be_visible()
    # a rerun that hits the cache still shows the cached function's caption
    expect(page.get_by_text("computed 6")).to_be_visible()
    assert page.evaluate("window.__xss") is None
