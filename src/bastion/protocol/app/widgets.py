"""Widget elements of the core set: each carries its `id` and authoritative value."""

from __future__ import annotations

from typing import Literal

from bastion.protocol.app._base import LabelVisibility, _El


class Button(_El, frozen=True, tag="button"):
    id: str
    label_html: str
    kind: Literal["primary", "secondary", "tertiary"] = "secondary"
    form_submit: bool = False  # a form's submit button: sends Submit, not Rerun
    form_id: str | None = None
    help_html: str | None = None
    disabled: bool = False
    use_container_width: bool = False
    icon: str | None = None
    key: str | None = None


class Checkbox(_El, frozen=True, tag="checkbox"):
    id: str
    label_html: str
    value: bool
    style: Literal["checkbox", "toggle"] = "checkbox"
    form_id: str | None = None
    help_html: str | None = None
    disabled: bool = False
    label_visibility: LabelVisibility = "visible"
    key: str | None = None


class Radio(_El, frozen=True, tag="radio"):
    id: str
    label_html: str
    options_html: tuple[str, ...]
    index: int | None
    horizontal: bool = False
    captions_html: tuple[str, ...] = ()
    form_id: str | None = None
    help_html: str | None = None
    disabled: bool = False
    label_visibility: LabelVisibility = "visible"
    key: str | None = None


class Selectbox(_El, frozen=True, tag="selectbox"):
    id: str
    label_html: str
    options: tuple[str, ...]  # plain text
    index: int | None
    placeholder: str = ""
    form_id: str | None = None
    help_html: str | None = None
    disabled: bool = False
    label_visibility: LabelVisibility = "visible"
    key: str | None = None


class Multiselect(_El, frozen=True, tag="multiselect"):
    id: str
    label_html: str
    options: tuple[str, ...]
    indices: tuple[int, ...]
    max_selections: int | None = None
    placeholder: str = ""
    form_id: str | None = None
    help_html: str | None = None
    disabled: bool = False
    label_visibility: LabelVisibility = "visible"
    key: str | None = None


class Slider(_El, frozen=True, tag="slider"):
    id: str
    label_html: str
    data_type: Literal["int", "float"]
    min: float
    max: float
    step: float
    value: tuple[float, ...]  # one value, or two for a range
    format: str | None = None  # printf-style, e.g. "%d" or "%.2f"
    form_id: str | None = None
    help_html: str | None = None
    disabled: bool = False
    label_visibility: LabelVisibility = "visible"
    key: str | None = None


class SelectSlider(_El, frozen=True, tag="select_slider"):
    id: str
    label_html: str
    options: tuple[str, ...]
    value: tuple[int, ...]  # option indices: one, or two for a range
    form_id: str | None = None
    help_html: str | None = None
    disabled: bool = False
    label_visibility: LabelVisibility = "visible"
    key: str | None = None


class TextInput(_El, frozen=True, tag="text_input"):
    id: str
    label_html: str
    value: str | None
    multiline: bool = False  # True for text_area
    height: int | None = None
    max_chars: int | None = None
    input_type: Literal["default", "password"] = "default"
    placeholder: str = ""
    autocomplete: str | None = None
    form_id: str | None = None
    help_html: str | None = None
    disabled: bool = False
    label_visibility: LabelVisibility = "visible"
    key: str | None = None


class NumberInput(_El, frozen=True, tag="number_input"):
    id: str
    label_html: str
    data_type: Literal["int", "float"]
    value: float | None
    step: float
    min: float | None = None
    max: float | None = None
    format: str | None = None
    placeholder: str = ""
    form_id: str | None = None
    help_html: str | None = None
    disabled: bool = False
    label_visibility: LabelVisibility = "visible"
    key: str | None = None
