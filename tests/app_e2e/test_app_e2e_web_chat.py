"""`bastion chat --web` in Chromium: one turn with approval, against the fake OpenAI server and
the real sandbox. The page shows the block with its language, waits for Run, and shows output."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_support import AppServer, start_app, stop_app
from playwright.sync_api import expect

sys.path.insert(0, str(Path(__file__).parents[1] / "interpreter"))
from fake_openai import FakeOpenAI, Reply, ToolCall

pytestmark = [pytest.mark.e2e, pytest.mark.sandbox]


@pytest.fixture(scope="module")
def llm() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture(scope="module")
def app(llm: FakeOpenAI, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    from bastion.sandbox.policy import Policy

    work = Path(tempfile.mkdtemp(prefix="bastion-webchat-e2e-"))
    policy = Policy()
    os.chown(work, policy.box_uid, policy.box_gid)
    cwd = tmp_path_factory.mktemp("webchat")
    args = ["chat", "--web", "--model", "fake", "--base-url", llm.base_url]
    args += ["--workdir", str(work), "--no-history", "--profile", str(cwd / "none.toml")]
    (cwd / "none.toml").write_text("")
    server = start_app(args, cwd)
    yield server
    stop_app(server)
    shutil.rmtree(work, ignore_errors=True)


def test_one_turn_with_approval(page: Any, app: AppServer, llm: FakeOpenAI) -> None:
    llm.script(
        Reply(
            chunks=["I will ", "multiply."], tool_calls=[ToolCall.execute("python", "print(6 * 7)")]
        )
    )
    llm.script(Reply.text("It is **42**."))
    page.goto(app.url)
    expect(page.get_by_role("heading", name="Bastion chat")).to_be_visible()
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill("what is 6*7?")
    box.press("Enter")
    expect(page.get_by_text("Run this python block in the sandbox?")).to_be_visible()
    expect(page.get_by_test_id("stCode").first).to_contain_text("print(6 * 7)")
    expect(box).to_be_disabled()
    page.get_by_role("button", name="Run", exact=True).click()
    expect(page.locator("strong", has_text="42")).to_be_visible()
    codes = page.get_by_test_id("stCode")
    expect(codes.nth(1)).to_contain_text("42")
    expect(page.get_by_text("✅ finished")).to_be_visible()
    expect(box).to_be_enabled()


def test_output_streams_live_and_stop_interrupts_the_block(
    page: Any, app: AppServer, llm: FakeOpenAI
) -> None:
    code = "import time\nprint('tick', flush=True)\ntime.sleep(20)\nprint('tock')"
    llm.script(Reply(tool_calls=[ToolCall.execute("python", code)]))
    llm.script(Reply.text("Stopped, as you asked."))
    page.goto(app.url)
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill("wait a while")
    box.press("Enter")
    page.get_by_role("button", name="Run", exact=True).click()
    codes = page.get_by_test_id("stCode")
    expect(codes.last).to_contain_text("tick")  # shown while the block still runs
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-running", "true")
    page.get_by_role("button", name="Stop the turn").click()
    expect(page.get_by_text("⏹️ stopped")).to_be_visible()
    expect(codes.last).not_to_contain_text("tock")
    expect(box).to_be_enabled()
