"""Media in Chromium: an image renders, a file goes up and comes back down byte for byte, and a
player seeks through HTTP ranges."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from e2e_support import AppServer, app_fixture
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

app = app_fixture("media_app.py")
PAYLOAD = bytes(range(256)) * 300 + b"\x00end"


def open_app(page: Any, app: AppServer) -> None:
    page.goto(app.url)
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-running", "false")


def test_image_renders(page: Any, app: AppServer) -> None:
    open_app(page, app)
    img = page.get_by_test_id("stImage").locator("img")
    expect(img).to_be_visible()
    expect(page.get_by_text("a red box")).to_be_visible()
    page.wait_for_function(
        "() => document.querySelector('[data-testid=stImage] img').naturalWidth === 40"
    )
    src = img.get_attribute("src")
    response = page.request.get(app.url.rstrip("/") + src)
    assert response.status == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_upload_then_download_the_same_bytes(page: Any, app: AppServer, tmp_path: Path) -> None:
    open_app(page, app)
    page.get_by_test_id("stFileUploaderInput").set_input_files(
        {"name": "payload.bin", "mimeType": "application/octet-stream", "buffer": PAYLOAD}
    )
    expect(page.get_by_text(f"got payload.bin ({len(PAYLOAD)} bytes)")).to_be_visible()
    expect(page.get_by_test_id("stFileUploaderFile")).to_contain_text("payload.bin")
    with page.expect_download() as info:
        page.get_by_text("Download it back").click()
    download = info.value
    assert download.suggested_filename == "back-payload.bin"
    target = tmp_path / "back.bin"
    download.save_as(target)
    assert target.read_bytes() == PAYLOAD
    # Removing the file clears the widget's value.
    page.get_by_role("button", name="Remove payload.bin").click()
    expect(page.get_by_text("got payload.bin")).to_have_count(0)


def test_video_starts_late_and_seeks_with_ranges(page: Any, app: AppServer) -> None:
    ranges: list[tuple[int, str]] = []
    page.on(
        "response",
        lambda r: (
            ranges.append((r.status, r.request.headers.get("range", "")))
            if "/_bastion/media/" in r.url and r.url.endswith(".wav")
            else None
        ),
    )
    open_app(page, app)
    video = page.get_by_test_id("stVideo").locator("video")
    expect(video).to_be_attached()
    page.wait_for_function(
        "() => { const v = document.querySelector('[data-testid=stVideo] video');"
        " return v && v.readyState >= 1 && Math.abs(v.currentTime - 1) < 0.01; }"
    )
    seeked = page.evaluate(
        """() => new Promise((resolve) => {
            const v = document.querySelector('[data-testid=stVideo] video');
            v.addEventListener('seeked', () => resolve(v.currentTime), { once: true });
            v.currentTime = 55;
        })"""
    )
    assert abs(seeked - 55) < 0.5
    page.wait_for_function(
        "() => document.querySelector('[data-testid=stVideo] video').readyState >= 2"
    )
    assert any(status == 206 for status, _ in ranges), ranges
    # The seek far into the file was served from a byte range that starts past the beginning.
    starts = [int(r.split("=")[1].split("-")[0]) for s, r in ranges if s == 206 and "=" in r]
    assert any(start > 1_000_000 for start in starts), ranges
