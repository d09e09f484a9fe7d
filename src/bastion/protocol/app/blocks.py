"""Blocks: nodes whose children are addressed by extending their path."""

from __future__ import annotations

from typing import Literal

from bastion.protocol.app._base import Gap, _El


class Vertical(_El, frozen=True, tag="vertical"):
    """`st.container()`, and the implicit root of main and sidebar."""

    border: bool = False
    height: int | None = None
    key: str | None = None


class Columns(_El, frozen=True, tag="columns"):
    """A horizontal row; its children are `Column` blocks."""

    gap: Gap = "small"


class Column(_El, frozen=True, tag="column"):
    weight: float
    gap: Gap = "small"
    vertical_alignment: Literal["top", "center", "bottom"] = "top"
    border: bool = False


class Expander(_El, frozen=True, tag="expander"):
    label_html: str
    expanded: bool = False
    icon: str | None = None


class Form(_El, frozen=True, tag="form"):
    form_id: str
    clear_on_submit: bool = False
    enter_to_submit: bool = True
    border: bool = True


class Tabs(_El, frozen=True, tag="tabs"):
    """A tab bar; its children are `Tab` blocks, one per label."""

    labels_html: tuple[str, ...]


class Tab(_El, frozen=True, tag="tab"):
    label_html: str
