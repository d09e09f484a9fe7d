"""Fragment rerun vs full rerun, Bastion vs Streamlit, in Chromium.

    .venv/bin/python bench/app/fragment_bench.py [--moves 15]

The page (apps/fragment_app.py) has 1,000 static elements and a slider. Each move presses the
Right arrow on the focused slider and times, inside the page, from the key press to the DOM
showing the new value ("level is N"). With FRAGMENT=1 the slider is in an `@st.fragment`, so a move
reruns only the fragment; without, the whole script reruns. Prints the median and p90 per server
and mode, and the ratios. Streamlit's slider waits for its own debounce (about 200 ms) before it
sends the value: that is part of what its users feel, and is reported as measured.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import CHROMIUM, CHROMIUM_FLAGS, HERE, ROOT, Target, ensure_streamlit

APP = HERE / "apps" / "fragment_app.py"

WATCH = """(expected) => new Promise((resolve) => {
  const shown = () => [...document.querySelectorAll("p")].some((p) => p.textContent === expected);
  const t0 = performance.now();
  window.__moveStart = t0;
  const observer = new MutationObserver(() => {
    if (shown()) { observer.disconnect(); window.__moveDone = performance.now(); }
  });
  observer.observe(document.body, { subtree: true, childList: true, characterData: true });
  resolve(t0);
})"""


def moves(target: Target, fragment: bool, n: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    os.environ["FRAGMENT"] = "1" if fragment else "0"  # inherited by the server
    target.app = APP
    target.start()
    try:
        with tempfile.TemporaryDirectory() as profile, sync_playwright() as p:
            browser = p.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True
            )
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{target.port}/")
            page.get_by_text("static line 999", exact=True).wait_for(timeout=60_000)
            page.get_by_text("level is 0", exact=True).wait_for(timeout=30_000)
            page.get_by_role("slider").first.focus()
            times: list[float] = []
            for k in range(1, n + 1):
                page.evaluate("() => { window.__moveDone = null; }")
                t0 = page.evaluate(WATCH, f"level is {k}")
                page.keyboard.press("ArrowRight")
                page.wait_for_function("() => window.__moveDone !== null", timeout=30_000)
                times.append((page.evaluate("window.__moveDone") - t0) / 1000)
            browser.close()
        return sorted(times)
    finally:
        target.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--moves", type=int, default=15)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fragbench-"))
    targets = [
        Target("bastion", Path(sys.executable), "/_bastion/health", "/_bastion/stream", work),
        Target("streamlit", ensure_streamlit(), "/_stcore/health", "/_stcore/stream", work),
    ]
    results: dict[tuple[str, str], dict[str, Any]] = {}
    for target in targets:
        for fragment in (True, False):
            mode = "fragment" if fragment else "full"
            try:
                t = moves(target, fragment, args.moves)
                results[(target.name, mode)] = {
                    "p50_ms": 1000 * t[len(t) // 2],
                    "p90_ms": 1000 * t[int(len(t) * 0.9) - 1],
                }
            except (
                Exception
            ) as e:  # report, do not hide: one server failing must not stop the other
                results[(target.name, mode)] = {"error": str(e).splitlines()[0][:120]}
            print(target.name, mode, results[(target.name, mode)], flush=True)
    print(f"\nslider move -> DOM update, 1,000 static elements, {args.moves} moves ({ROOT.name})")
    print(f"{'':22}{'p50 ms':>10}{'p90 ms':>10}")
    for (name, mode), r in results.items():
        if "error" in r:
            print(f"{name + ' ' + mode:22}  error: {r['error']}")
        else:
            print(f"{name + ' ' + mode:22}{r['p50_ms']:10.1f}{r['p90_ms']:10.1f}")

    def ratio(a: tuple[str, str], b: tuple[str, str]) -> str:
        ra, rb = results.get(a, {}), results.get(b, {})
        if "p50_ms" not in ra or "p50_ms" not in rb:
            return "n/a"
        return f"{ra['p50_ms'] / rb['p50_ms']:.2f}x"

    print("\nratios of p50 (>1: the second is faster)")
    pairs = [
        ("bastion full / bastion fragment", ("bastion", "full"), ("bastion", "fragment")),
        ("streamlit full / streamlit fragment", ("streamlit", "full"), ("streamlit", "fragment")),
        ("streamlit frag / bastion frag", ("streamlit", "fragment"), ("bastion", "fragment")),
        ("streamlit full / bastion full", ("streamlit", "full"), ("bastion", "full")),
    ]
    for label, a, b in pairs:
        print(f"  {label:40}{ratio(a, b)}")


if __name__ == "__main__":
    main()
