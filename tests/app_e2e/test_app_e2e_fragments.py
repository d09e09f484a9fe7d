"""Fragments, dialog, toast, popover and status in Chromium."""

from __future__ import annotations

from typing import Any

import pytest
from e2e_support import AppServer, app_fixture
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

app = app_fixture("fragments_app.py")


def test_fragment_button_updates_only_the_fragment(page: Any, app: AppServer) -> None:
    page.goto(app.url)
    expect(page.get_by_text("outer runs: 1")).to_be_visible()
    page.get_by_role("button", name="Inside fragment").click()
    expect(page.get_by_text("fragment clicks: 1")).to_be_visible()
    page.get_by_role("button", name="Inside fragment").click()
    expect(page.get_by_text("fragment clicks: 2")).to_be_visible()
    expect(page.get_by_text("outer runs: 1")).to_be_visible()  # the page around it did not rerun
    page.get_by_role("button", name="Full rerun").click()
    expect(page.get_by_text("outer runs: 2")).to_be_visible()
    expect(page.get_by_text("fragment clicks: 2")).to_be_visible()


def test_dialog_opens_takes_input_and_closes(page: Any, app: AppServer) -> None:
    page.goto(app.url)
    page.get_by_role("button", name="Open dialog").click()
    dialog = page.get_by_test_id("stDialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_text("Your name")).to_be_visible()
    box = dialog.get_by_role("textbox")
    box.fill("Ada")
    box.press("Enter")
    expect(dialog.get_by_text("typed: Ada")).to_be_visible()  # a fragment run of the dialog
    expect(page.get_by_text("outer runs: 2")).to_be_visible()  # only the click that opened it
    dialog.get_by_role("button", name="Save").click()  # st.rerun(): a full run closes it
    expect(page.get_by_text("saved: Ada")).to_be_visible()
    expect(page.get_by_test_id("stDialog")).to_have_count(0)
    # The X closes it too, with no rerun.
    page.get_by_role("button", name="Open dialog").click()
    expect(page.get_by_test_id("stDialog")).to_be_visible()
    page.get_by_role("button", name="Close").click()
    expect(page.get_by_test_id("stDialog")).to_have_count(0)
    # And Escape.
    page.get_by_role("button", name="Open dialog").click()
    expect(page.get_by_test_id("stDialog")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("stDialog")).to_have_count(0)


def test_toast_popover_and_status(page: Any, app: AppServer) -> None:
    page.goto(app.url)
    page.get_by_role("button", name="Toast me").click()
    toast = page.get_by_test_id("stToast")
    expect(toast).to_contain_text("Hello from a toast")
    page.get_by_role("button", name="Full rerun").click()  # a toast outlives the next run
    expect(page.get_by_text("outer runs: 3")).to_be_visible()
    expect(toast).to_be_visible()
    toast.get_by_role("button", name="Close").click()
    expect(toast).to_have_count(0)

    body = page.get_by_test_id("stPopoverBody")
    expect(body).to_be_hidden()
    page.get_by_role("button", name="More").click()
    expect(body.get_by_text("inside the popover")).to_be_visible()
    page.keyboard.press("Escape")
    expect(body).to_be_hidden()

    status = page.get_by_test_id("stStatus")
    expect(status).to_have_attribute("data-state", "complete")
    expect(status.get_by_text("step one")).to_be_visible()
