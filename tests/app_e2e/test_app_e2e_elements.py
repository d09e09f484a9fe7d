"""Every v1 element and block renders in Chromium, and the widgets not covered elsewhere work."""

from __future__ import annotations

from typing import Any

import pytest
from e2e_support import AppServer, app_fixture
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

app = app_fixture("elements_app.py")


def test_every_element_renders(page: Any, app: AppServer) -> None:
    page.goto(app.url)
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-running", "false")
    expect(page.get_by_role("heading", name="All elements")).to_be_visible()
    expect(page.get_by_role("heading", name="A header")).to_be_visible()
    expect(page.get_by_role("link", name="link")).to_have_attribute("href", "https://example.com")
    expect(page.get_by_test_id("stCaption")).to_have_text("a caption")
    expect(page.get_by_test_id("stText")).to_have_text("preformatted   text")
    expect(page.get_by_test_id("stCode")).to_contain_text("print('there')")
    expect(page.get_by_test_id("stJson").first).to_contain_text('"b"')
    expect(page.get_by_test_id("stJson").nth(1)).to_contain_text('"written"')
    expect(page.get_by_test_id("stMetricValue")).to_have_text("21 °C")
    expect(page.get_by_test_id("stMetricDelta")).to_contain_text("1.5 °C")
    for text in ("it worked", "for your information", "careful", "it failed"):
        expect(page.get_by_test_id("stAlert").filter(has_text=text)).to_be_visible()
    expect(page.get_by_test_id("stException")).to_contain_text("ValueError")
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "40")
    expect(page.get_by_test_id("stColumn")).to_have_count(2)
    expect(page.get_by_text("in a container")).to_be_visible()
    expect(page.get_by_text("inside the expander")).to_be_visible()
    expect(page.get_by_text("placeholder filled")).to_be_visible()
    expect(page.get_by_text("content A")).to_be_visible()
    # Dispatched on the tab itself: under CI load, late layout (lazy chunks above) can move the
    # tab between Playwright's stability check and its pointer click, which then lands elsewhere.
    tab_b = page.get_by_role("tab", name="Tab B")
    tab_b.dispatch_event("click")
    expect(tab_b).to_have_attribute("aria-selected", "true")
    expect(page.get_by_text("content B")).to_be_visible()
    page.get_by_test_id("stExpander").locator("summary").click()
    expect(page.get_by_text("inside the expander")).to_be_hidden()


def test_toggle_select_slider_range_slider_and_text_area(page: Any, app: AppServer) -> None:
    page.goto(app.url)
    page.get_by_role("switch", name="Dark mode").check()
    expect(page.get_by_text("toggle: True")).to_be_visible()

    size = page.get_by_role("slider", name="Size")
    size.focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_text("size: L")).to_be_visible()

    end = page.get_by_role("slider", name="Range end")
    end.focus()
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_text("range: 2-7")).to_be_visible()

    story = page.get_by_label("Story")
    story.fill("once upon a time")
    story.press("Control+Enter")
    expect(page.get_by_text("story: once upon a time")).to_be_visible()
