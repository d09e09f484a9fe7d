"""st.camera_input in Chromium with its fake camera: the snapshot goes up through the upload
route (with the CSRF token) and the script gets a JPEG; the page's Permissions-Policy lets the
app's own origin use the camera."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from e2e_support import CHROMIUM, CHROMIUM_FLAGS, AppServer, app_fixture
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

app = app_fixture("camera_app.py")


@pytest.fixture(scope="module")
def camera_browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    fake = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS + fake, headless=True)
        yield b
        b.close()


def test_camera_snapshot_reaches_the_script(camera_browser: Any, app: AppServer) -> None:
    context = camera_browser.new_context(permissions=["camera"])
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        response = page.goto(app.url)
        assert "camera=(self)" in response.headers["permissions-policy"]
        expect(page.get_by_test_id("stApp")).to_have_attribute("data-running", "false")
        page.get_by_role("button", name="Enable camera").click()
        page.wait_for_function(
            "() => { const v = document.querySelector('[data-testid=stCameraInput] video');"
            " return v && v.videoWidth > 0; }"
        )
        page.get_by_role("button", name="Take photo").click()
        expect(page.get_by_text("photo camera.jpg image/jpeg")).to_be_visible()
        expect(page.get_by_text("jpeg=True")).to_be_visible()
        page.get_by_role("button", name="Clear photo").click()
        expect(page.get_by_text("photo camera.jpg")).to_have_count(0)
    finally:
        context.close()
