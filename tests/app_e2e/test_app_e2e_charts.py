"""Charts in Chromium: every chart type draws marks under the strict CSP (no
securitypolicyviolation at all: Vega runs its expression interpreter, plotly.js writes its CSS
through the CSSOM), a brush on an Altair chart reaches the script as state, and XSS payloads in
titles and tooltips stay text."""

from __future__ import annotations

from typing import Any

import pytest
from e2e_support import AppServer, app_fixture
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

app = app_fixture("charts_app.py")

_LISTEN = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile));
"""

# A canvas with more than one colour has something drawn on it.
_CANVAS_DRAWN = """(el) => {
  const c = el.querySelector('canvas');
  if (!c || !c.width) return false;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const seen = new Set();
  for (let i = 0; i < d.length; i += 64) {
    seen.add(d[i] + ',' + d[i+1] + ',' + d[i+2] + ',' + d[i+3]);
    if (seen.size > 2) return true;
  }
  return false;
}"""


def open_app(page: Any, app: AppServer) -> None:
    page.add_init_script(_LISTEN)
    page.goto(app.url)
    # `data-running` is also "false" before the first run starts: the script's last line is the
    # signal that the run is over (its first imports of pandas and altair can take a while).
    expect(page.get_by_text("done")).to_be_visible(timeout=90_000)
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-running", "false", timeout=90_000)


def test_every_chart_draws_with_no_csp_violation(page: Any, app: AppServer) -> None:
    open_app(page, app)
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts).to_have_count(7)
    for i in range(7):
        holder = charts.nth(i).locator(".vega-holder")
        expect(holder).to_have_attribute("data-rendered", "1", timeout=20_000)
        assert int(holder.get_attribute("data-marks") or 0) > 0, i
        assert holder.evaluate(_CANVAS_DRAWN), f"chart {i} is blank"
    kinds = [charts.nth(i).get_attribute("data-kind") for i in range(7)]
    assert kinds == ["line", "bar", "area", "scatter", "altair", "vega_lite", "map"]
    plotly = page.get_by_test_id("stPlotlyChart").locator(".plotly-holder")
    expect(plotly).to_have_attribute("data-rendered", "1", timeout=30_000)
    expect(plotly.locator("path.point")).to_have_count(3)
    # plotly's CSS went into the same-origin sheet (its rules apply), not an inline <style>.
    assert page.evaluate('document.querySelectorAll("style").length') == 0
    assert (
        page.evaluate("document.getElementById('plotly.js-style-global').sheet.cssRules.length") > 0
    )
    img = page.get_by_test_id("stImage").locator("img")
    expect(img).to_be_visible()
    assert img.evaluate("(i) => i.complete && i.naturalWidth > 0")
    assert page.evaluate("window.__csp") == []


def test_a_brush_reaches_session_state(page: Any, app: AppServer) -> None:
    open_app(page, app)
    chart = page.get_by_test_id("stVegaLiteChart").nth(4)
    holder = chart.locator(".vega-holder")
    expect(holder).to_have_attribute("data-rendered", "1", timeout=20_000)
    expect(page.get_by_text("brushed: nothing")).to_be_visible()
    holder.scroll_into_view_if_needed()
    box = holder.locator("canvas").bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.3, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.6, y, steps=6)
    page.mouse.up()
    expect(page.get_by_text("brushed: ['x']")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("in state: True")).to_be_visible()
    assert page.evaluate("window.__csp") == []


def test_xss_in_titles_and_tooltips_stays_text(page: Any, app: AppServer) -> None:
    open_app(page, app)
    charts = page.get_by_test_id("stVegaLiteChart")
    holder = charts.nth(5).locator(".vega-holder")
    expect(holder).to_have_attribute("data-rendered", "1", timeout=20_000)
    holder.scroll_into_view_if_needed()
    box = holder.locator("canvas").bounding_box()
    assert box is not None
    # Sweep the bars so the tooltip shows the payload.
    for frac in (0.2, 0.4, 0.6, 0.8):
        page.mouse.move(box["x"] + box["width"] * frac, box["y"] + box["height"] * 0.85)
        page.wait_for_timeout(50)
    tooltip = page.locator("#vg-tooltip-element")
    expect(tooltip).to_contain_text("onerror")
    assert tooltip.locator("img").count() == 0
    expect(page.get_by_test_id("stPlotlyChart").locator(".plotly-holder")).to_have_attribute(
        "data-rendered", "1", timeout=30_000
    )
    assert page.locator(".plotly-holder img").count() == 0
    page.wait_for_timeout(200)
    assert page.evaluate("window.__xss") is None
    assert page.evaluate("window.__csp") == []
