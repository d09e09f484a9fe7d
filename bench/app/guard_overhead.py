"""What the issue 6 guards cost per message: rerun round trips with the guards on and off.

One real uvicorn server per configuration on 127.0.0.1 (in a thread of this process), one
WebSocket client moving a slider back to back, rounds alternating between the configurations so
machine noise hits both alike. "On" is the default guard set (Host allow-list, CSRF-checked hello,
Origin check, rate-limit bookkeeping, idle tracking) with the rerun limit raised so this synthetic
back-to-back load is measured, not throttled; "off" disables what can be disabled
(`enableXsrfProtection=false`, `allowedHosts=["*"]`, `maxRerunsPerSecond=0`,
`maxSessionsPerClient=0`, `idleSessionTimeout=0`). Prints p50/mean per configuration and the ratio.

    .venv/bin/python bench/app/guard_overhead.py [--reruns 1500] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from websockets.sync.client import connect

from bastion.app import Runtime, Script, load_config
from bastion.server.app_service import create_app
from bastion.server.listen import Server, bind, uvicorn_config

APP = """
import bastion as st
st.title("Guard overhead")
n = st.slider("n", 0, 100, 5, key="n")
st.write(f"n = {n}")
"""

ON = {"server.maxRerunsPerSecond": 1e9, "server.rerunBurst": 10**9}
OFF = {
    "server.enableXsrfProtection": False,
    "server.allowedHosts": ["*"],
    "server.maxRerunsPerSecond": 0,
    "server.maxSessionsPerClient": 0,
    "server.idleSessionTimeout": 0,
}


@contextmanager
def serve(overrides: dict[str, Any], workdir: Path) -> Iterator[str]:
    config = load_config(cwd=workdir, home=workdir, env={}, overrides=overrides)
    runtime = Runtime(Script(source=APP, name="guard_overhead.py"), config)
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    server = Server(uvicorn_config(create_app(runtime, static_root=workdir), loop="asyncio"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
        runtime.shutdown()


def cookie(host: str) -> str | None:
    with urllib.request.urlopen(f"http://{host}/_bastion/health", timeout=10) as r:
        jar: SimpleCookie = SimpleCookie()
        for value in r.headers.get_all("set-cookie") or []:
            jar.load(value)
    morsel = jar.get("_bastion_csrf")
    return morsel.value if morsel is not None else None


def round_trips(host: str, reruns: int) -> list[float]:
    token = cookie(host)
    headers = {"Cookie": f"_bastion_csrf={token}"} if token else {}
    times: list[float] = []
    with connect(f"ws://{host}/_bastion/stream", max_size=None, additional_headers=headers) as ws:
        ws.send(json.dumps({"type": "hello", "protocol": 1, "csrf_token": token}))
        assert json.loads(ws.recv())["type"] == "welcome"

        def rerun(widgets: dict[str, Any]) -> None:
            ws.send(json.dumps({"type": "rerun", "widgets": widgets}))
            while True:
                frame = json.loads(ws.recv())
                if any(e["type"] == "finished" for e in frame["events"]):
                    return

        rerun({})
        for i in range(reruns):
            start = time.perf_counter()
            rerun({"$$ID-slider-n": [i % 100]})
            times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reruns", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, list[float]] = {"on": [], "off": []}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.rounds):
            for name, overrides in (("off", OFF), ("on", ON)):
                with serve(overrides, Path(tmp)) as host:
                    results[name] += round_trips(host, args.reruns)
    p50 = {k: statistics.median(v) * 1000 for k, v in results.items()}
    mean = {k: statistics.fmean(v) * 1000 for k, v in results.items()}
    print(f"rerun round trips: {args.rounds} rounds x {args.reruns} per configuration")
    for k in ("off", "on"):
        print(f"  guards {k:>3}: p50 {p50[k]:.3f} ms   mean {mean[k]:.3f} ms")
    print(
        f"  ratio on/off: p50 {p50['on'] / p50['off']:.3f}x   mean {mean['on'] / mean['off']:.3f}x"
    )
    print(f"  added per message: p50 {(p50['on'] - p50['off']) * 1000:+.1f} us")


if __name__ == "__main__":
    main()
