"""st.latex draws native MathML, badges are coloured, st.help is text, st.snow falls."""

from __future__ import annotations

from typing import Any

import pytest
from e2e_support import AppServer, app_fixture
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

app = app_fixture("extras_app.py")


def test_latex_badge_help_space_and_snow(page: Any, app: AppServer) -> None:
    page.goto(app.url)
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-running", "false")
    math = page.get_by_test_id("stLatex").locator("math")
    expect(math.locator("mfrac")).to_have_count(1)
    box = math.bounding_box()
    assert box is not None
    assert box["height"] > 20  # MathML laid out (a fraction is taller than a line of text)
    badge = page.locator("span.bst-green-badge")
    expect(badge).to_have_text("🌱 Fresh")
    assert badge.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"
    space = page.get_by_test_id("stSpace")
    assert space.evaluate("e => e.getBoundingClientRect().height") > 60
    expect(page.get_by_test_id("stHelp")).to_contain_text("(size: 'str | int' = 'small')")
    page.get_by_role("button", name="Let it snow").click()
    expect(page.get_by_test_id("stSnow")).to_be_visible()
