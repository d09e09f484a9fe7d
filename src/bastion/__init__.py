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
    "Page",
    "__version__",
    "altair_chart",
    "area_chart",
    "audio",
    "audio_input",
    "badge",
    "balloons",
    "bar_chart",
    "bottom",
    "button",
    "cache_data",
    "cache_resource",
    "camera_input",
    "caption",
    "chat_input",
    "chat_message",
    "checkbox",
    "code",
    "color_picker",
    "column_config",
    "columns",
    "components",
    "connection",
    "container",
    "context",
    "data_editor",
    "dataframe",
    "date_input",
    "datetime_input",
    "dialog",
    "divider",
    "download_button",
    "echo",
    "empty",
    "error",
    "exception",
    "expander",
    "experimental_audio_input",
    "experimental_data_editor",
    "experimental_dialog",
    "experimental_fragment",
    "experimental_user",
    "feedback",
    "file_uploader",
    "form",
    "form_submit_button",
    "fragment",
    "get_option",
    "graphviz_chart",
    "header",
    "help",
    "html",
    "image",
    "info",
    "json",
    "latex",
    "line_chart",
    "link_button",
    "login",
    "logo",
    "logout",
    "map",
    "markdown",
    "metric",
    "multiselect",
    "navigation",
    "number_input",
    "page_link",
    "pdf",
    "pills",
    "plotly_chart",
    "popover",
    "progress",
    "pyplot",
    "query_params",
    "radio",
    "rerun",
    "scatter_chart",
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
    "status",
    "stop",
    "subheader",
    "success",
    "switch_page",
    "table",
    "tabs",
    "text",
    "text_area",
    "text_input",
    "time_input",
    "title",
    "toast",
    "toggle",
    "user",
    "vega_lite_chart",
    "video",
    "warning",
    "write",
    "write_stream",
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
