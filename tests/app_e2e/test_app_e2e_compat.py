"""st.graphviz_chart, st.pdf, st.datetime_input and st.bottom in Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from e2e_support import CHROMIUM, CHROMIUM_FLAGS, AppServer, app_fixture
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

app = app_fixture("compat_app.py")


def open_app(page: Any, app: AppServer) -> None:
    page.goto(app.url)
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-running", "false")


def test_graphviz_renders_as_an_svg_image(page: Any, app: AppServer) -> None:
    open_app(page, app)
    img = page.get_by_test_id("stGraphVizChart").locator("img")
    expect(img).to_be_visible()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=stGraphVizChart] img').naturalWidth > 50"
    )
    response = page.request.get(app.url.rstrip("/") + "/" + img.get_attribute("src").lstrip("/"))
    assert response.headers["content-type"] == "image/svg+xml"
    assert "sandbox" in response.headers["content-security-policy"]
    assert b"world" in response.body()


def test_pdf_viewer_loads_and_its_scripts_stay_out(page: Any, app: AppServer) -> None:
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    open_app(page, app)
    frame_el = page.get_by_test_id("stPdf").locator("iframe")
    expect(frame_el).to_be_visible()
    src = frame_el.get_attribute("src")
    assert "/_bastion/media/" in src
    assert src.endswith(".pdf")
    # The browser's PDF viewer (Chromium's extension frame) loads inside the frame.
    for _ in range(50):
        if any(f.url.startswith("chrome-extension://") for f in page.frames):
            break
        page.wait_for_timeout(100)
    urls = [f.url for f in page.frames]
    assert any(u.startswith("chrome-extension://") for u in urls), urls
    assert any(u.endswith(".pdf") for u in urls), urls
    # The PDF's own JavaScript did run, inside the viewer (PDFium's isolated interpreter, which
    # has no DOM): it raised its alert, and its write to the app's title went nowhere. The HTML
    # and <script> after the PDF header were never parsed as HTML (application/pdf + nosniff).
    for _ in range(50):
        if dialogs:
            break
        page.wait_for_timeout(100)
    assert dialogs == ["pdf js"]
    assert page.evaluate("() => document.title") != "pwned"
    assert page.evaluate("() => window.pwned") is None
    frame_doc = (
        "() => { const d = document.querySelector('[data-testid=stPdf] iframe').contentDocument;"
        " return d && [d.querySelectorAll('script').length, d.body.innerHTML.includes('pwned')]; }"
    )
    assert page.evaluate(frame_doc) in (None, [0, False])
    download = page.get_by_test_id("stPdf").get_by_role("link")
    expect(download).to_have_attribute("download", "document.pdf")
    response = page.request.get(app.url.rstrip("/") + "/" + src.lstrip("/"))
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    csp = response.headers["content-security-policy"]
    assert csp.endswith("sandbox")
    assert "frame-ancestors 'self'" in csp  # framed by our pages only, whatever X-Frame-Options


def test_datetime_input_round_trip(page: Any, app: AppServer) -> None:
    open_app(page, app)
    expect(page.get_by_text("meeting at 2024-05-01T09:30:00")).to_be_visible()
    field = page.get_by_test_id("stDateTimeInput").locator("input")
    expect(field).to_have_value("2024-05-01T09:30")
    assert field.get_attribute("min") == "2024-01-01T00:00"
    field.fill("2024-07-04T12:15")
    expect(page.get_by_text("meeting at 2024-07-04T12:15:00")).to_be_visible()


def test_bottom_is_pinned(page: Any, app: AppServer) -> None:
    page.set_viewport_size({"width": 900, "height": 400})
    open_app(page, app)
    bottom = page.get_by_test_id("stBottom")
    expect(bottom).to_contain_text("pinned at the bottom")
    box = bottom.bounding_box()
    assert box is not None
    assert abs(box["y"] + box["height"] - 400) < 2  # at the viewport's bottom edge


@pytest.fixture(scope="module")
def mic_browser(browser: Any) -> Iterator[Any]:
    """Chromium with its fake microphone (a beep) and no permission prompt (launched through the
    shared fixture's Playwright: one sync Playwright per thread)."""
    flags = [
        *CHROMIUM_FLAGS,
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
    ]
    b = browser.browser_type.launch(executable_path=CHROMIUM, args=flags, headless=True)
    yield b
    b.close()


def test_audio_input_records_and_uploads_wav(mic_browser: Any, app: AppServer) -> None:
    context = mic_browser.new_context(permissions=["microphone"])
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        open_app(page, app)
        widget = page.get_by_test_id("stAudioInput")
        widget.get_by_role("button", name="Record").click()
        stop = widget.get_by_role("button", name="Stop recording")
        expect(stop).to_be_visible()
        page.wait_for_timeout(700)
        stop.click()
        expect(page.get_by_text("got recording.wav audio/wav riff=True rate=16000")).to_be_visible()
        expect(widget.locator("audio")).to_be_visible()
    finally:
        context.close()
