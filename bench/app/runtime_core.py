"""In-process benchmark of the app runtime core (no network): the cost Bastion adds per rerun.

Drives AppSessions directly with decoded `Rerun` messages, as the server adapter does, for the
issue's reference app (a title, 10 sliders, 10 markdowns, a write). Prints rerun latency p50/p99
for one session, reruns/s with 1, 50, 200 and 500 concurrent sessions, bytes per rerun frame, and
the memory an idle session holds. The end-to-end figures over a real WebSocket, side by side with
Streamlit, are bench/app's server benchmark (frontend part); this one isolates the core.

    .venv/bin/python bench/app/runtime_core.py
"""

from __future__ import annotations

import gc
import statistics
import threading
import time
import tracemalloc

from bastion.app.runner import Workers
from bastion.app.runtime import Runtime
from bastion.app.script import Script
from bastion.app.secrets import Secrets
from bastion.protocol.app import Hello, Rerun

APP = """
import bastion as st
st.title("Benchmark app")
values = [st.slider(f"slider {i}", 0, 100, 50, key=f"s{i}") for i in range(10)]
for i in range(10):
    st.markdown(f"Line **{i}**: value {values[i]}")
st.write(f"total = {sum(values)}")
"""


class Client:
    __slots__ = ("bytes", "done", "frames")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.frames = 0
        self.bytes = 0

    def send(self, frame: bytes) -> None:
        self.frames += 1
        self.bytes += len(frame)
        if b'"type":"finished"' in frame:
            self.done.set()

    def request_flush(self) -> None:
        pass


def rerun(session, client: Client, widgets: dict) -> None:  # type: ignore[no-untyped-def]
    client.done.clear()
    session.handle(Rerun(widgets=widgets))
    client.done.wait()


def main() -> None:
    gc.freeze()  # what the server does after warm-up: no per-run full collections
    runtime = Runtime(
        Script(source=APP, name="<bench>"), secrets=Secrets(values={}), workers=Workers()
    )
    client = Client()
    session, _ = runtime.connect(Hello(protocol=1), client)
    assert session is not None
    rerun(session, client, {})
    slider = "$$ID-slider-s0"

    # Latency: one session, alternating a slider value (so some elements change each run).
    samples = []
    first_bytes = client.bytes
    for i in range(2000):
        t0 = time.perf_counter()
        rerun(session, client, {slider: [i % 100]})
        samples.append(time.perf_counter() - t0)
    samples.sort()
    p50 = samples[len(samples) // 2] * 1e3
    p99 = samples[int(len(samples) * 0.99)] * 1e3
    per_frame = (client.bytes - first_bytes) / 2000
    print(f"rerun latency (1 session, in-process): p50 {p50:.3f} ms  p99 {p99:.3f} ms")
    print(f"bytes per rerun frame (1 slider moved): {per_frame:.0f} B")

    # Throughput: N sessions, each rerunning as fast as it can for a fixed time.
    for n in (1, 50, 200, 500):
        sessions = []
        for _ in range(n):
            c = Client()
            s, _ = runtime.connect(Hello(protocol=1), c)
            rerun(s, c, {})
            sessions.append((s, c))
        stop_at = time.perf_counter() + 3.0
        counts = [0] * n

        def loop(
            k: int, sessions: list = sessions, stop_at: float = stop_at, counts: list = counts
        ) -> None:  # type: ignore[type-arg]
            s, c = sessions[k]
            i = 0
            while time.perf_counter() < stop_at:
                rerun(s, c, {slider: [i % 100]})
                i += 1
            counts[k] = i

        threads = [threading.Thread(target=loop, args=(k,)) for k in range(n)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - t0
        print(f"reruns/s with {n:>3} concurrent sessions: {sum(counts) / elapsed:,.0f}")
        for s, _ in sessions:
            runtime.close_session(s)

    # Memory held by an idle session (after one run), measured with tracemalloc.
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    idle = []
    for _ in range(200):
        c = Client()
        s, _ = runtime.connect(Hello(protocol=1), c)
        rerun(s, c, {})
        idle.append((s, c))
    time.sleep(0.1)
    gc.collect()
    after = tracemalloc.take_snapshot()
    grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    print(f"memory per idle session (Python heap): {grown / len(idle) / 1024:.1f} KB")
    print(f"(median of latency samples {statistics.median(samples) * 1e3:.3f} ms; machine shared)")
    runtime.shutdown()


if __name__ == "__main__":
    main()
