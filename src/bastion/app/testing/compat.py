"""AppTest wrappers for datetime_input, pdf, graphviz_chart and audio_input."""

from __future__ import annotations

import datetime
from typing import Any

from bastion.app.testing.elements import Element, Widget
from bastion.app.testing.media import FileUploader
from bastion.protocol import app as p


class DateTimeInput(Widget):
    type = "datetime_input"

    @property
    def min(self) -> datetime.datetime:
        return datetime.datetime.fromisoformat(self.proto.min)

    @property
    def max(self) -> datetime.datetime:
        return datetime.datetime.fromisoformat(self.proto.max)

    @property
    def step(self) -> int:
        return int(self.proto.step)

    def wire_value(self, value: Any) -> Any:
        if isinstance(value, datetime.datetime):
            return value.strftime("%Y-%m-%dT%H:%M:%S")
        return value


class Pdf(Element):
    type = "pdf"

    @property
    def url(self) -> str:
        return str(self.proto.url)

    @property
    def height(self) -> int:
        return int(self.proto.height)


class GraphvizChart(Element):
    type = "graphviz_chart"

    @property
    def url(self) -> str:
        return str(self.proto.url)


class AudioInput(FileUploader):
    type = "audio_input"


BY_ELEMENT: dict[type, type[Element]] = {
    p.DateTimeInput: DateTimeInput,
    p.Pdf: Pdf,
    p.GraphvizChart: GraphvizChart,
}
TYPES: dict[str, tuple[type[Element], ...]] = {
    cls.type: (cls,) for cls in (DateTimeInput, Pdf, GraphvizChart, AudioInput)
}
