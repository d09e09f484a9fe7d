"""A headless browser-tab stand-in for the app benchmarks: speaks Bastion's JSON protocol or
Streamlit's protobuf protocol over a real WebSocket, and measures reruns.

Run by bench/app/run.py with the interpreter of the target's virtual environment (Streamlit's
protobuf classes come from its own venv); prints one JSON object of results.

    python wsclient.py --target bastion --url ws://127.0.0.1:PORT/_bastion/stream --mode latency
"""

from __future__ import annotations

import abc
import argparse
import asyncio
import json
import socket
import statistics
import time
from typing import Any

import websockets


class Tab(abc.ABC):
    """One session: connect, run once, then change slider 0 and wait for each run to finish.
    Each server's protocol implements `open` and `rerun`."""

    target: str

    def __init__(self, url: str) -> None:
        self.url = url
        self.ws: Any = None
        self.slider: str | None = None
        self.value = 0

    @abc.abstractmethod
    async def open(self) -> None: ...

    @abc.abstractmethod
    async def rerun(self) -> None: ...

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


def csrf_token(ws_url: str) -> str:
    """What the page does: any HTTP response sets the CSRF cookie; the hello sends it back."""
    import urllib.request
    from http.cookies import SimpleCookie

    http = ws_url.replace("ws://", "http://", 1).rsplit("/_bastion/stream", 1)[0]
    with urllib.request.urlopen(http + "/_bastion/health", timeout=60) as r:  # noqa: S310
        jar: SimpleCookie = SimpleCookie()
        for value in r.headers.get_all("set-cookie") or []:
            jar.load(value)
    return jar["_bastion_csrf"].value


class BastionTab(Tab):
    target = "bastion"

    async def open(self) -> None:
        token = await asyncio.to_thread(csrf_token, self.url)
        self.ws = await websockets.connect(
            self.url,
            max_size=None,
            compression=None,
            open_timeout=60,
            ping_interval=None,
            additional_headers={"Cookie": f"_bastion_csrf={token}"},
        )
        await self.ws.send(json.dumps({"type": "hello", "protocol": 1, "csrf_token": token}))
        welcome = json.loads(await self.ws.recv())
        assert welcome["type"] == "welcome", welcome
        await self.ws.send(json.dumps({"type": "rerun", "widgets": {}}))
        await self._until_finished(first=True)

    async def _until_finished(self, first: bool = False) -> None:
        while True:
            msg = json.loads(await self.ws.recv())
            if msg["type"] != "batch":
                raise RuntimeError(f"unexpected {msg}")
            for event in msg["events"]:
                if first and event["type"] == "element":
                    el = event["element"]
                    if el.get("type") == "slider" and self.slider is None:
                        self.slider = el["id"]
                if event["type"] == "finished" and event["status"] != "rerun":
                    return

    async def rerun(self) -> None:
        self.value = (self.value + 1) % 100
        await self.ws.send(
            json.dumps({"type": "rerun", "widgets": {self.slider: [float(self.value)]}})
        )
        await self._until_finished()


class StreamlitTab(Tab):
    target = "streamlit"

    async def open(self) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        self.BackMsg = BackMsg
        self.ws = await websockets.connect(
            self.url,
            subprotocols=["streamlit"],
            max_size=None,
            compression=None,
            open_timeout=60,
            ping_interval=None,
        )
        self.states: dict[str, Any] = {}
        await self._send_rerun()
        await self._until_finished(first=True)

    async def _send_rerun(self) -> None:
        msg = self.BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = ""
        for wid, value in self.states.items():
            w = msg.rerun_script.widget_states.widgets.add()
            w.id = wid
            w.double_array_value.data.extend(value)
        await self.ws.send(msg.SerializeToString())

    async def _until_finished(self, first: bool = False) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        while True:
            raw = await self.ws.recv()
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if first and kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                el = msg.delta.new_element
                if el.WhichOneof("type") == "slider":
                    self.states.setdefault(el.slider.id, list(el.slider.default))
                    if self.slider is None:
                        self.slider = el.slider.id
            # 3 = FINISHED_EARLY_FOR_RERUN: an interrupted run, wait for the next one
            if kind == "script_finished" and msg.script_finished != 3:
                return

    async def rerun(self) -> None:
        self.value = (self.value + 1) % 100
        assert self.slider is not None
        self.states[self.slider] = [float(self.value)]
        await self._send_rerun()
        await self._until_finished()


def make_tab(target: str, url: str) -> Tab:
    return BastionTab(url) if target == "bastion" else StreamlitTab(url)


async def open_tabs(target: str, url: str, n: int, budget: float) -> list[Tab]:
    tabs = [make_tab(target, url) for _ in range(n)]
    sem = asyncio.Semaphore(50)

    async def one(tab: Tab) -> None:
        async with sem:
            await tab.open()

    await asyncio.wait_for(asyncio.gather(*(one(t) for t in tabs)), budget)
    return tabs


async def latency(target: str, url: str, n: int) -> dict[str, Any]:
    tab = make_tab(target, url)
    await tab.open()
    for _ in range(20):  # warm-up
        await tab.rerun()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        await tab.rerun()
        times.append((time.perf_counter() - t0) * 1000)
    await tab.close()
    times.sort()
    return {
        "p50_ms": statistics.median(times),
        "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))],
        "mean_ms": statistics.fmean(times),
        "n": n,
    }


async def load(target: str, url: str, sessions: int, seconds: float) -> dict[str, Any]:
    try:
        tabs = await open_tabs(target, url, sessions, budget=max(60.0, sessions * 0.4))
    except TimeoutError:
        return {"sessions": sessions, "error": "sessions could not all connect in time"}
    done = 0
    failed = 0
    stop_at = time.perf_counter() + seconds

    async def loop(tab: Tab) -> None:
        nonlocal done, failed
        while time.perf_counter() < stop_at:
            try:
                # A rerun that started in the window may finish after it (a starved server is
                # slow, not dead); the rate is taken over the real elapsed time.
                await asyncio.wait_for(tab.rerun(), 60)
            except Exception:
                failed += 1
                return
            done += 1

    t0 = time.perf_counter()
    await asyncio.gather(*(loop(t) for t in tabs))
    elapsed = time.perf_counter() - t0
    await asyncio.gather(*(t.close() for t in tabs), return_exceptions=True)
    return {
        "sessions": sessions,
        "reruns": done,
        "failed": failed,
        "seconds": elapsed,
        "reruns_per_s": done / elapsed,
    }


async def idle(target: str, url: str, sessions: int, hold: float) -> dict[str, Any]:
    tabs = await open_tabs(target, url, sessions, budget=max(60.0, sessions * 0.4))
    print(json.dumps({"opened": sessions}), flush=True)
    await asyncio.sleep(hold)
    await asyncio.gather(*(t.close() for t in tabs), return_exceptions=True)
    return {"sessions": sessions}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", choices=["bastion", "streamlit"], required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--mode", choices=["latency", "load", "idle"], required=True)
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--sessions", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    if args.mode == "latency":
        result = asyncio.run(latency(args.target, args.url, args.n))
    elif args.mode == "load":
        result = asyncio.run(load(args.target, args.url, args.sessions, args.seconds))
    else:
        result = asyncio.run(idle(args.target, args.url, args.sessions, args.seconds))
    print(json.dumps(result), flush=True)


socket.setdefaulttimeout(60)

if __name__ == "__main__":
    main()
