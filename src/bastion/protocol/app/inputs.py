"""More input widgets: date and time, color, and button groups (pills, segmented control,
feedback). Wire values: date_input a list of ISO dates (`[]`, `[d]`, or `[start, end]` for a
range), time_input `"HH:MM"` or `"HH:MM:SS"` or null, color_picker `"#rrggbb"`, a button group its
option index or null (single) or a list of indices (multi)."""

from __future__ import annotations

from typing import Literal

from bastion.protocol.app._base import LabelVisibility, _El


class DateInput(_El, frozen=True, tag="date_input"):
    id: str
    label_html: str
    value: tuple[str, ...]  # ISO dates: none or one, or up to two for a range
    min: str
    max: str
    is_range: bool = False
    format: str = "YYYY/MM/DD"
    form_id: str | None = None
    help_html: str | None = None
    disabled: bool = False
    label_visibility: LabelVisibility = "visible"
    key: str | None = None


class TimeInput(_El, frozen=True, tag="time_input"):
    id: str
    label_html: str
    value: str | None  # "HH:MM" or "HH:MM:SS"
    step: int = 900  # seconds
    form_id: str | None = None
    help_html: str | None = None
    disabled: bool = False
    label_visibility: LabelVisibility = "visible"
    key: str | None = None


class ColorPicker(_El, frozen=True, tag="color_picker"):
    id: str
    label_html: str
    value: str  # "#rrggbb"
    form_id: str | None = None
    help_html: str | None = None
    disabled: bool = False
    label_visibility: LabelVisibility = "visible"
    key: str | None = None


class ButtonGroup(_El, frozen=True, tag="button_group"):
    id: str
    label_html: str  # empty for st.feedback
    style: Literal["pills", "segmented_control", "thumbs", "faces", "stars"]
    options_html: tuple[str, ...]
    value: tuple[int, ...]  # selected option indices
    selection_mode: Literal["single", "multi"] = "single"
    form_id: str | None = None
    help_html: str | None = None
    disabled: bool = False
    label_visibility: LabelVisibility = "visible"
    key: str | None = None
