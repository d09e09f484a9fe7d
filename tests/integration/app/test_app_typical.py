"""Issue 5's acceptance: a typical Streamlit dashboard and Streamlit's own chat tutorial app run
unchanged (only the import line differs) under AppTest, against a real OpenAI-compatible server."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bastion.testing import AppTest

APPS = Path(__file__).parents[2] / "app_e2e" / "apps"
sys.path.insert(0, str(Path(__file__).parents[2] / "interpreter"))

from fake_openai import FakeOpenAI, Reply  # noqa: E402


@pytest.fixture
def llm() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


def test_the_dashboard_runs_and_its_filters_work() -> None:
    at = AppTest.from_file(str(APPS / "streamlit_dashboard.py"), default_timeout=60).run()
    assert not at.exception, [e.message for e in at.exception]
    revenue = at.metric[0].value
    assert at.metric[2].value == "365"
    assert len(at.dataframe) == 1
    assert at.dataframe[0].num_rows == 365
    assert len(at.get("vega_lite_chart")) == 2
    assert at.download_button[0].label == "Download CSV"

    at.multiselect[0].set_value(["North"]).run()
    assert not at.exception
    assert at.metric[0].value != revenue
    assert 0 < at.dataframe[0].num_rows < 365
    names = [c.name for c in at.dataframe[0].proto.columns]
    regions = {row[names.index("region")] for row in at.dataframe[0].rows()}
    assert regions == {"North"}


def test_the_chat_tutorial_streams_a_reply_and_keeps_the_history(llm: FakeOpenAI) -> None:
    llm.script(Reply.text("Hello! How can I help?"), Reply.text("Paris."))
    at = AppTest.from_file(str(APPS / "streamlit_chat.py"), default_timeout=30)
    at.secrets["OPENAI_API_KEY"] = "sk-test"
    at.secrets["OPENAI_BASE_URL"] = llm.base_url
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert len(at.chat_message) == 0

    at.chat_input[0].set_value("hi").run()
    assert not at.exception, [e.message for e in at.exception]
    assert [m.name for m in at.chat_message] == ["user", "assistant"]
    assert at.chat_message[1].markdown[0].value == "Hello! How can I help?"

    at.chat_input[0].set_value("Capital of France?").run()
    assert [m.name for m in at.chat_message] == ["user", "assistant"] * 2
    assert at.chat_message[3].markdown[0].value == "Paris."
    sent = llm.requests[-1]["messages"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
