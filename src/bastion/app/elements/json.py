"""st.json: a document shown as collapsible, pretty-printed text."""

from __future__ import annotations

import dataclasses
import json as _json
from typing import Any

from bastion.app.container import DeltaGenerator, emit
from bastion.app.errors import InvalidArgument
from bastion.protocol.app import Json


def _default(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    if isinstance(obj, set | frozenset | tuple):
        return list(obj)
    if hasattr(obj, "to_dict"):
        return obj.to_dict()
    return str(obj)


def to_json(body: object) -> str:
    if isinstance(body, str):
        try:
            _json.loads(body)
        except ValueError:
            return _json.dumps(body)  # plain text: show it as a JSON string
        return body
    return _json.dumps(body, default=_default, ensure_ascii=False)


def json(body: object, *, expanded: bool | int = True) -> DeltaGenerator:
    if not isinstance(expanded, bool | int):
        raise InvalidArgument("json", "expanded", "a bool or an int (levels to expand)", expanded)
    text = to_json(body)
    return emit("json", Json(body=text, expanded=expanded), text)
