"""Four built-in charts of 10,000 points each, Bastion vs Streamlit, in Chromium.

    .venv/bin/python bench/app/charts.py [--runs 3]

Per server, a fresh start and a fresh browser profile per run (cache off): the bytes the page
took (HTTP bodies as sent, compressed; WebSocket payloads as delivered, after any
permessage-deflate) and the time from navigation to the first chart, and to all four charts,
drawn: a <canvas> with pixels that are not all one colour, checked on every animation frame by the
page itself. Prints medians and the Streamlit/Bastion ratio (>1: Bastion is better). Reuses
run.py's server handling and its Streamlit virtualenv (.bench/streamlit-venv).
"""

from __future__ import annotations

import argparse
import base64
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import CHROMIUM, CHROMIUM_FLAGS, HERE, Target, ensure_streamlit

APP = HERE / "apps" / "charts_app.py"

DRAWN = """
(() => {
  const drawn = new WeakSet();
  const isDrawn = (c) => {
    if (!c.width || !c.height) return false;
    const ctx = c.getContext('2d');
    if (!ctx) return false;
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const first = d[0] + ',' + d[1] + ',' + d[2] + ',' + d[3];
    for (let i = 0; i < d.length; i += 4 * 97) {
      if (d[i] + ',' + d[i+1] + ',' + d[i+2] + ',' + d[i+3] !== first) return true;
    }
    return false;
  };
  const tick = () => {
    for (const c of document.querySelectorAll('canvas')) {
      if (drawn.has(c) || !isDrawn(c)) continue;
      drawn.add(c);
      (window.__drawn = window.__drawn || []).push(performance.now());
    }
    if ((window.__drawn || []).length < 4) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
"""


def one_run(target: Target) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    url = f"http://127.0.0.1:{target.port}/"
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True,
            viewport={"width": 1280, "height": 4000},  # every chart on screen, so all draw
        )  # fmt: skip
        page = browser.new_page()
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        wire = {"http": 0, "ws": 0}

        def finished(event: dict[str, Any]) -> None:
            wire["http"] += int(event.get("encodedDataLength", 0))

        def frame(event: dict[str, Any]) -> None:
            r = event["response"]
            data = r.get("payloadData", "")
            wire["ws"] += (
                len(base64.b64decode(data)) if r.get("opcode") == 2 else len(data.encode())
            )

        cdp.on("Network.loadingFinished", finished)
        cdp.on("Network.webSocketFrameReceived", frame)
        page.add_init_script(DRAWN)
        page.goto(url)
        # Polled from here: wait_for_function evaluates a string in the page, which the CSP
        # (no 'unsafe-eval') refuses.
        deadline = time.monotonic() + 90
        while len(drawn := page.evaluate("window.__drawn || []")) < 4:
            if time.monotonic() > deadline:
                break  # reported: how many charts drew within 90 s
            time.sleep(0.05)
        if not drawn:
            raise TimeoutError(f"{target.name}: no chart drawn after 90 s")
        page.wait_for_timeout(500)  # late frames (Streamlit's session info, forward msgs)
        browser.close()
    return {
        "http_kb": wire["http"] / 1024,
        "ws_kb": wire["ws"] / 1024,
        "total_kb": (wire["http"] + wire["ws"]) / 1024,
        "first_chart_s": drawn[0] / 1000,
        "all_charts_s": drawn[3] / 1000 if len(drawn) >= 4 else float("nan"),
        "charts_drawn": float(len(drawn)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bastion-bench-charts-"))
    targets = [
        Target("bastion", Path(sys.executable), "/_bastion/health", "/_bastion/stream", work,
               app=APP),
        Target("streamlit", ensure_streamlit(), "/_stcore/health", "/_stcore/stream", work,
               app=APP),
    ]  # fmt: skip
    runs: dict[str, list[dict[str, float]]] = {t.name: [] for t in targets}
    for _ in range(args.runs):  # alternate, so both servers see the same background load
        for t in targets:
            t.start()
            try:
                one_run(t)  # warm-up: the first run pays the server's imports (pandas...)
                runs[t.name].append(one_run(t))
                print(t.name, runs[t.name][-1], flush=True)
            finally:
                t.stop()
    keys = ["http_kb", "ws_kb", "total_kb", "first_chart_s", "all_charts_s", "charts_drawn"]
    med = {
        name: {k: statistics.median(r[k] for r in rs) for k in keys} for name, rs in runs.items()
    }
    print(f"\n{'4 charts x 10,000 points':28} {'bastion':>10} {'streamlit':>10} {'ratio':>7}")
    for k in keys:
        b, s = med["bastion"][k], med["streamlit"][k]
        print(f"{k:28} {b:10.3g} {s:10.3g} {s / b if b else float('nan'):6.1f}x")
    print(
        "\nratio: streamlit/bastion (>1: Bastion sends less or draws sooner). Medians of", args.runs
    )


if __name__ == "__main__":
    main()
