"""The XSS corpus through every text path, in real Chromium (issue 6).

For each row of `xss_corpus.TEXT_PATHS` one page renders every payload through that path. The page
is loaded with hooks installed before any of its scripts: `alert`/`confirm`/`prompt`/`print`
record a hit, `window.__pwned` records a hit when assigned, and every `securitypolicyviolation`
event is recorded (the CSP blocking something means markup got past the sanitizer). The server's
CSP report endpoint must receive nothing either (checked last, from the server's log).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest
from e2e_support import APPS, AppServer, app_fixture
from playwright.sync_api import expect

sys.path.insert(0, str(APPS))
from xss_corpus import ENDS_RUN, PAYLOADS, TEXT_PATHS, pages

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
PAGES = pages()

app = app_fixture("xss_app.py")

HOOKS = """
(() => {
  const hits = [];
  Object.defineProperty(window, "__xss_hits", { value: hits });
  const hit = (kind) => (...args) => { hits.push(kind + ":" + String(args[0]).slice(0, 80)); };
  window.alert = hit("alert");
  window.confirm = hit("confirm");
  window.prompt = hit("prompt");
  window.print = hit("print");
  Object.defineProperty(window, "__pwned", {
    configurable: false,
    get() { return undefined; },
    set(v) { hits.push("pwned:" + String(v)); },
  });
  document.addEventListener("securitypolicyviolation", (e) => {
    hits.push("csp:" + e.violatedDirective + ":" + e.blockedURI + ":" + (e.sample || ""));
  }, true);
})();
"""


@pytest.fixture
def hooked(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    context.add_init_script(HOOKS)
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.errors = errors
    yield page
    context.close()


def test_the_corpus_is_big_enough() -> None:
    assert len(PAYLOADS) >= 200
    assert len(set(PAYLOADS)) == len(PAYLOADS)


def test_every_path_of_the_table_is_tried() -> None:
    assert sorted(n for group in PAGES for n in group) == sorted(TEXT_PATHS)


@pytest.mark.parametrize("paths", PAGES, ids=["+".join(g) for g in PAGES])
def test_no_payload_executes(hooked: Any, app: AppServer, paths: list[str]) -> None:
    page = hooked
    path = ",".join(paths)
    page.goto(f"{app.url}?paths={path}")
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-running", "false")
    if paths[-1] in ENDS_RUN:
        expect(page.get_by_test_id("stException")).to_be_visible()
    else:
        expect(page.get_by_text("XSS-PATH-DONE")).to_be_visible()
    # Open everything that hides content, move over and focus what is there, let loads settle.
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    page.mouse.move(5, 5)
    page.mouse.move(400, 300, steps=4)
    page.keyboard.press("Tab")
    page.wait_for_timeout(300)
    hits = page.evaluate("window.__xss_hits")
    assert hits == [], f"{path}: {hits[:5]}"
    if "components_html" not in paths:  # in the sandbox, failing payloads throw; that is fine
        assert page.errors == [], page.errors
    else:
        frame = page.frame_locator("iframe").first
        expect(frame.locator("body")).to_be_attached()
        inner = next(f for f in page.frames if f != page.main_frame)
        assert inner.evaluate("window.__ran") == 1, "the frame's own scripts must run"
        assert page.evaluate("window.__ran") is None
        sandbox = page.locator("iframe").first.get_attribute("sandbox")
        assert sandbox == "allow-scripts"


def test_no_csp_violation_reached_the_server(app: AppServer) -> None:
    # Runs after the paths above (same module, same server): the browser posts CSP reports to
    # the server's report-uri, which logs each one.
    reports = [line for line in app.log if "CSP violation" in line]
    assert reports == []


def test_the_hooks_catch_a_payload_that_runs(hooked: Any) -> None:
    # The control: without Bastion in the way, the same detection sees a payload run and a CSP
    # block (so a pass above means nothing ran, not that nothing was watched).
    body = "<img src=x onerror=alert(1)><script>window.__pwned = 2; confirm(3)</script>"

    def fulfil(route: Any) -> None:
        blocked = "csp" in route.request.url
        headers = {"Content-Security-Policy": "script-src 'none'"} if blocked else {}
        route.fulfill(status=200, content_type="text/html", body=body, headers=headers)

    hooked.route("http://xss.test/**", fulfil)
    hooked.goto("http://xss.test/open")
    hooked.wait_for_timeout(200)
    hits = hooked.evaluate("window.__xss_hits")
    assert "pwned:2" in hits
    assert "confirm:3" in hits
    hooked.goto("http://xss.test/csp")
    hooked.wait_for_timeout(200)
    hits = hooked.evaluate("window.__xss_hits")
    assert any(h.startswith("csp:script-src") for h in hits), hits
