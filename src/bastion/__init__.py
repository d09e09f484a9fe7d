"""Bastion: data apps, a code execution service and an LLM interpreter over one sandbox.

`import bastion as st` gives the app API (`st.title`, `st.button`, `st.session_state`, ...). Names
are resolved on first use (PEP 562), so importing `bastion` or one of its parts (`bastion.sandbox`)
does not load the app runtime. Type checkers read the names from `__init__.pyi`; keeping them
out of this file keeps `bastion` free of imports of its parts, so a part that imports `bastion`
never depends on another part.
"""

import importlib
from typing import Any

from bastion._version import __version__ as __version__

__all__ = [
    "__version__",
    "audio",
    "audio_input",
    "badge",
    "balloons",
    "bottom",
    "button",
    "cache_data",
    "cache_resource",
    "camera_input",
    "caption",
    "checkbox",
    "code",
    "color_picker",
    "columns",
    "connection",
    "container",
    "context",
    "date_input",
    "datetime_input",
    "divider",
    "download_button",
    "echo",
    "empty",
    "error",
    "exception",
    "expander",
    "experimental_audio_input",
    "feedback",
    "file_uploader",
    "form",
    "form_submit_button",
    "get_option",
    "graphviz_chart",
    "header",
    "help",
    "image",
    "info",
    "json",
    "latex",
    "link_button",
    "logo",
    "markdown",
    "metric",
    "multiselect",
    "number_input",
    "pdf",
    "pills",
    "progress",
    "query_params",
    "radio",
    "rerun",
    "secrets",
    "segmented_control",
    "select_slider",
    "selectbox",
    "session_state",
    "set_option",
    "set_page_config",
    "sidebar",
    "slider",
    "snow",
    "space",
    "spinner",
    "stop",
    "subheader",
    "success",
    "tabs",
    "text",
    "text_area",
    "text_input",
    "time_input",
    "title",
    "toggle",
    "video",
    "warning",
    "write",
]


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        raise AttributeError(name)
    # By name, not by an import statement: the root package depends on no part (see above).
    value = importlib.import_module("bastion.app.api").resolve(name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return list(__all__)
