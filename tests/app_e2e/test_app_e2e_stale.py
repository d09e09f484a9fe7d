"""During a run the previous run's elements stay, faded; those the run did not write go after it."""

from __future__ import annotations

from typing import Any

import pytest
from e2e_support import AppServer, app_fixture
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

app = app_fixture("stale_app.py")


def test_stale_elements_fade_during_a_run_and_go_after_it(page: Any, app: AppServer) -> None:
    page.goto(app.url)
    idle_c = page.get_by_test_id("stElementContainer").filter(has_text="idle C")
    expect(idle_c).to_be_visible()
    expect(idle_c).not_to_have_attribute("data-stale", "true")

    page.get_by_role("button", name="Slow run").click()
    expect(page.get_by_test_id("stStatusWidget")).to_be_visible()
    expect(page.get_by_text("first")).to_be_visible()
    expect(idle_c).to_have_attribute("data-stale", "true")
    expect(idle_c).to_have_class("element stale")

    expect(page.get_by_text("after the pause")).to_be_visible()
    expect(idle_c).to_have_count(0)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0)
