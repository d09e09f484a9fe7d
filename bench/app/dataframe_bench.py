"""A big dataframe in Bastion and in Streamlit, side by side: bytes and time to first render.

    .venv/bin/python bench/app/dataframe_bench.py [--rows 100000,10000000] [--timeout 90]

For each row count, the same app (`apps/dataframe_app.py`: an N x 10 float frame and
`st.dataframe(df)`) runs under each server (Streamlit from .bench/streamlit-venv, made by run.py).
In Chromium, measured by the page itself:

- WebSocket bytes received until the grid shows its first rows (CDP `webSocketFrameReceived`;
  binary frames are counted by their decoded size);
- time to first render: from navigation start to the grid showing rows (Bastion: a loaded
  `.grid-row` in the DOM; Streamlit: the `stDataFrame` canvas drawn, glide-data-grid paints rows on
  its first frame). Streamlit that shows an error instead, or nothing within `--timeout`, is
  reported as such.

Prints the figures and the Streamlit/Bastion ratio (>1: Bastion is better).
"""

from __future__ import annotations

import argparse
import base64
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import CHROMIUM, CHROMIUM_FLAGS, Target, ensure_streamlit  # noqa: E402

APP = HERE / "apps" / "dataframe_app.py"

# Polled every animation frame, so the time is when the grid is first visible, not when a test
# harness gets round to looking.
WATCH = """
(() => {
  const done = () => {
    if (document.querySelector(".grid-row:not(.loading) .grid-cell")) return "rows";
    const canvas = document.querySelector('[data-testid="stDataFrame"] canvas');
    if (canvas && canvas.width > 0) return "rows";
    const error = document.querySelector('[data-testid="stException"], [data-testid="stAlert"]');
    if (error) return "error: " + error.innerText.slice(0, 160).replace(/\\s+/g, " ");
    return null;
  };
  const tick = () => {
    if (!window.__title && document.body && document.body.innerText.includes("Dataframe bench")) {
      window.__title = performance.now();
    }
    const state = done();
    if (state) { window.__firstRender = { t: performance.now(), state }; return; }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
"""


def first_render(target: Target, timeout: float) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    ws_bytes = {"n": 0}
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True
        )
        page = browser.new_page()
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})

        def frame(event: dict[str, Any]) -> None:
            response = event["response"]
            data = response.get("payloadData", "")
            if response.get("opcode") == 2:  # binary: CDP gives it base64-encoded
                ws_bytes["n"] += len(base64.b64decode(data))
            else:
                ws_bytes["n"] += len(data.encode())

        cdp.on("Network.webSocketFrameReceived", frame)
        page.add_init_script(WATCH)
        t0 = time.monotonic()
        page.goto(f"http://127.0.0.1:{target.port}/")
        result: dict[str, Any] | None = None
        while time.monotonic() - t0 < timeout:
            result = page.evaluate(
                "window.__firstRender ? {...window.__firstRender, title: window.__title} : null"
            )
            if result:
                break
            time.sleep(0.05)
        # Bytes up to the first render (and whatever came in the same poll interval).
        received = ws_bytes["n"]
        browser.close()
    if not result:
        return {"state": f"nothing within {timeout:.0f} s", "ws_mb": received / 1e6}
    return {
        "state": result["state"],
        "first_render_s": result["t"] / 1000,
        "title_s": (result.get("title") or 0) / 1000,  # the page and socket, without the grid
        "ws_mb": received / 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", default="100000,10000000")
    parser.add_argument("--timeout", type=float, default=90)
    parser.add_argument("--only", choices=["bastion", "streamlit"])
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bastion-bench-data-"))
    targets = []
    if args.only != "streamlit":
        targets.append(
            Target("bastion", Path(sys.executable), "/_bastion/health", "/_bastion/stream", work)
        )
    if args.only != "bastion":
        targets.append(
            Target("streamlit", ensure_streamlit(), "/_stcore/health", "/_stcore/stream", work)
        )
    results: dict[int, dict[str, dict[str, Any]]] = {}
    for rows in [int(r) for r in args.rows.split(",")]:
        os.environ["BENCH_ROWS"] = str(rows)
        results[rows] = {}
        for t in targets:
            t.app = APP
            t.start()
            try:
                # A warm-up page load: imports and the script's first run are not what we time.
                first_render(t, args.timeout)
                best: dict[str, Any] | None = None
                for _ in range(3 if rows <= 1_000_000 else 1):
                    r = first_render(t, args.timeout)
                    if best is None or r.get("first_render_s", 1e9) < best.get(
                        "first_render_s", 1e9
                    ):
                        best = r
                assert best is not None
                results[rows][t.name] = best
            except Exception as exc:
                results[rows][t.name] = {"state": f"failed: {exc!r}"[:200]}
            finally:
                t.stop()
            print(f"{rows:>10,} rows  {t.name:<9} {results[rows][t.name]}", flush=True)
    report(results)


def report(results: dict[int, dict[str, dict[str, Any]]]) -> None:
    print()
    print(f"{'rows':>10}  {'figure':<28} {'bastion':>10} {'streamlit':>12} {'ratio':>8}")
    for rows, by in results.items():
        b, s = by.get("bastion", {}), by.get("streamlit", {})
        for label, key in (
            ("WebSocket MB to first rows", "ws_mb"),
            ("first render (s)", "first_render_s"),
        ):
            bv, sv = b.get(key), s.get(key)
            ratio = f"{sv / bv:.1f}x" if bv and sv and s.get("state") == "rows" else "-"
            fb = f"{bv:.3f}" if isinstance(bv, float) else "-"
            fs = f"{sv:.3f}" if isinstance(sv, float) else "-"
            print(f"{rows:>10,}  {label:<28} {fb:>10} {fs:>12} {ratio:>8}")
        for name, r in by.items():
            if r.get("state") != "rows":
                print(f"{'':>10}  {name}: {r.get('state')}")


if __name__ == "__main__":
    main()
