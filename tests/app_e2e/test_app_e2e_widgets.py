"""A Streamlit-style app in Chromium: click, type, drag, select, submit; state survives reruns."""

from __future__ import annotations

from typing import Any

import pytest
from e2e_support import AppServer, app_fixture
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

app = app_fixture("widgets_app.py")


def open_app(page: Any, app: AppServer) -> None:
    page.goto(app.url)
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-running", "false")
    expect(page.get_by_text("clicks: 0")).to_be_visible()


def test_page_renders_with_csp_and_no_script_injection(page: Any, app: AppServer) -> None:
    response = page.goto(app.url)
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.get_by_role("heading", name="Widgets")).to_be_visible()
    expect(page.get_by_test_id("stSidebar")).to_contain_text("in the sidebar")
    expect(page.locator("strong", has_text="bold")).to_be_visible()
    assert page.evaluate("window.__xss") is None


def test_button_click_reruns_and_session_state_counts(page: Any, app: AppServer) -> None:
    open_app(page, app)
    button = page.get_by_role("button", name="Click me")
    button.click()
    expect(page.get_by_text("clicks: 1")).to_be_visible()
    button.click()
    expect(page.get_by_text("clicks: 2")).to_be_visible()


def test_typing_and_enter_sends_the_text(page: Any, app: AppServer) -> None:
    open_app(page, app)
    box = page.get_by_label("Name")
    box.fill("Ada")
    box.press("Enter")
    expect(page.get_by_text("hello Ada")).to_be_visible()


def test_dragging_the_slider_changes_the_value(page: Any, app: AppServer) -> None:
    open_app(page, app)
    slider = page.get_by_role("slider", name="Level")
    box = slider.bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.1, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, y, steps=8)
    page.mouse.move(box["x"] + box["width"] * 0.9, y, steps=8)
    page.mouse.up()
    value = int(slider.input_value())
    assert value > 60
    expect(page.get_by_text(f"level is {value}")).to_be_visible()


def test_keyboard_on_the_slider(page: Any, app: AppServer) -> None:
    open_app(page, app)
    slider = page.get_by_role("slider", name="Level")
    slider.focus()
    before = int(slider.input_value())
    page.keyboard.press("ArrowRight")
    expect(page.get_by_text(f"level is {before + 1}")).to_be_visible()


def test_checkbox_selectbox_multiselect_radio_number(page: Any, app: AppServer) -> None:
    open_app(page, app)
    page.get_by_label("Agree").check()
    expect(page.get_by_text("agreed")).to_be_visible()
    page.get_by_label("Agree").uncheck()
    expect(page.get_by_text("agreed")).to_have_count(0)  # stale element removed after the run

    page.get_by_label("Fruit").select_option("banana")
    expect(page.get_by_text("fruit: banana")).to_be_visible()

    page.get_by_label("Colors").select_option("green")
    expect(page.get_by_text("colors: green")).to_be_visible()
    page.get_by_label("Colors").select_option("red")
    expect(page.get_by_text("colors: green,red")).to_be_visible()
    page.get_by_role("button", name="Remove green").click()
    expect(page.get_by_text("colors: red")).to_be_visible()

    page.get_by_label("L", exact=True).check()
    expect(page.get_by_text("size: L")).to_be_visible()

    page.get_by_role("button", name="Increment").click()
    expect(page.get_by_text("count: 4")).to_be_visible()
    count = page.get_by_label("Count")
    count.fill("42")
    count.press("Enter")
    expect(page.get_by_text("count: 10")).to_be_visible()  # clamped to max_value


def test_form_batches_until_submit(page: Any, app: AppServer) -> None:
    open_app(page, app)
    runs_before = int(page.get_by_test_id("stApp").get_attribute("data-run"))
    page.get_by_label("City").fill("Oslo")
    page.get_by_label("City").blur()
    page.wait_for_timeout(300)
    assert int(page.get_by_test_id("stApp").get_attribute("data-run")) == runs_before
    expect(page.get_by_text("city: -")).to_be_visible()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("city: Oslo")).to_be_visible()


def test_r_key_reruns_unless_typing(page: Any, app: AppServer) -> None:
    open_app(page, app)
    app_root = page.get_by_test_id("stApp")
    run = int(app_root.get_attribute("data-run"))
    page.locator("body").press("r")
    expect(app_root).to_have_attribute("data-run", str(run + 1))
    expect(app_root).to_have_attribute("data-running", "false")
    page.get_by_label("Name").press("r")
    page.wait_for_timeout(200)
    expect(app_root).to_have_attribute("data-run", str(run + 1))
