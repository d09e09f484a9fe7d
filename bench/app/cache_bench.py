"""st.cache_data side by side with Streamlit: hashing and hit time for big arguments.

    .venv/bin/python bench/app/cache_bench.py [--repeat 5]

Arguments: a 1,000,000-row x 10-column DataFrame and a 100 MB numpy array. For each, a cached
function that returns the argument's shape is called once (miss), then `--repeat` times (hits);
the hit time is everything a script waits for: hashing the argument, finding the entry, and
handing back the value (Bastion: a native copy; Streamlit: unpickling). Hashing alone is timed
too. Bastion runs in a real Runtime through AppTest; Streamlit's `st.cache_data` runs in its own
virtual environment (.bench/streamlit-venv, made by bench/app/run.py) without a server, in the
same way (its cache works without a runtime).

Also checked: whether each returns the right answer for a frame that differs from a cached one
in a single row (Streamlit hashes a 10,000-row sample of frames with 100,000 rows or more).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

COMMON = """
import time, statistics
import numpy as np, pandas as pd
rng = np.random.default_rng(0)
df = pd.DataFrame(rng.random((1_000_000, 10)), columns=[f"c{i}" for i in range(10)])
arr = rng.random(100 * 1024 * 1024 // 8)
df2 = df.copy()
df2.iloc[987_654, 3] = -1.0  # one row differs
calls = []

def timed(fn, *a):
    t = time.perf_counter(); r = fn(*a); return time.perf_counter() - t, r
"""

BODY = """
@st.cache_data(show_spinner=False)
def frame_sum(d):
    calls.append(1)
    return float(d["c3"].sum())

@st.cache_data(show_spinner=False)
def array_echo(a):
    calls.append(1)
    return a

out = {}
out["frame_miss"], _ = timed(frame_sum, df)
out["frame_hit"] = min(timed(frame_sum, df)[0] for _ in range(REPEAT))
out["array_miss"], _ = timed(array_echo, arr)
out["array_hit"] = min(timed(array_echo, arr)[0] for _ in range(REPEAT))
out["frame_hash"] = min(timed(HASH, df)[0] for _ in range(REPEAT))
out["array_hash"] = min(timed(HASH, arr)[0] for _ in range(REPEAT))
right = float(df2["c3"].sum())
got = frame_sum(df2)
out["one_row_change_detected"] = got == right
"""

BASTION_SCRIPT = (
    "import bastion as st\n"
    "from bastion.app.caching.hashing import Hasher\n"
    + COMMON
    + "def HASH(x):\n    h = Hasher(); h.update(x); return h.h.digest()\n"
    + BODY
    + "RESULT.update(out)\n"
)

STREAMLIT_SCRIPT = (
    "import json, logging, warnings\n"
    "logging.disable(logging.WARNING); warnings.simplefilter('ignore')\n"
    "import streamlit as st\n"
    "from streamlit.runtime.caching import hashing as sth\n"
    + COMMON
    + textwrap.dedent(
        """
        def HASH(x):
            h = __import__("hashlib").new("md5", usedforsecurity=False)
            try:
                sth.update_hash(x, h, sth.CacheType.DATA)
            except TypeError:
                sth.update_hash(x, h, sth.CacheType.DATA, None)
            return h.digest()
        """
    )
    + BODY
    + "print('RESULT' + json.dumps(out))\n"
)


def run_bastion(repeat: int) -> dict[str, Any]:
    from bastion.app.script import Script
    from bastion.testing import AppTest

    result: dict[str, Any] = {}
    source = BASTION_SCRIPT.replace("REPEAT", str(repeat))
    at = AppTest(
        Script(source=source, name="<cache-bench>", extra_globals={"RESULT": result}),
        default_timeout=600,
    )
    at.run()
    if at.exception:
        raise RuntimeError(at.exception[0].message)
    return result


def run_streamlit(repeat: int) -> dict[str, Any] | None:
    from run import ensure_streamlit

    python = ensure_streamlit()
    source = STREAMLIT_SCRIPT.replace("REPEAT", str(repeat))
    proc = subprocess.run(
        [str(python), "-c", source], capture_output=True, text=True, timeout=900, check=False
    )
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT"):
            parsed: dict[str, Any] = json.loads(line[len("RESULT") :])
            return parsed
    print("streamlit run failed:\n" + proc.stderr[-3000:], file=sys.stderr)
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", choices=["bastion", "streamlit"])
    args = parser.parse_args()
    started = time.perf_counter()
    b = run_bastion(args.repeat) if args.only != "streamlit" else {}
    s = (run_streamlit(args.repeat) if args.only != "bastion" else None) or {}
    title = f"metric (ms, best of {args.repeat})"
    print(f"\n{title:36} {'bastion':>10} {'streamlit':>10} {'ratio':>7}")
    for key in ("frame_hash", "frame_hit", "frame_miss", "array_hash", "array_hit", "array_miss"):
        bv, sv = b.get(key), s.get(key)
        ratio = f"{sv / bv:6.2f}x" if bv and sv else "     -"
        fb = f"{bv * 1000:10.1f}" if bv is not None else "         -"
        fs = f"{sv * 1000:10.1f}" if sv is not None else "         -"
        print(f"{key:36} {fb} {fs} {ratio}")
    print(
        f"{'one-row change in a 1M-row frame seen':36} {b.get('one_row_change_detected')!s:>10} "
        f"{s.get('one_row_change_detected')!s:>10}"
    )
    print(
        "\nratio: streamlit/bastion (above 1: Bastion is faster). Bastion hashes every byte; "
        "Streamlit hashes a sample of big frames and arrays.\n"
        f"total {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
