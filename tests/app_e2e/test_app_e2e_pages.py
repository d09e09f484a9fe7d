"""Multipage in Chromium: the sidebar menu, page links, st.switch_page, back/forward, deep links,
unknown pages and per-page tab titles."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from e2e_support import APPS, AppServer, start_app, stop_app
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    server = start_app(["run", str(APPS / "mpa" / "main.py")], tmp_path_factory.mktemp("mpa"))
    yield server
    stop_app(server)


def heading(page: Any, name: str) -> Any:
    return page.get_by_role("heading", name=name)


def test_sidebar_menu_and_back_forward(page: Any, app: AppServer) -> None:
    page.goto(app.url)
    expect(heading(page, "Main page")).to_be_visible()
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_role("link")).to_have_text(["main", "second page", "🎯Target"])
    expect(nav.get_by_role("link", name="main")).to_have_attribute("aria-current", "page")
    nav.get_by_role("link", name="second page").click()
    expect(heading(page, "Second page")).to_be_visible()
    assert page.url == app.url + "second_page"
    expect(page).to_have_title("second page")
    page.get_by_label("Second input").fill("hi")
    page.get_by_label("Second input").press("Enter")
    expect(page.get_by_text("typed: hi")).to_be_visible()
    page.go_back()
    expect(heading(page, "Main page")).to_be_visible()
    assert page.url == app.url
    page.go_forward()
    expect(heading(page, "Second page")).to_be_visible()
    # Widget state of a page left behind is dropped, as in Streamlit.
    expect(page.get_by_label("Second input")).to_have_value("")


def test_page_link_switch_page_and_deep_link(page: Any, app: AppServer) -> None:
    page.goto(app.url + "Target")  # a deep link: the server runs that page first
    expect(heading(page, "Target page")).to_be_visible()
    expect(page).to_have_title("Target")
    page.get_by_test_id("stPageLink").get_by_role("link", name="Home again").click()
    expect(heading(page, "Main page")).to_be_visible()
    assert page.url == app.url
    page.get_by_test_id("stPageLink").get_by_role("link", name="Go to target").click()
    expect(heading(page, "Target page")).to_be_visible()
    page.go_back()
    expect(heading(page, "Main page")).to_be_visible()
    page.get_by_role("button", name="Switch to second").click()
    expect(heading(page, "Second page")).to_be_visible()
    assert page.url == app.url + "second_page"
    page.go_back()  # st.switch_page made a history entry
    expect(heading(page, "Main page")).to_be_visible()


def test_unknown_page_shows_main_page_and_a_message(page: Any, app: AppServer) -> None:
    page.goto(app.url + "..%2F..%2Fetc%2Fpasswd")
    expect(page.get_by_test_id("stPageNotFound")).to_contain_text("Page not found")
    expect(heading(page, "Main page")).to_be_visible()
    assert page.url == app.url


@pytest.fixture(scope="module")
def top_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    server = start_app(["run", str(APPS / "mpa_top" / "app.py")], tmp_path_factory.mktemp("top"))
    yield server
    stop_app(server)


def test_navigation_at_the_top_with_sections_and_function_pages(
    page: Any, top_app: AppServer
) -> None:
    page.goto(top_app.url + "two")
    expect(heading(page, "Second section page")).to_be_visible()
    top = page.get_by_test_id("stTopNav")
    expect(top).to_contain_text("One")
    expect(page.get_by_test_id("stSidebarNav")).to_have_count(0)
    top.get_by_role("link", name="first").click()
    expect(heading(page, "First section page")).to_be_visible()
    assert page.url == top_app.url
