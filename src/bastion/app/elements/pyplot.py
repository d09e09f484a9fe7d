"""st.pyplot: a matplotlib figure rendered on the server (Agg) and shown as a PNG image, served by
the media store (`bastion.app.media`) like st.image.

The browser gets pixels, never matplotlib's SVG (which could carry text as markup). Without a
figure, st.pyplot shows pyplot's current figure of *this session* (see bastion.app.figures) and
then clears it, as Streamlit does (``clear_figure`` defaults to True then, False for a given one).
"""

from __future__ import annotations

import io
from typing import Any

from bastion.app import figures, media
from bastion.app.container import DeltaGenerator, emit
from bastion.app.elements.chart_data import require
from bastion.app.errors import InvalidArgument
from bastion.protocol.app import ChartImage

DPI = 200  # Streamlit's: crisp on high-density screens; shown at half size on others


def render_png(fig: Any, **kwargs: Any) -> tuple[bytes, int]:
    """PNG bytes of `fig` and its width in CSS pixels, drawn with the Agg renderer whatever
    pyplot's backend is."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    options: dict[str, Any] = {"format": "png", "dpi": DPI, "bbox_inches": "tight", **kwargs}
    if options["format"] != "png":
        raise InvalidArgument("pyplot", "format", "'png'", options["format"])
    buf = io.BytesIO()
    canvas = FigureCanvasAgg(fig) if fig.canvas is None else fig.canvas
    canvas.print_figure(buf, **options)
    data = buf.getvalue()
    # The PNG header holds the pixel width (bytes 16-20 of IHDR).
    width_px = int.from_bytes(data[16:20], "big") if data[:8] == b"\x89PNG\r\n\x1a\n" else 0
    dpi = float(options.get("dpi") or DPI)
    return data, round(width_px * 100 / dpi) if width_px else 0


def pyplot(
    fig: Any = None,
    clear_figure: bool | None = None,
    *,
    use_container_width: bool = True,
    **kwargs: Any,
) -> DeltaGenerator:
    require("pyplot", "matplotlib")
    from matplotlib.figure import Figure

    figures.install()
    if fig is None:
        import matplotlib.pyplot as plt

        fig = plt.gcf()
        if clear_figure is None:
            clear_figure = True
    elif not isinstance(fig, Figure):
        raise InvalidArgument(
            "pyplot", "fig", "a matplotlib Figure (fig, ax = plt.subplots())", fig,
            "Pass the Figure, not an Axes: use ax.figure, or plt.gcf().",
        )  # fmt: skip
    data, width = render_png(fig, **kwargs)
    if clear_figure:
        fig.clf()
    # Served by the media route (same content, same URL: a rerun drawing the same figure sends an
    # identical element, and the browser does not fetch it again).
    src = media.add(data, "image/png")
    element = ChartImage(
        src=src, width=width or None, use_container_width=bool(use_container_width)
    )
    return emit("pyplot", element, {"png": data, "width": width})
