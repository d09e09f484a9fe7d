"""st.help: what an object is (name, type, signature, docstring, public members), as plain text."""

from __future__ import annotations

import inspect
from typing import Any

from bastion.app.container import DeltaGenerator, emit
from bastion.protocol.app import DocMember, DocString

_MAX_MEMBERS = 200
_MAX_REPR = 2_000


def _short_repr(obj: object) -> str:
    try:
        text = repr(obj)
    except Exception as e:  # a broken __repr__ must not break the page
        text = f"<unrepresentable {type(obj).__name__}: {type(e).__name__}>"
    return text if len(text) <= _MAX_REPR else text[: _MAX_REPR - 1] + "…"


def _first_line(doc: str | None) -> str:
    return doc.strip().splitlines()[0] if doc and doc.strip() else ""


def _signature(obj: object) -> str:
    if not callable(obj):
        return ""
    try:
        return str(inspect.signature(obj))
    except (TypeError, ValueError):
        return ""


def _members(obj: object) -> tuple[DocMember, ...]:
    out: list[DocMember] = []
    for name in sorted(dir(obj)):
        if name.startswith("_") or len(out) >= _MAX_MEMBERS:
            continue
        try:
            value: Any = inspect.getattr_static(obj, name)
        except AttributeError:
            continue
        if callable(value) or isinstance(value, classmethod | staticmethod | property):
            summary = _first_line(inspect.getdoc(value))
        else:
            summary = _short_repr(value)
        out.append(DocMember(name=name, type_name=type(value).__name__, value=summary))
    return tuple(out)


def help(obj: object = None) -> DeltaGenerator:
    if obj is None:
        from bastion.app import api

        obj = api  # `st.help()` describes the st namespace itself, as Streamlit does
    described = inspect.isclass(obj) or inspect.ismodule(obj) or callable(obj)
    element = DocString(
        name=str(getattr(obj, "__qualname__", getattr(obj, "__name__", "")) or ""),
        type_name=type(obj).__name__,
        signature=_signature(obj),
        doc=inspect.getdoc(obj) or "",
        value="" if described else _short_repr(obj),
        members=_members(obj),
    )
    return emit("help", element, obj)
