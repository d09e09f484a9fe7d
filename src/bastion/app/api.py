"""The `st.*` namespace: which name lives where, resolved lazily.

`import bastion as st` looks names up here on first use (PEP 562), and container handles
(`st.sidebar.button`, `col.write`) find their element functions here too. Nothing is imported until
a name is used, so `import bastion` (and `bastion.sandbox`) stays cheap.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from bastion.app import context
from bastion.app.container import BOTTOM, SIDEBAR, DeltaGenerator
from bastion.app.elements.page import QueryParams
from bastion.app.secrets import Secrets
from bastion.app.state import SessionState, StateMapping

_E = "bastion.app.elements."

# Element and layout functions: callable on `st` and on any container handle.
ELEMENTS: dict[str, str] = {
    "title": _E + "text",
    "header": _E + "text",
    "subheader": _E + "text",
    "markdown": _E + "text",
    "caption": _E + "text",
    "text": _E + "text",
    "code": _E + "text",
    "divider": _E + "text",
    "write": _E + "write",
    "json": _E + "json",
    "metric": _E + "metric",
    "success": _E + "alert",
    "info": _E + "alert",
    "warning": _E + "alert",
    "error": _E + "alert",
    "exception": _E + "alert",
    "spinner": _E + "status",
    "progress": _E + "status",
    "balloons": _E + "status",
    "button": _E + "button",
    "checkbox": _E + "checkbox",
    "toggle": _E + "checkbox",
    "radio": _E + "radio",
    "selectbox": _E + "selectbox",
    "multiselect": _E + "multiselect",
    "slider": _E + "slider",
    "select_slider": _E + "slider",
    "text_input": _E + "text_input",
    "text_area": _E + "text_input",
    "number_input": _E + "number_input",
    "columns": _E + "layout",
    "container": _E + "layout",
    "expander": _E + "layout",
    "tabs": _E + "layout",
    "empty": _E + "layout",
    "form": _E + "form",
    "form_submit_button": _E + "form",
    "echo": _E + "echo",
    "page_link": "bastion.app.pages",
    "latex": _E + "math",
    "badge": _E + "badge",
    "space": _E + "space",
    "help": _E + "help",
    "snow": _E + "status",
    "line_chart": _E + "charts",
    "bar_chart": _E + "charts",
    "area_chart": _E + "charts",
    "scatter_chart": _E + "charts",
    "map": _E + "chart_map",
    "vega_lite_chart": _E + "charts",
    "altair_chart": _E + "charts",
    "pyplot": _E + "pyplot",
    "plotly_chart": _E + "plotly",
    "image": _E + "image",
    "logo": _E + "image",
    "audio": _E + "player",
    "video": _E + "player",
    "file_uploader": _E + "uploader",
    "camera_input": _E + "uploader",
    "download_button": _E + "download",
    "link_button": _E + "download",
    "date_input": _E + "datetime_inputs",
    "time_input": _E + "datetime_inputs",
    "color_picker": _E + "color_picker",
    "pills": _E + "button_group",
    "segmented_control": _E + "button_group",
    "feedback": _E + "button_group",
    "popover": _E + "overlay",
    "status": _E + "overlay",
    "toast": _E + "overlay",
    "chat_message": _E + "chat",
    "chat_input": _E + "chat",
    "write_stream": _E + "stream",
    "html": _E + "embed",
    "dataframe": _E + "dataframe",
    "table": _E + "dataframe",
    "data_editor": _E + "dataframe",
    "experimental_data_editor": _E + "dataframe",
    "audio_input": _E + "uploader",
    "experimental_audio_input": _E + "uploader",
    "datetime_input": _E + "datetime_input",
    "pdf": _E + "pdf",
    "graphviz_chart": _E + "graphviz",
}

# Everything else `st` offers: functions that do not write into a container, and objects.
OTHERS: dict[str, str] = {
    "set_page_config": _E + "page",
    "get_option": _E + "options",
    "set_option": _E + "options",
    "rerun": _E + "control",
    "stop": _E + "control",
    "fragment": "bastion.app.fragment",
    "experimental_fragment": "bastion.app.fragment",
    "experimental_dialog": "bastion.app.fragment",
    "experimental_user": "bastion.app.auth",
    "dialog": "bastion.app.fragment",
    "session_state": "bastion.app.api",
    "query_params": "bastion.app.api",
    "secrets": "bastion.app.api",
    "sidebar": "bastion.app.api",
    "navigation": "bastion.app.pages",
    "Page": "bastion.app.pages",
    "switch_page": "bastion.app.pages",
    "login": "bastion.app.auth",
    "logout": "bastion.app.auth",
    "user": "bastion.app.auth",
    "bottom": "bastion.app.api",
    "context": "bastion.app.client_context",
    "cache_data": "bastion.app.caching.api",
    "cache_resource": "bastion.app.caching.api",
    "connection": "bastion.app.connections",
    "components": _E + "embed",
    "column_config": _E + "dataframe",
}


def element_function(name: str) -> Callable[..., Any] | None:
    module = ELEMENTS.get(name)
    if module is None:
        return None
    fn: Callable[..., Any] = getattr(importlib.import_module(module), name)
    return fn


def resolve(name: str) -> Any:
    module = ELEMENTS.get(name) or OTHERS.get(name)
    if module is None:
        raise AttributeError(f"module 'bastion' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


class SessionStateProxy(StateMapping):
    """`st.session_state`: the running session's state, by item or attribute.

    Every access is also an interrupt point, as every other st.* call."""

    __slots__ = ()

    def _state(self) -> SessionState:
        return context.get("session_state").state

    def __repr__(self) -> str:
        ctx = context.peek()
        return repr(ctx.state.to_dict()) if ctx is not None else "SessionStateProxy()"


class SecretsProxy(Mapping[str, Any]):
    """`st.secrets`: the running app's secrets (read on first use, never sent to the browser)."""

    __slots__ = ()

    @staticmethod
    def _secrets() -> Secrets:
        return context.get("secrets").session.runtime.secrets

    def __getitem__(self, key: str) -> Any:
        return self._secrets()[key]

    def __getattr__(self, key: str) -> Any:
        if key.startswith("__"):
            raise AttributeError(key)
        return getattr(self._secrets(), key)

    def __contains__(self, key: object) -> bool:
        return key in self._secrets()

    def __iter__(self) -> Iterator[str]:
        return iter(self._secrets())

    def __len__(self) -> int:
        return len(self._secrets())

    def __repr__(self) -> str:
        return "st.secrets"

    def to_dict(self) -> dict[str, Any]:
        return self._secrets().to_dict()


session_state = SessionStateProxy()
query_params = QueryParams()
secrets = SecretsProxy()
sidebar: DeltaGenerator = SIDEBAR
bottom: DeltaGenerator = BOTTOM
