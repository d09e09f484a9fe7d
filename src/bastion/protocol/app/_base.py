"""What every app message and element shares: the version, inbound limits, base structs."""

from __future__ import annotations

from typing import Annotated, Final, Literal

import msgspec

PROTOCOL_VERSION: Final = 1
"""Bumped on any incompatible change. Additive changes (new optional fields, new message, element
or block types) keep the version: clients ignore element types they do not know."""

# Limits on inbound data: generous for real use, small enough that a hostile client cannot make
# the server hold much. The server enforces a frame size cap before decoding as well.
MAX_WIDGET_ID: Final = 256
MAX_WIDGETS_PER_MESSAGE: Final = 10_000
MAX_TEXT_VALUE: Final = 1_000_000
MAX_LIST_VALUE: Final = 100_000
MAX_QUERY_STRING: Final = 16_384
MAX_TOKEN: Final = 512

WidgetId = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_WIDGET_ID)]
Token = Annotated[str, msgspec.Meta(max_length=MAX_TOKEN)]
QueryString = Annotated[str, msgspec.Meta(max_length=MAX_QUERY_STRING)]
Number = int | float
MAX_JSON_KEY: Final = 1024
_Text = Annotated[str, msgspec.Meta(max_length=MAX_TEXT_VALUE)]
_Key = Annotated[str, msgspec.Meta(max_length=MAX_JSON_KEY)]
Scalar = bool | int | float | _Text | None
# Structured values (data_editor edits, chart and dataframe selections, uploaded file ids) nest at
# most three levels deep: depth is bounded by the type, size by the frame cap and these lengths.
_Json1 = (
    Scalar
    | Annotated[list[Scalar], msgspec.Meta(max_length=MAX_LIST_VALUE)]
    | Annotated[dict[_Key, Scalar], msgspec.Meta(max_length=MAX_LIST_VALUE)]
)
_Json2 = (
    Scalar
    | Annotated[list[_Json1], msgspec.Meta(max_length=MAX_LIST_VALUE)]
    | Annotated[dict[_Key, _Json1], msgspec.Meta(max_length=MAX_LIST_VALUE)]
)
WidgetValue = (
    Scalar
    | Annotated[list[_Json2], msgspec.Meta(max_length=MAX_LIST_VALUE)]
    | Annotated[dict[_Key, _Json2], msgspec.Meta(max_length=MAX_LIST_VALUE)]
)
"""A widget's wire value: JSON of bounded depth. Each widget's parser checks the exact shape."""
WidgetValues = Annotated[
    dict[WidgetId, WidgetValue], msgspec.Meta(max_length=MAX_WIDGETS_PER_MESSAGE)
]
Path = tuple[int, ...]

ROOT_MAIN: Final = 0
ROOT_SIDEBAR: Final = 1
ROOT_BOTTOM: Final = 2  # st.bottom: pinned to the bottom of the page


class _Msg(msgspec.Struct, frozen=True, kw_only=True, tag_field="type", forbid_unknown_fields=True):
    pass


class _El(msgspec.Struct, frozen=True, kw_only=True, tag_field="type", omit_defaults=True):
    pass


LabelVisibility = Literal["visible", "hidden", "collapsed"]
Gap = Literal["small", "medium", "large"]
