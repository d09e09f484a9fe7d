"""Bastion's runtime core next to Streamlit's, through each one's AppTest: same script, same run.

AppTest drives each framework's real script runner in-process (no network), so this isolates
what the runtime costs per rerun: widget bookkeeping, element building and serialization, and the
test client reading the result. The network and browser figures are bench/app/run.py's.

    .venv/bin/python bench/app/apptest_vs_streamlit.py [--reruns 500]

Streamlit comes from .bench/streamlit-venv (created and filled with `pip install streamlit` on
first use) or from the interpreter named by $STREAMLIT_PYTHON.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ST_VENV = ROOT / ".bench" / "streamlit-venv"

APP = """
import {module} as st
st.title("Benchmark app")
values = [st.slider(f"slider {{i}}", 0, 100, 50, key=f"s{{i}}") for i in range(10)]
for i in range(10):
    st.markdown(f"Line **{{i}}**: value {{values[i]}}")
st.write(f"total = {{sum(values)}}")
"""


def child(framework: str, reruns: int) -> None:
    if framework == "streamlit":
        from streamlit.testing.v1 import AppTest
    else:
        from bastion.testing import AppTest  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "app.py"
        script.write_text(APP.format(module=framework))
        t0 = time.perf_counter()
        at = AppTest.from_file(str(script), default_timeout=30).run()
        first = time.perf_counter() - t0
        samples = []
        for i in range(reruns):
            t0 = time.perf_counter()
            at.slider[0].set_value(i % 100).run()
            samples.append(time.perf_counter() - t0)
        assert at.markdown[0].value == f"Line **0**: value {(reruns - 1) % 100}", "wrong result"
    samples.sort()
    print(
        json.dumps(
            {
                "first_ms": first * 1e3,
                "p50_ms": samples[len(samples) // 2] * 1e3,
                "p99_ms": samples[int(len(samples) * 0.99)] * 1e3,
                "per_s": len(samples) / sum(samples),
            }
        )
    )


def streamlit_python() -> str:
    explicit = os.environ.get("STREAMLIT_PYTHON")
    if explicit:
        return explicit
    python = ST_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(ST_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "streamlit"], check=True)
    return str(python)


def measure(python: str, framework: str, reruns: int) -> dict[str, float]:
    out = subprocess.run(
        [python, __file__, "--child", framework, "--reruns", str(reruns)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")} if framework == "bastion" else None,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reruns", type=int, default=500)
    parser.add_argument("--child", choices=["streamlit", "bastion"])
    args = parser.parse_args()
    if args.child:
        child(args.child, args.reruns)
        return
    st_python = streamlit_python()
    version = subprocess.run(
        [st_python, "-c", "import streamlit; print(streamlit.__version__)"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    streamlit = measure(st_python, "streamlit", args.reruns)
    bastion = measure(sys.executable, "bastion", args.reruns)
    print(f"AppTest reruns of the same script ({args.reruns} reruns, streamlit {version})")
    print(f"{'figure':<22}{'streamlit':>12}{'bastion':>12}{'ratio':>9}")
    for key, label, better_low in (
        ("first_ms", "first run (ms)", True),
        ("p50_ms", "rerun p50 (ms)", True),
        ("p99_ms", "rerun p99 (ms)", True),
        ("per_s", "reruns per second", False),
    ):
        s, b = streamlit[key], bastion[key]
        ratio = s / b if better_low else b / s
        print(f"{label:<22}{s:>12.2f}{b:>12.2f}{ratio:>8.1f}x")
    print("(ratio > 1: Bastion is better; the machine is shared, figures are noisy)")


if __name__ == "__main__":
    main()
