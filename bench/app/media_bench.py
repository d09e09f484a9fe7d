"""Media and upload routes over real uvicorn on loopback, against a bare Starlette anchor.

Serves one 64 MB file two ways in the same server: through Bastion's media route (id lookup, safe
path join on every request, ranges, security headers) and through Starlette's `FileResponse` (the
anchor: what a plain ASGI app does). Then uploads 64 MB through Bastion's upload route (type and
size checks on every chunk, private temp dir) and through an anchor route that writes the body to
disk with no checks. Prints throughput, range-request latency, and the server's RSS growth during
the upload (streamed to disk: it should not grow by the file's size).

    .venv/bin/python bench/app/media_bench.py
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route

from bastion.app.media import MediaStore, url_for
from bastion.app.uploads import UploadSpec, UploadStore
from bastion.server.listen import Server, bind, uvicorn_config
from bastion.server.media_route import MediaRoute
from bastion.server.upload_route import UploadRoute

SIZE = 64 * 1024 * 1024


def rss_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="bastion-media-bench-"))
    big = work / "big.bin"
    with big.open("wb") as f:
        for _ in range(SIZE // (1 << 20)):
            f.write(os.urandom(1 << 20))
    media = MediaStore()
    entry = media.add("s", 1, big)
    uploads = UploadStore(max_file_bytes=2 * SIZE, max_session_bytes=8 * SIZE, temp_root=str(work))
    token = uploads.token_for("s", "w", UploadSpec(max_bytes=2 * SIZE))

    async def anchor_file(request: Request) -> Response:
        return FileResponse(big)

    async def anchor_upload(request: Request) -> Response:
        with (work / f"anchor-{time.monotonic_ns()}").open("wb") as f:
            async for chunk in request.stream():
                f.write(chunk)
        return PlainTextResponse("ok", status_code=201)

    app = Starlette(
        routes=[
            Route("/anchor/file", anchor_file),
            Route("/anchor/upload", anchor_upload, methods=["POST"]),
            Mount("/_bastion/media", app=MediaRoute(media)),
            Mount("/_bastion/upload", app=UploadRoute(uploads)),
        ]
    )
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    server = Server(uvicorn_config(app, loop="asyncio"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])), daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    base = f"http://127.0.0.1:{port}"
    ours = "/" + url_for(entry)
    rows: list[tuple[str, float, float, str]] = []
    with httpx.Client(base_url=base, timeout=60) as http:
        for _ in range(2):  # warm
            http.get(ours, headers={"Range": "bytes=0-1"})
            http.get("/anchor/file", headers={"Range": "bytes=0-1"})

        def full(path: str) -> float:
            best = 0.0
            for _ in range(3):
                t = time.perf_counter()
                with http.stream("GET", path) as r:
                    n = sum(len(c) for c in r.iter_bytes())
                assert n == SIZE
                best = max(best, SIZE / (time.perf_counter() - t) / 1e6)
            return best

        rows.append(("full GET 64 MB (MB/s, best of 3)", full(ours), full("/anchor/file"), "x"))

        def ranges() -> tuple[float, float]:
            # Interleaved, so both routes see the same machine noise.
            rnd = random.Random(7)
            times: dict[str, list[float]] = {ours: [], "/anchor/file": []}
            for _ in range(300):
                start = rnd.randrange(0, SIZE - 65536)
                for path in times:
                    t = time.perf_counter()
                    r = http.get(path, headers={"Range": f"bytes={start}-{start + 65535}"})
                    times[path].append((time.perf_counter() - t) * 1000)
                    assert r.status_code == 206
                    assert len(r.content) == 65536
            return statistics.median(times[ours]), statistics.median(times["/anchor/file"])

        rows.append(("64 KB range request p50 (ms)", *ranges(), "ms"))

        data = big.read_bytes()

        def upload(path: str, params: dict[str, str]) -> tuple[float, int]:
            before = rss_kb()
            t = time.perf_counter()

            def body() -> Iterator[bytes]:
                for i in range(0, SIZE, 1 << 20):
                    yield data[i : i + (1 << 20)]

            r = http.post(path, params=params, content=body())
            elapsed = time.perf_counter() - t
            assert r.status_code == 201, r.text
            return SIZE / elapsed / 1e6, rss_kb() - before

        ours_up, ours_rss = upload(f"/_bastion/upload/{token}", {"name": "big.bin"})
        anchor_up, anchor_rss = upload("/anchor/upload", {})
        rows.append(("upload 64 MB (MB/s)", ours_up, anchor_up, "x"))
        rows.append(
            ("process RSS growth during upload (MB)", ours_rss / 1024, anchor_rss / 1024, "-")
        )
    server.should_exit = True
    thread.join(10)
    uploads.drop_session("s")
    for p in work.iterdir():
        p.unlink()
    work.rmdir()
    print(f"{'metric':44} {'Bastion':>10} {'anchor':>10} {'ratio':>8}")
    for name, a, b, kind in rows:
        ratio = a / b if kind == "x" and b else (b / a if kind == "ms" and a else float("nan"))
        print(f"{name:44} {a:10.2f} {b:10.2f} {ratio:8.2f}")
    print("ratio: Bastion's share of the anchor's speed (1.00 = as fast as bare Starlette)")
    print("note: RSS is of the whole process (client and server); the payload was read before")


if __name__ == "__main__":
    main()
