"""st.components.v1 in Chromium: a declared component talks to the page through the Streamlit
messages, from an opaque origin; another frame forging the same messages is ignored."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from e2e_support import APPS, AppServer, app_fixture, start_app, stop_app
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


@pytest.fixture(scope="module")
def url_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    # The component's "dev server": another origin (another port) on loopback.
    handler = functools.partial(
        http.server.SimpleHTTPRequestHandler, directory=str(APPS / "echo_component")
    )
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    old = os.environ.get("BASTION_E2E_COMPONENT_URL")
    os.environ["BASTION_E2E_COMPONENT_URL"] = f"http://127.0.0.1:{httpd.server_port}/index.html"
    try:
        server = start_app(
            ["run", str(APPS / "url_component_app.py")], tmp_path_factory.mktemp("u")
        )
    finally:
        if old is None:
            os.environ.pop("BASTION_E2E_COMPONENT_URL", None)
        else:
            os.environ["BASTION_E2E_COMPONENT_URL"] = old
    yield server
    stop_app(server)
    httpd.shutdown()
    httpd.server_close()


def test_a_url_component_from_another_origin_works_sandboxed(page: Any, url_app: AppServer) -> None:
    page.goto(url_app.url)
    expect(page.get_by_text("url ready")).to_be_visible()
    component = page.get_by_test_id("stCustomComponentV1").locator("iframe")
    expect(component).to_have_attribute("sandbox", "allow-scripts")
    inner = page.frame_locator("[data-testid=stCustomComponentV1] iframe")
    expect(inner.locator("#args")).to_have_text("greeting: remote")
    inner.locator("#send").click()
    expect(page.get_by_text("url component value: {'clicked': 'remote'}")).to_be_visible()
    frame = next(f for f in page.frames if f != page.main_frame)
    assert frame.evaluate("origin") == "null"  # its own server's origin does not apply either
