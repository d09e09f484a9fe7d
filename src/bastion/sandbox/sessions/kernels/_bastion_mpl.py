"""A matplotlib backend for Bastion's Python kernel: Agg rendering, `plt.show()` returns the
figures to the caller as PNG rich outputs (selected with MPLBACKEND=module://_bastion_mpl)."""

import sys
from typing import Any

from matplotlib.backend_bases import FigureManagerBase
from matplotlib.backends.backend_agg import FigureCanvasAgg

FigureCanvas = FigureCanvasAgg
FigureManager = FigureManagerBase


def show(*args: object, **kwargs: object) -> None:
    kernel: Any = sys.modules.get("_bastion_kernel")
    if kernel is not None:
        kernel.flush_figures()
