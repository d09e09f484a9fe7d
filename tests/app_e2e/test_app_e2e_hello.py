"""`bastion hello` opens a working page: the README's main job."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from e2e_support import AppServer, start_app, stop_app
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def hello(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    server = start_app(["hello"], tmp_path_factory.mktemp("hello"))
    yield server
    stop_app(server)


def test_hello_opens_and_reacts(page: Any, hello: AppServer) -> None:
    page.goto(hello.url)
    expect(page.get_by_role("heading", name="Hello, Bastion")).to_be_visible()
    assert page.title() == "Hello, Bastion"
    expect(page.get_by_test_id("stSidebar")).to_be_visible()
    page.get_by_label("Your name").fill("Grace")
    page.get_by_label("Your name").press("Enter")
    expect(page.get_by_text("Hi, Grace!")).to_be_visible()
    page.get_by_role("button", name="Celebrate").click()
    expect(page.get_by_test_id("stAlert").filter(has_text="Done")).to_be_visible()
    page.get_by_role("tab", name="Code").click()
    expect(page.get_by_test_id("stCode")).to_contain_text("import bastion as st")


def test_hello_is_a_multipage_gallery(page: Any, hello: AppServer) -> None:
    page.goto(hello.url)
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_role("link", name="Hello")).to_have_attribute("aria-current", "page")
    nav.get_by_role("link", name="Pages").click()
    expect(page.get_by_role("heading", name="Pages 🧭")).to_be_visible()
    assert page.url == hello.url + "navigation"
    expect(page).to_have_title("Pages")
    page.get_by_test_id("stPageLink").get_by_role("link", name="Back to the tour").click()
    expect(page.get_by_role("heading", name="Hello, Bastion")).to_be_visible()
    expect(page).to_have_title("Hello, Bastion")
    page.go_back()
    expect(page.get_by_role("heading", name="Pages 🧭")).to_be_visible()
