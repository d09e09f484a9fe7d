"""AppTest wrappers for date_input, time_input, color_picker and the button groups (pills,
segmented_control, feedback): values are set as Python values and sent as the browser would."""

from __future__ import annotations

import builtins
import datetime
from typing import Any

from bastion.app.testing import elements as el
from bastion.protocol import app as p


class DateInput(el.Widget):
    type = "date_input"

    @property
    def min(self) -> datetime.date:
        return datetime.date.fromisoformat(self.proto.min)

    @property
    def max(self) -> datetime.date:
        return datetime.date.fromisoformat(self.proto.max)

    def wire_value(self, value: Any) -> Any:
        items = (
            list(value) if isinstance(value, list | tuple) else ([] if value is None else [value])
        )
        return [d.isoformat() if isinstance(d, datetime.date) else d for d in items]


class TimeInput(el.Widget):
    type = "time_input"

    @property
    def step(self) -> int:
        return int(self.proto.step)

    def wire_value(self, value: Any) -> Any:
        if isinstance(value, datetime.time):
            return value.strftime("%H:%M:%S")
        return value


class ColorPicker(el.Widget):
    type = "color_picker"

    def pick(self, value: str) -> ColorPicker:
        self.set_value(value)
        return self


class ButtonGroup(el._Options):
    type = "button_group"

    @property
    def selection_mode(self) -> str:
        return str(self.proto.selection_mode)

    def select(self, value: Any) -> ButtonGroup:
        if self.selection_mode == "multi":
            current = list(self.value)
            if value not in current:
                current.append(value)
            self.set_value(current)
        else:
            self.set_value(value)
        return self

    def unselect(self, value: Any) -> ButtonGroup:
        if self.selection_mode == "multi":
            self.set_value([v for v in self.value if v != value])
        elif self.value == value:
            self.set_value(None)
        return self

    def wire_value(self, value: Any) -> Any:
        if self.selection_mode == "multi":
            return [self._index_of(v) for v in value]
        return None if value is None else self._index_of(value)

    @classmethod
    def refine(cls, element: Any) -> builtins.type[el.Element]:
        style = element.style
        if style == "pills":
            return Pills
        if style == "segmented_control":
            return SegmentedControl
        return Feedback


class Pills(ButtonGroup):
    type = "pills"


class SegmentedControl(ButtonGroup):
    type = "segmented_control"


class Feedback(ButtonGroup):
    type = "feedback"


BY_ELEMENT: dict[type, type[el.Element]] = {
    p.DateInput: DateInput,
    p.TimeInput: TimeInput,
    p.ColorPicker: ColorPicker,
    p.ButtonGroup: ButtonGroup,
}
TYPES: dict[str, tuple[type[el.Element], ...]] = {
    **{
        cls.type: (cls,)
        for cls in (DateInput, TimeInput, ColorPicker, Pills, SegmentedControl, Feedback)
    },
    "button_group": (Pills, SegmentedControl, Feedback),
}
