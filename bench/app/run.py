"""Bastion apps vs Streamlit, side by side: same app, same machine, same run.

    .venv/bin/python bench/app/run.py [--quick] [--sessions 1,50,200,500]

Installs Streamlit into its own virtual environment (.bench/streamlit-venv) on first use, then for
each server: cold start to health 200; rerun round trip p50/p99 over a WebSocket client; reruns/s
with 1, 50, 200 and 500 concurrent sessions; server memory per idle session; and in Chromium the
first page's bytes on the wire, request count and time to first text. Prints a table with the
Streamlit/Bastion ratio of each figure (>1 means Bastion is better).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
ST_VENV = ROOT / ".bench" / "streamlit-venv"
APP = HERE / "apps" / "rerun_app.py"
BIG_APP = HERE / "apps" / "big_page_app.py"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ensure_streamlit() -> Path:
    python = ST_VENV / "bin" / "python"
    if not python.exists():
        print("installing streamlit into", ST_VENV, flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(ST_VENV)], check=True)
    probe = subprocess.run(
        [str(python), "-c", "import streamlit, websockets; print(streamlit.__version__)"],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0:
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "streamlit", "websockets"], check=True
        )
    return python


@dataclass
class Target:
    name: str
    python: Path
    health: str
    stream: str
    workdir: Path
    proc: subprocess.Popen[bytes] | None = None
    port: int = 0
    app: Path = APP

    def command(self, script: Path) -> list[str]:
        if self.name == "bastion":
            return [
                str(self.python.parent / "bastion"),
                "run",
                str(script),
                "--server.port",
                str(self.port),
                # The guards stay on (their checks run on every message), with limits this
                # synthetic load never reaches: one client opens hundreds of tabs and reruns
                # back to back. bench/app/guard_overhead.py measures what the guards cost.
                "--server.maxSessionsPerClient",
                "0",
                "--server.maxRerunsPerSecond",
                "1000000",
                "--server.rerunBurst",
                "1000000",
            ]
        return [
            str(self.python),
            "-m",
            "streamlit",
            "run",
            str(script),
            "--server.port",
            str(self.port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
            "--global.developmentMode",
            "false",
        ]

    def script(self) -> Path:
        source = self.app.read_text()
        if self.name == "streamlit":
            source = source.replace("import bastion as st", "import streamlit as st")
        path = self.workdir / f"{self.name}_{self.app.name}"
        path.write_text(source)
        return path

    def start(self) -> float:
        """Start the server; seconds from spawn to the first health 200."""
        self.port = free_port()
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(
            self.command(self.script()),
            cwd=self.workdir,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{self.port}{self.health}"
        while time.perf_counter() - t0 < 60:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}")
            try:
                with urllib.request.urlopen(url, timeout=1) as r:
                    if r.status == 200:
                        return time.perf_counter() - t0
            except OSError:
                time.sleep(0.01)
        raise RuntimeError(f"{self.name} did not become healthy")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def rss_kb(self) -> int:
        assert self.proc is not None
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def client_command(self) -> list[str]:
        url = f"ws://127.0.0.1:{self.port}{self.stream}"
        return [str(self.python), str(HERE / "wsclient.py"), "--target", self.name, "--url", url]

    def client(self, *args: str, timeout: float = 300) -> dict[str, Any]:
        out = subprocess.run(
            [*self.client_command(), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if out.returncode != 0:
            return {"error": out.stderr.strip().splitlines()[-1] if out.stderr else "failed"}
        return dict(json.loads(out.stdout.strip().splitlines()[-1]))

    def idle_memory(self, sessions: int) -> float:
        """KB of server RSS per idle session (each ran the app once)."""
        # One session first, so that imports done by the first run are not counted per session.
        self.client("--mode", "latency", "--n", "1")
        time.sleep(0.5)
        before = self.rss_kb()
        proc = subprocess.Popen(
            [
                *self.client_command(),
                "--mode",
                "idle",
                "--sessions",
                str(sessions),
                "--seconds",
                "3",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        if not proc.stdout.readline():  # {"opened": n}
            proc.wait(60)
            raise RuntimeError("the idle sessions could not all connect")
        time.sleep(1.0)
        after = self.rss_kb()
        proc.wait(60)
        return (after - before) / sessions


FIRST_TEXT = """
new MutationObserver((_, observer) => {
  if (document.body && document.body.innerText.includes("Bench app")) {
    window.__firstText = performance.now();
    observer.disconnect();
  }
}).observe(document, { subtree: true, childList: true, characterData: true });
"""


def first_page(target: Target) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    url = f"http://127.0.0.1:{target.port}/"
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as p:
        browser = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True
        )
        page = browser.new_page()
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        wire = {"bytes": 0, "requests": 0}

        def finished(event: dict[str, Any]) -> None:
            wire["bytes"] += int(event.get("encodedDataLength", 0))

        def sent(event: dict[str, Any]) -> None:
            if not event["request"]["url"].startswith(("ws:", "data:")):
                wire["requests"] += 1

        cdp.on("Network.loadingFinished", finished)
        cdp.on("Network.requestWillBeSent", sent)
        page.add_init_script(FIRST_TEXT)
        page.goto(url)
        page.get_by_text("Bench app").first.wait_for(timeout=30_000)
        # From the start of the navigation to the title in the DOM, timed by the page itself.
        first_text = page.evaluate("window.__firstText") / 1000
        page.get_by_text("Sum:").first.wait_for(timeout=30_000)
        page.wait_for_load_state("networkidle")
        browser.close()
    return {
        "page_kb": wire["bytes"] / 1024,
        "requests": wire["requests"],
        "first_text_s": first_text,
    }


CLICK_TO_UPDATE = """async (expected) => {
  const button = [...document.querySelectorAll("button")]
    .find((b) => b.textContent.includes("Add one"));
  const shown = () => document.evaluate(`//*[text()="${expected}"]`, document, null,
    XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue !== null;
  const t0 = performance.now();
  await new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      if (shown()) { observer.disconnect(); resolve(); }
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    button.click();
  });
  return performance.now() - t0;
}"""


def big_page_clicks(target: Target, clicks: int = 5) -> dict[str, Any]:
    """In Chromium, a 1,000-element page: click the button, wait until the page shows the new
    count; the median over `clicks` clicks (server rerun plus browser update)."""
    from playwright.sync_api import sync_playwright

    target.app = BIG_APP
    target.start()
    try:
        with tempfile.TemporaryDirectory() as profile, sync_playwright() as p:
            browser = p.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True
            )
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{target.port}/")
            page.get_by_text("line 999", exact=True).wait_for(timeout=60_000)
            times = []
            for k in range(1, clicks + 1):
                # Timed inside the page (click to the DOM showing the new count), so that
                # Playwright's own round trips are not counted.
                times.append(page.evaluate(CLICK_TO_UPDATE, f"count {k}") / 1000)
            browser.close()
        times.sort()
        return {"big_page_click_ms": 1000 * times[len(times) // 2]}
    finally:
        target.stop()
        target.app = APP


def measure(target: Target, sessions: list[int], quick: bool) -> dict[str, Any]:
    r: dict[str, Any] = {}
    # Fresh servers for memory and the first page: earlier load would leave sessions (kept for a
    # resume) and freed memory behind that hide what an idle session costs.
    target.start()
    try:
        r["idle_kb"] = target.idle_memory(100 if quick else 200)
    except Exception as exc:  # report and go on: one failed figure must not lose the others
        r["idle_kb_note"] = f"failed: {exc!r}"
    finally:
        target.stop()
    target.start()
    try:
        r.update(first_page(target))
    except Exception as exc:
        r["first_page_note"] = f"failed: {exc!r}"
    finally:
        target.stop()
    try:
        r.update(big_page_clicks(target))
    except Exception as exc:
        r["big_page_click_ms_note"] = f"failed: {exc!r}"
    target.start()
    try:
        lat = target.client("--mode", "latency", "--n", "100" if quick else "300")
        r["p50_ms"], r["p99_ms"] = lat.get("p50_ms"), lat.get("p99_ms")
        for n in sessions:
            res = target.client(
                "--mode",
                "load",
                "--sessions",
                str(n),
                "--seconds",
                "3" if quick else "6",
                timeout=600,
            )
            r[f"rps_{n}"] = res.get("reruns_per_s")
            if res.get("failed") or res.get("error"):
                r[f"rps_{n}_note"] = res.get("error") or f"{res['failed']} sessions failed"
            print(f"  {target.name} {n} sessions: {res}", flush=True)
    finally:
        target.stop()
    return r


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sessions", default="1,50,200,500")
    parser.add_argument("--only", choices=["bastion", "streamlit"])
    args = parser.parse_args()
    sessions = [int(s) for s in args.sessions.split(",")]
    work = Path(tempfile.mkdtemp(prefix="bastion-bench-app-"))
    targets = []
    if args.only != "streamlit":
        targets.append(
            Target("bastion", Path(sys.executable), "/_bastion/health", "/_bastion/stream", work)
        )
    if args.only != "bastion":
        targets.append(
            Target("streamlit", ensure_streamlit(), "/_stcore/health", "/_stcore/stream", work)
        )
    results: dict[str, dict[str, Any]] = {t.name: {} for t in targets}
    # Cold starts alternate between the servers, so both see the same background load.
    for _ in range(2 if args.quick else 5):
        for t in targets:
            seconds = t.start()
            t.stop()
            best = results[t.name].get("cold_start_s", seconds)
            results[t.name]["cold_start_s"] = min(best, seconds)
    for t in targets:
        print(f"== {t.name}", flush=True)
        results[t.name].update(measure(t, sessions, args.quick))
        print(json.dumps(results[t.name]), flush=True)
    shutil.rmtree(work, ignore_errors=True)
    report(results, sessions)


ROWS = [
    ("cold start to health 200 (s)", "cold_start_s", "lower"),
    ("rerun round trip p50 (ms)", "p50_ms", "lower"),
    ("rerun round trip p99 (ms)", "p99_ms", "lower"),
]


def report(results: dict[str, dict[str, Any]], sessions: list[int]) -> None:
    rows = list(ROWS)
    rows += [(f"reruns/s, {n} sessions", f"rps_{n}", "higher") for n in sessions]
    rows += [
        ("server memory per idle session (KB)", "idle_kb", "lower"),
        ("first page on the wire (KB)", "page_kb", "lower"),
        ("first page requests", "requests", "lower"),
        ("first page: time to first text (s)", "first_text_s", "lower"),
        ("1,000-element page: click to update (ms)", "big_page_click_ms", "lower"),
    ]
    b, s = results.get("bastion", {}), results.get("streamlit", {})
    print()
    print(f"{'metric':40} {'bastion':>12} {'streamlit':>12} {'ratio':>8}")
    for label, key, better in rows:
        bv, sv = b.get(key), s.get(key)
        ratio = ""
        if isinstance(bv, int | float) and isinstance(sv, int | float) and bv and sv:
            ratio = f"{(sv / bv if better == 'lower' else bv / sv):.1f}x"
        print(f"{label:40} {fmt(bv):>12} {fmt(sv):>12} {ratio:>8}")
    print("\nratio: how many times better Bastion is (streamlit/bastion for lower-is-better).")
    for name, figures in results.items():
        for key, value in figures.items():
            if key.endswith("_note"):
                print(f"note: {name} {key[:-5]}: {value}")


def fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.3g}" if v < 100 else f"{v:.0f}"
    return "-" if v is None else str(v)


if __name__ == "__main__":
    main()
