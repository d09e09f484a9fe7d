"""The dataframe grid in Chromium: a 1,000,000-row frame scrolled to its middle and end (rows
fetched lazily, only the visible ones in the DOM), sorted by a header click, and a data_editor
cell edited."""

from __future__ import annotations

from typing import Any

import pytest
from e2e_support import AppServer, app_fixture
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

app = app_fixture("data_app.py")


def first_cell(grid: Any, col: str) -> Any:
    return grid.locator(f".grid-row:not(.loading) [data-col='{col}']").first


def scroll_to(grid: Any, fraction: float) -> None:
    grid.locator(".grid-scroll").evaluate(
        "(el, f) => { el.scrollTop = (el.scrollHeight - el.clientHeight) * f;"
        " el.dispatchEvent(new Event('scroll')); }",
        fraction,
    )


def test_big_frame_scrolls_sorts_and_keeps_the_dom_small(page: Any, app: AppServer) -> None:
    page.goto(app.url)
    grid = page.get_by_test_id("stDataFrame")
    expect(grid).to_have_attribute("data-rows", "1000000", timeout=30_000)
    expect(first_cell(grid, "label")).to_have_text("r0")
    assert grid.locator(".grid-row").count() < 40  # virtualized: never a million nodes

    scroll_to(grid, 0.5)
    expect(grid.locator(".grid-row.loading")).to_have_count(0)
    middle = int(first_cell(grid, "n").inner_text())
    assert 499_000 < middle < 501_000, middle
    expect(first_cell(grid, "label")).to_have_text(f"r{middle}")

    scroll_to(grid, 1.0)
    expect(grid.locator(".grid-row.loading")).to_have_count(0)
    expect(grid.locator("[data-col='label']", has_text="r999999")).to_be_visible()
    last = grid.locator(".grid-row").last
    expect(last.locator("[data-col='n']")).to_have_text("999999")
    assert grid.locator(".grid-row").count() < 40

    # Sort descending on the server: two clicks on the header (ascending, then descending).
    scroll_to(grid, 0.0)
    header = grid.get_by_role("columnheader", name="n")
    header.click()
    header.click()
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(first_cell(grid, "n")).to_have_text("999999")
    expect(first_cell(grid, "label")).to_have_text("r999999")


def test_data_editor_cell_edit_reaches_the_script(page: Any, app: AppServer) -> None:
    page.goto(app.url)
    expect(page.get_by_text("total qty: 6")).to_be_visible(timeout=30_000)
    editor = page.get_by_test_id("stDataFrameEditor")
    cell = editor.locator(".grid-row[data-row='1'] [data-col='qty']")
    cell.dblclick()
    box = cell.locator("input")
    box.fill("40")
    box.press("Enter")
    expect(page.get_by_text("total qty: 44")).to_be_visible()
    expect(cell).to_have_text("40")
    # Cell text is text: markup in a cell shows as written and never runs.
    name = editor.locator(".grid-row[data-row='2'] [data-col='name']")
    expect(name).to_have_text("<img src=x onerror=window.__xss=1>")
    assert editor.locator("img").count() == 0
    assert page.evaluate("window.__xss") is None
