"""st.graphviz_chart: DOT rendered to SVG on the server by Graphviz's `dot`, shown as an image.

`dot` runs as a subprocess with a timeout, an input and an output cap, in an empty temporary
directory with `GV_FILE_PATH` pointing there (Graphviz's web-server mode: `image=` and
`shapefile=` attributes can then name no file outside that empty directory). The SVG goes into the
media store and is shown only through `<img>`, where it cannot run script; the media route serves
it with a sandbox CSP should anyone open it directly.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from typing import Any

from bastion.app import media
from bastion.app.container import emit
from bastion.app.errors import AppError, InvalidArgument
from bastion.protocol.app import GraphvizChart

MAX_DOT_BYTES = 1_000_000
MAX_SVG_BYTES = 20_000_000
TIMEOUT_SECONDS = 10.0


class GraphvizError(AppError):
    """`dot` is missing, failed, took too long or wrote too much."""


def dot_source(figure_or_dot: object) -> str:
    if isinstance(figure_or_dot, str):
        return figure_or_dot
    source = getattr(figure_or_dot, "source", None)  # graphviz.Graph / Digraph / Source
    if isinstance(source, str):
        return source
    raise InvalidArgument(
        "graphviz_chart", "figure_or_dot", "a DOT string or a graphviz.Graph/Digraph", figure_or_dot
    )


def render_svg(source: str, *, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """The SVG `dot` makes of `source`; GraphvizError with dot's own message on failure."""
    data = source.encode("utf-8")
    if len(data) > MAX_DOT_BYTES:
        raise GraphvizError(
            f"the DOT source is {len(data)} bytes; st.graphviz_chart takes at most {MAX_DOT_BYTES}"
        )
    exe = shutil.which("dot")
    if exe is None:
        raise GraphvizError(
            "st.graphviz_chart needs Graphviz's `dot` program, which is not installed: "
            "`apt-get install graphviz` (Debian) or `brew install graphviz`"
        )
    with tempfile.TemporaryDirectory(prefix="bastion-dot-") as tmp:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GV_FILE_PATH": tmp + "/"}
        out_path = os.path.join(tmp, "out.svg")
        with open(out_path, "wb") as out, tempfile.TemporaryFile() as err:
            proc = subprocess.Popen(  # noqa: S603 - fixed argv, the source on stdin
                [exe, "-Tsvg"],
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=err,
                cwd=tmp,
                env=env,
                start_new_session=True,
            )
            try:
                _feed(proc, data)
                _wait_capped(proc, out_path, timeout)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
            err.seek(0)
            stderr = err.read(4000).decode("utf-8", "replace").strip()
        with open(out_path, "rb") as f:
            svg = f.read(MAX_SVG_BYTES + 1)
    if proc.returncode != 0 or not svg:
        raise GraphvizError(f"`dot` could not render the graph: {stderr or 'no output'}")
    return svg


def _feed(proc: subprocess.Popen[bytes], data: bytes) -> None:
    if proc.stdin is None:
        return
    try:
        proc.stdin.write(data)
        proc.stdin.close()
    except BrokenPipeError:  # dot stopped reading: its exit status and stderr say why
        pass


def _wait_capped(proc: subprocess.Popen[bytes], out_path: str, timeout: float) -> None:
    """Wait for `dot`, killing it when it runs past `timeout` or its SVG past the cap."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            proc.wait(0.05)
            break
        except subprocess.TimeoutExpired:
            pass
        if os.path.getsize(out_path) > MAX_SVG_BYTES:
            proc.kill()
            raise GraphvizError(f"`dot` wrote more than {MAX_SVG_BYTES} bytes of SVG; stopped")
        if time.monotonic() > deadline:
            proc.kill()
            raise GraphvizError(
                f"`dot` took longer than {timeout:g} s; the graph is too large to render"
            )
    if os.path.getsize(out_path) > MAX_SVG_BYTES:
        raise GraphvizError(f"`dot` wrote more than {MAX_SVG_BYTES} bytes of SVG")


def graphviz_chart(
    figure_or_dot: Any, use_container_width: bool = False, *, width: Any = None
) -> Any:
    """Show a graph given as DOT source or a `graphviz` object."""
    if width == "stretch":  # Streamlit 1.67's spelling of use_container_width=True
        use_container_width = True
    if not isinstance(use_container_width, bool):
        raise InvalidArgument(
            "graphviz_chart", "use_container_width", "True or False", use_container_width
        )
    svg = render_svg(dot_source(figure_or_dot))
    url = media.add(svg, "image/svg+xml")
    return emit(
        "graphviz_chart",
        GraphvizChart(url=url, use_container_width=use_container_width),
        source=figure_or_dot,
    )
