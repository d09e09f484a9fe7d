"""A plain chat app in Chromium: the gallery's echo bot streams a reply; Enter sends, Shift+Enter
adds a line; names and text are shown as text, never HTML."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_support import AppServer, start_app, stop_app
from playwright.sync_api import expect

import bastion

pytestmark = pytest.mark.e2e

CHAT_PAGE = Path(bastion.__file__).parent / "server" / "hello" / "pages" / "chat.py"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    server = start_app(["run", str(CHAT_PAGE)], tmp_path_factory.mktemp("chat"))
    yield server
    stop_app(server)


def test_echo_bot_turn(page: Any, app: AppServer) -> None:
    page.goto(app.url)
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-running", "false")
    expect(page.get_by_test_id("stChatMessage")).to_have_count(1)
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill("first line")
    box.press("Shift+Enter")  # a new line, not a submission
    box.type("<img src=x onerror=window.__xss=1>")
    expect(page.get_by_test_id("stChatMessage")).to_have_count(1)
    box.press("Enter")
    expect(box).to_have_value("")
    messages = page.get_by_test_id("stChatMessage")
    expect(messages).to_have_count(3)
    expect(messages.nth(1).get_by_test_id("stChatMessageAvatarUser")).to_be_visible()
    expect(messages.nth(2).get_by_test_id("stChatMessageAvatarAssistant")).to_be_visible()
    expect(messages.nth(2)).to_contain_text("You said: first line")
    expect(messages.nth(2)).to_contain_text("onerror=window.__xss=1>")  # shown as text
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-running", "false")
    assert page.evaluate("window.__xss") is None
    # Pinned to the bottom of the viewport, whatever the position of the call in the script.
    box_bottom = page.get_by_test_id("stChatInput").bounding_box()
    viewport = page.viewport_size
    assert box_bottom["y"] + box_bottom["height"] > viewport["height"] - 5
    # The text was a one-shot value: a rerun does not send it again.
    page.get_by_role("button", name="Rerun").click()
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-running", "false")
    expect(messages).to_have_count(3)
