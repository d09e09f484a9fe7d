"""st.write: the swiss-army writer, also what magic calls for bare expressions."""

from __future__ import annotations

import dataclasses
import inspect
import types
from typing import Any

from bastion.app import context, markup
from bastion.app.container import DeltaGenerator
from bastion.app.elements import alert, json, text


def _is_jsonish(value: object) -> bool:
    return (
        isinstance(value, dict | list | tuple | set | frozenset)
        or (dataclasses.is_dataclass(value) and not isinstance(value, type))
        or type(value).__name__ in ("mappingproxy", "OrderedDict", "defaultdict")
    )


def _is_dataframe_like(value: object) -> bool:
    kind = (type(value).__module__.split(".")[0], type(value).__name__)
    return kind in _DATAFRAME_TYPES


_DATAFRAME_TYPES = {
    ("pandas", "DataFrame"),
    ("pandas", "Series"),
    ("pandas", "Index"),
    ("pandas", "Styler"),
    ("pyarrow", "Table"),
    ("pyarrow", "RecordBatch"),
    ("polars", "DataFrame"),
    ("polars", "Series"),
    ("numpy", "ndarray"),
}


def _write_one(value: object, unsafe_allow_html: bool) -> None:
    if _is_dataframe_like(value):
        from bastion.app.elements.dataframe import dataframe

        dataframe(value)
    elif isinstance(value, BaseException):
        alert.exception(value)
    elif isinstance(value, DeltaGenerator):
        text.markdown(f"`{value!r}`")
    elif _is_jsonish(value):
        json.json(value)
    elif isinstance(value, types.ModuleType | types.FunctionType | type | types.MethodType):
        name = getattr(value, "__qualname__", getattr(value, "__name__", repr(value)))
        doc = inspect.getdoc(value) or ""
        text.code(f"{name}\n\n{doc}".rstrip(), language=None)
    elif hasattr(value, "_repr_html_") and not isinstance(value, str):
        # Rich objects (e.g. pandas frames until st.dataframe lands) render through the sanitizer.
        html = value._repr_html_()
        context.get("write")
        from bastion.app.container import emit
        from bastion.protocol.app import Markdown

        emit("write", Markdown(body_html=markup.sanitize(str(html))), value)
    else:
        text.markdown(f"`{value!r}`" if not isinstance(value, str | int | float) else str(value))


def write(*args: Any, unsafe_allow_html: bool = False) -> None:
    """Write each argument in the way that fits it: strings as markdown, dicts and lists as JSON,
    exceptions as exceptions; consecutive strings are joined into one markdown element."""
    context.get("write")
    pending: list[str] = []
    for arg in args:
        if isinstance(arg, str):
            pending.append(arg)
            continue
        if pending:
            text.markdown(" ".join(pending), unsafe_allow_html)
            pending = []
        _write_one(arg, unsafe_allow_html)
    if pending:
        text.markdown(" ".join(pending), unsafe_allow_html)
