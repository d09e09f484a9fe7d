"""st.components.v1 in Chromium: a declared component talks to the page through the Streamlit
messages, from an opaque origin; another frame forging the same messages is ignored."""

from __future__ import annotations

from typing import Any

import pytest
from e2e_support import AppServer, app_fixture
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

app = app_fixture("components_app.py")


def test_a_declared_component_round_trip_and_forged_messages_are_ignored(
    page: Any, app: AppServer
) -> None:
    page.goto(app.url)
    expect(page.get_by_text("components ready")).to_be_visible()
    component = page.get_by_test_id("stCustomComponentV1").locator("iframe")
    expect(component).to_have_attribute("sandbox", "allow-scripts")
    inner = page.frame_locator("[data-testid=stCustomComponentV1] iframe")
    # Render args arrived (componentReady answered with streamlit:render) ...
    expect(inner.locator("#args")).to_have_text("greeting: hello")
    # ... setFrameHeight from the component itself is honoured, the forger's 9999 is not.
    expect(component).to_have_attribute("height", "222")
    # The forger has been posting setComponentValue("forged") all along: not accepted.
    page.wait_for_timeout(300)
    expect(page.get_by_text("component value: None")).to_be_visible()
    inner.locator("#send").click()
    expect(page.get_by_text("component value: {'clicked': 'hello'}")).to_be_visible()
    page.wait_for_timeout(300)
    expect(page.get_by_text("forged")).to_have_count(0)
    # The component's document has an opaque origin: the page's cookie was out of its reach.
    frame = next(f for f in page.frames if "_bastion/component/echo" in f.url)
    assert frame.evaluate("window.__leak") == "blocked"
    assert frame.evaluate("origin") == "null"
