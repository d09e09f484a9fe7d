"""The socket drops; the page reconnects, resumes the same session, and keeps working."""

from __future__ import annotations

from typing import Any

import pytest
from e2e_support import AppServer, app_fixture
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

app = app_fixture("widgets_app.py")


def test_reconnect_resumes_the_session(page: Any, app: AppServer) -> None:
    page.goto(app.url)
    button = page.get_by_role("button", name="Click me")
    button.click()
    expect(page.get_by_text("clicks: 1")).to_be_visible()

    page.evaluate("window.__bastion.dropConnection()")
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-connection", "open")
    # Same session: session_state survived, and widgets still drive reruns.
    button.click()
    expect(page.get_by_text("clicks: 2")).to_be_visible()


def test_value_changed_while_offline_is_sent_after_reconnect(page: Any, app: AppServer) -> None:
    page.goto(app.url)
    expect(page.get_by_text("clicks: 0")).to_be_visible()
    # Change a widget in the same task as the drop: the value is kept and sent once resumed.
    page.evaluate("window.__bastion.dropConnection()")
    page.get_by_label("Fruit").select_option("cherry")
    expect(page.get_by_text("fruit: cherry")).to_be_visible()


def test_a_new_tab_gets_a_new_session(page: Any, app: AppServer, browser: Any) -> None:
    page.goto(app.url)
    page.get_by_role("button", name="Click me").click()
    expect(page.get_by_text("clicks: 1")).to_be_visible()
    other = browser.new_context().new_page()
    other.goto(app.url)
    expect(other.get_by_text("clicks: 0")).to_be_visible()
    other.context.close()
