"""Multipage and login costs on a real server (uvicorn on loopback, one WebSocket client).

    .venv/bin/python bench/app/pages_and_login.py [--n 300]

Prints: the round trip of a page switch (Rerun{page}) against the anchor measured in the same run,
a rerun of the same page; the cost of opening the identity cookie at a handshake; an argon2id
verification with the default parameters (what one password attempt costs the server).
Bastion only: Streamlit's page switch needs a browser round trip through its frontend and is not
measured here.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import threading
import time
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from bastion.app import Runtime, Script, load_config  # noqa: E402
from bastion.server.app_service import create_app  # noqa: E402
from bastion.server.listen import Server, bind, uvicorn_config  # noqa: E402

APP = Path(__file__).parent / "apps" / "pages_app" / "main.py"


def serve(app: object) -> tuple[str, Server]:
    sock = bind("127.0.0.1", 0)
    server = Server(uvicorn_config(app, loop="asyncio"))
    threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    return f"ws://127.0.0.1:{sock.getsockname()[1]}/_bastion/stream", server


async def until_finished(ws: websockets.ClientConnection) -> None:
    while True:
        frame = json.loads(await ws.recv())
        if any(e["type"] == "finished" for e in frame.get("events", ())):
            return


async def round_trips(url: str, n: int, switch: bool) -> list[float]:
    async with websockets.connect(url, max_size=None, compression=None) as ws:
        await ws.send(json.dumps({"type": "hello", "protocol": 1}))
        await ws.recv()
        await ws.send(json.dumps({"type": "rerun", "widgets": {}}))
        await until_finished(ws)
        times = []
        for i in range(n):
            msg: dict[str, object] = {"type": "rerun", "widgets": {}}
            if switch:
                msg["page"] = "other" if i % 2 == 0 else ""
            start = time.perf_counter()
            await ws.send(json.dumps(msg))
            await until_finished(ws)
            times.append((time.perf_counter() - start) * 1000)
        return times


def pct(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=300)
    args = parser.parse_args()
    runtime = Runtime(Script(path=APP), load_config(overrides={}))
    url, server = serve(create_app(runtime))
    same = asyncio.run(round_trips(url, args.n, switch=False))
    switch = asyncio.run(round_trips(url, args.n, switch=True))
    server.should_exit = True
    print(f"rerun, same page   p50 {statistics.median(same):.2f} ms  p99 {pct(same, 0.99):.2f} ms")
    print(
        f"page switch        p50 {statistics.median(switch):.2f} ms  p99 {pct(switch, 0.99):.2f} ms"
    )
    print(f"switch / same-page rerun: {statistics.median(switch) / statistics.median(same):.2f}x")

    from bastion.server.auth.cookie import IdentityCookie
    from bastion.server.auth.passwords import check_password, hash_password

    sealer = IdentityCookie("bench-cookie-secret-0123456789abcdef", 3600)
    value = sealer.seal("default:1", {"email": "a@b.c", "name": "A", "sub": "1"})
    start = time.perf_counter()
    for _ in range(2000):
        sealer.open(value)
    print(
        f"identity cookie open: {(time.perf_counter() - start) / 2000 * 1e6:.0f} us per handshake"
    )
    hashed = hash_password("pw")
    start = time.perf_counter()
    for _ in range(5):
        check_password({"u": hashed}, "u", "pw")
    print(
        f"argon2id verify (defaults): {(time.perf_counter() - start) / 5 * 1000:.0f} ms per attempt"
    )


if __name__ == "__main__":
    main()
