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
    "balloons",
    "button",
    "caption",
    "checkbox",
    "code",
    "columns",
    "container",
    "divider",
    "echo",
    "empty",
    "error",
    "exception",
    "expander",
    "form",
    "form_submit_button",
    "header",
    "info",
    "json",
    "login",
    "logout",
    "markdown",
    "metric",
    "multiselect",
    "navigation",
    "number_input",
    "page_link",
    "progress",
    "query_params",
    "radio",
    "rerun",
    "secrets",
    "select_slider",
    "selectbox",
    "session_state",
    "set_page_config",
    "sidebar",
    "slider",
    "spinner",
    "stop",
    "subheader",
    "success",
    "switch_page",
    "tabs",
    "text",
    "text_area",
    "text_input",
    "title",
    "toggle",
    "user",
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
