"""AppTest's element and block wrappers: the `streamlit.testing.v1` element API.

Widgets keep the value a test sets (`set_value`, `click`, `select`...) until the next `run()`,
which sends it the way a browser would; until then `.value` reads the session's state.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from bastion.app.state import Widget as WidgetDef
from bastion.protocol import app as p

if TYPE_CHECKING:
    from bastion.app.testing.app_test import AppTest
    from bastion.app.testing.tree import Node

_UNSET: Any = object()


class Element:
    type = "element"

    def __init__(self, node: Node, root: AppTest) -> None:
        self._node = node
        self.root = root
        self.proto: Any = node.element if node.element is not None else node.block

    @property
    def path(self) -> tuple[int, ...]:
        return self._node.path

    @property
    def key(self) -> str | None:
        return getattr(self.proto, "key", None)

    @property
    def value(self) -> Any:
        return self._node.source

    def run(self, *, timeout: float | None = None) -> AppTest:
        return self.root.run(timeout=timeout)

    @classmethod
    def refine(cls, element: Any) -> builtins.type[Element]:
        """The wrapper class for this element (one protocol type may map to several)."""
        return cls

    def __repr__(self) -> str:
        return f"{type(self).__name__}(path={list(self.path)}, value={self.value!r})"


class Title(Element):
    type = "title"


class Header(Element):
    type = "header"


class Subheader(Element):
    type = "subheader"


class Markdown(Element):
    type = "markdown"


class Caption(Element):
    type = "caption"


class Divider(Element):
    type = "divider"


class Text(Element):
    type = "text"


class Code(Element):
    type = "code"

    @property
    def language(self) -> str | None:
        lang: str | None = self.proto.language
        return lang


class Json(Element):
    type = "json"

    @property
    def expanded(self) -> bool | int:
        return self.proto.expanded  # type: ignore[no-any-return]


class Metric(Element):
    type = "metric"

    @property
    def label(self) -> str:
        return str(self._node.source["label"])  # type: ignore[index]

    @property
    def value(self) -> Any:
        return self.proto.value

    @property
    def delta(self) -> str | None:
        return self.proto.delta  # type: ignore[no-any-return]


class Alert(Element):
    @property
    def icon(self) -> str | None:
        return self.proto.icon  # type: ignore[no-any-return]

    @property
    def body(self) -> str:
        return str(self._node.source)


class Success(Alert):
    type = "success"


class Info(Alert):
    type = "info"


class Warning(Alert):
    type = "warning"


class Error(Alert):
    type = "error"


class Exception(Element):
    type = "exception"

    @property
    def value(self) -> str:
        return str(self.proto.message)

    @property
    def message(self) -> str:
        return str(self.proto.message)

    @property
    def exc_type(self) -> str:
        return str(self.proto.exc_type)

    @property
    def stack_trace(self) -> list[str]:
        return list(self.proto.traceback)

    @property
    def is_markdown(self) -> bool:
        return False


class Spinner(Element):
    type = "spinner"


class Progress(Element):
    type = "progress"

    @property
    def value(self) -> int:
        return int(self.proto.value)


class Balloons(Element):
    type = "balloons"


class Snow(Element):
    type = "snow"


class Latex(Element):
    type = "latex"


class Space(Element):
    type = "space"


class Help(Element):
    type = "help"


class Empty(Element):
    type = "empty"


class UnknownElement(Element):
    type = "unknown"


# --- widgets ----------------------------------------------------------------------------------


class Widget(Element):
    def __init__(self, node: Node, root: AppTest) -> None:
        super().__init__(node, root)
        src = node.source
        self._def: WidgetDef = src[0] if isinstance(src, tuple) else src  # type: ignore[assignment]

    @property
    def id(self) -> str:
        return str(self.proto.id)

    @property
    def label(self) -> str:
        return self._def.label

    @property
    def disabled(self) -> bool:
        return bool(self.proto.disabled)

    @property
    def help(self) -> str | None:
        return self._def.help

    @property
    def form_id(self) -> str | None:
        return self.proto.form_id  # type: ignore[no-any-return]

    @property
    def value(self) -> Any:
        pending = self.root._pending.get(self.id, _UNSET)
        if pending is not _UNSET:
            return pending
        return self.root._state.value_of(self.id)

    def set_value(self, value: Any) -> Widget:
        self.root._pending[self.id] = value
        return self

    def wire_value(self, value: Any) -> Any:
        """The value as the browser would send it."""
        return value


class Button(Widget):
    type = "button"

    def click(self) -> Button:
        self.set_value(True)
        return self

    def wire_value(self, value: Any) -> Any:
        return bool(value)


class FormSubmitButton(Button):
    type = "form_submit_button"


class Checkbox(Widget):
    type = "checkbox"

    def check(self) -> Checkbox:
        self.set_value(True)
        return self

    def uncheck(self) -> Checkbox:
        self.set_value(False)
        return self


class Toggle(Checkbox):
    type = "toggle"


class _Options(Widget):
    @property
    def options(self) -> list[str]:
        return list(self._node.source[1])  # type: ignore[index]

    def _opts(self) -> list[Any]:
        return list(self._node.source[2])  # type: ignore[index]

    def _index_of(self, value: Any) -> int:
        for i, o in enumerate(self._opts()):
            if o == value:
                return i
        raise ValueError(f"{value!r} is not an option of {self.type} {self.label!r}")


class Radio(_Options):
    type = "radio"

    @property
    def index(self) -> int | None:
        v = self.value
        return None if v is None else self._index_of(v)

    def set_value(self, value: Any) -> Radio:
        super().set_value(value)
        return self

    def select_index(self, index: int | None) -> Radio:
        return self.set_value(None if index is None else self._opts()[index])

    def wire_value(self, value: Any) -> Any:
        return None if value is None else self._index_of(value)


class Selectbox(Radio):
    type = "selectbox"

    def select(self, value: Any) -> Selectbox:
        self.set_value(value)
        return self


class Multiselect(_Options):
    type = "multiselect"

    @property
    def indices(self) -> list[int]:
        return [self._index_of(v) for v in self.value]

    def select(self, value: Any) -> Multiselect:
        current = list(self.value)
        if value not in current:
            current.append(value)
        self.set_value(current)
        return self

    def unselect(self, value: Any) -> Multiselect:
        self.set_value([v for v in self.value if v != value])
        return self

    def wire_value(self, value: Any) -> Any:
        return [self._index_of(v) for v in value]


class Slider(Widget):
    type = "slider"

    @property
    def min(self) -> float:
        return float(self.proto.min)

    @property
    def max(self) -> float:
        return float(self.proto.max)

    @property
    def step(self) -> float:
        return float(self.proto.step)

    def set_range(self, lower: Any, upper: Any) -> Slider:
        self.set_value((lower, upper))
        return self

    def wire_value(self, value: Any) -> Any:
        return list(value) if isinstance(value, list | tuple) else [value]


class SelectSlider(_Options):
    type = "select_slider"

    def set_range(self, lower: Any, upper: Any) -> SelectSlider:
        self.set_value((lower, upper))
        return self

    def wire_value(self, value: Any) -> Any:
        items = list(value) if isinstance(value, list | tuple) else [value]
        return [self._index_of(v) for v in items]


class TextInput(Widget):
    type = "text_input"

    @property
    def max_chars(self) -> int | None:
        return self.proto.max_chars  # type: ignore[no-any-return]

    @property
    def placeholder(self) -> str:
        return str(self.proto.placeholder)

    def input(self, value: str) -> TextInput:
        self.set_value(value)
        return self


class TextArea(TextInput):
    type = "text_area"


class NumberInput(Widget):
    type = "number_input"

    @property
    def min(self) -> float | None:
        return self.proto.min  # type: ignore[no-any-return]

    @property
    def max(self) -> float | None:
        return self.proto.max  # type: ignore[no-any-return]

    @property
    def step(self) -> float:
        return float(self.proto.step)

    def increment(self) -> NumberInput:
        return self._move(1)

    def decrement(self) -> NumberInput:
        return self._move(-1)

    def _move(self, sign: int) -> NumberInput:
        v = self.value
        step = self.step if self.proto.data_type == "float" else int(self.step)
        v = (0 if v is None else v) + sign * step
        if self.max is not None:
            v = min(v, self.max if self.proto.data_type == "float" else int(self.max))
        if self.min is not None:
            v = max(v, self.min if self.proto.data_type == "float" else int(self.min))
        self.set_value(v)
        return self


# --- blocks -----------------------------------------------------------------------------------


class Block(Element):
    """A container: has the same element accessors as AppTest (`at.sidebar.button[0]`)."""

    type = "block"

    @property
    def children(self) -> list[Element | Block]:
        return [wrap(c, self.root) for c in self._node.ordered()]

    def __iter__(self) -> Iterator[Element | Block]:
        return iter(self.children)

    def __len__(self) -> int:
        return len(self._node.children)

    def get(self, element_type: str) -> ElementList[Element]:
        return ElementList(collect(self._node, self.root, element_type))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in TYPES:
            raise AttributeError(name)
        return self.get(name)

    @property
    def value(self) -> Any:
        return None


class Column(Block):
    type = "column"

    @property
    def weight(self) -> float:
        return float(self.proto.weight)


class Tab(Block):
    type = "tab"

    @property
    def label(self) -> str:
        return str(self.proto.label_html)


class Expander(Block):
    type = "expander"

    @property
    def label(self) -> str:
        return str(self.proto.label_html)


class Form(Block):
    type = "form"


class Container(Block):
    type = "container"


class Columns(Block):
    type = "columns_row"


class Tabs(Block):
    type = "tabs_bar"


class Fragment(Block):
    """An `@st.fragment`'s block (`at.main.get("fragment")`)."""

    type = "fragment"

    @property
    def fragment_id(self) -> str:
        return str(self.proto.fragment_id)


class Dialog(Fragment):
    type = "dialog"

    @property
    def title(self) -> str:
        return str(self.proto.title_html)


class Popover(Block):
    type = "popover"

    @property
    def label(self) -> str:
        return str(self.proto.label_html)


class Status(Block):
    type = "status"

    @property
    def label(self) -> str:
        return str(self.proto.label_html)

    @property
    def state(self) -> str:
        return str(self.proto.state)

    @property
    def expanded(self) -> bool:
        return bool(self.proto.expanded)


class Toast:
    """`at.toast[i]`: a toast the last run showed (`.value` is the text the script passed)."""

    type = "toast"

    def __init__(self, proto: p.Toast, source: str | None) -> None:
        self.proto = proto
        self.value = source
        self.icon = proto.icon
        self.key = None

    def __repr__(self) -> str:
        return f"Toast(value={self.value!r}, icon={self.icon!r})"


T = TypeVar("T", bound=Element | Toast)


class ElementList(Generic[T]):
    def __init__(self, items: Sequence[T]) -> None:
        self._items = list(items)

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> ElementList[T]: ...
    def __getitem__(self, i: int | slice) -> T | ElementList[T]:
        if isinstance(i, slice):
            return ElementList(self._items[i])
        return self._items[i]

    def __call__(self, key: str) -> T:
        for item in self._items:
            if item.key == key:
                return item
        raise KeyError(f"no element with key {key!r}")

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[T]:
        return iter(self._items)

    def __repr__(self) -> str:
        return f"ElementList({self._items!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ElementList):
            return self._items == other._items
        if isinstance(other, list):
            return self.values == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    @property
    def len(self) -> int:
        return len(self._items)

    @property
    def values(self) -> list[Any]:
        return [item.value for item in self._items]


def classify(node: Node) -> type[Element]:
    el = node.element
    if el is not None:
        if isinstance(el, p.Heading):
            return {"title": Title, "header": Header, "subheader": Subheader}[el.level]
        if isinstance(el, p.Markdown):
            return {"caption": Caption, "latex": Latex}.get(el.kind, Markdown)
        if isinstance(el, p.Balloons):
            return Snow if el.kind == "snow" else Balloons
        if isinstance(el, p.Alert):
            return {"success": Success, "info": Info, "warning": Warning, "error": Error}[el.kind]
        if isinstance(el, p.Button):
            return FormSubmitButton if el.form_submit else Button
        if isinstance(el, p.Checkbox):
            return Toggle if el.style == "toggle" else Checkbox
        if isinstance(el, p.TextInput):
            return TextArea if el.multiline else TextInput
        if isinstance(el, p.FileUploader):
            if el.audio:
                return compat.AudioInput
            return media.CameraInput if el.camera else media.FileUploader
        if isinstance(el, p.Frame):
            return embed.CustomComponent if el.component else embed.IFrame
        if isinstance(el, p.DataFrame):
            return data.classify(el)
        return _BY_ELEMENT.get(type(el), UnknownElement).refine(el)
    block = node.block
    if isinstance(block, p.Vertical):
        return Container
    return _BY_BLOCK.get(type(block), Block)


class PageLink(Element):
    """`st.page_link`: `.value` is its label; `.url_path` (an app page) or `.href` (external)."""

    type = "page_link"

    @property
    def label(self) -> str:
        return str(self._node.source)

    @property
    def url_path(self) -> str | None:
        return self.proto.url_path  # type: ignore[no-any-return]

    @property
    def href(self) -> str | None:
        return self.proto.href  # type: ignore[no-any-return]

    @property
    def disabled(self) -> bool:
        return bool(self.proto.disabled)


_BY_ELEMENT: dict[type, type[Element]] = {
    p.Text: Text,
    p.Code: Code,
    p.Json: Json,
    p.Divider: Divider,
    p.Metric: Metric,
    p.ExceptionInfo: Exception,
    p.Spinner: Spinner,
    p.Progress: Progress,
    p.Empty: Empty,
    p.Space: Space,
    p.DocString: Help,
    p.Radio: Radio,
    p.Selectbox: Selectbox,
    p.Multiselect: Multiselect,
    p.Slider: Slider,
    p.SelectSlider: SelectSlider,
    p.NumberInput: NumberInput,
    p.PageLink: PageLink,
}
_BY_BLOCK: dict[type, type[Element]] = {
    p.Column: Column,
    p.Columns: Columns,
    p.Tab: Tab,
    p.Tabs: Tabs,
    p.Expander: Expander,
    p.Form: Form,
    p.Fragment: Fragment,
    p.Dialog: Dialog,
    p.Popover: Popover,
    p.Status: Status,
}

# What `at.<name>` collects: element types, plus friendly aliases.
TYPES: dict[str, tuple[type[Element], ...]] = {
    cls.type: (cls,)
    for cls in (
        Title,
        Header,
        Subheader,
        Markdown,
        Caption,
        Divider,
        Text,
        Code,
        Json,
        Metric,
        Success,
        Info,
        Warning,
        Error,
        Exception,
        Spinner,
        Progress,
        Balloons,
        Snow,
        Latex,
        Space,
        Help,
        Empty,
        Checkbox,
        Toggle,
        Radio,
        Selectbox,
        Multiselect,
        Slider,
        SelectSlider,
        TextInput,
        TextArea,
        NumberInput,
        Column,
        Tab,
        Expander,
        Form,
        Container,
        Fragment,
        Dialog,
        Popover,
        Status,
    )
}
TYPES["page_link"] = (PageLink,)
TYPES["button"] = (Button, FormSubmitButton)


TYPES["_widgets"] = (Widget,)
TYPES["form_submit_button"] = (FormSubmitButton,)
TYPES["columns"] = (Column,)
TYPES["tabs"] = (Tab,)


def wrap(node: Node, root: AppTest) -> Any:
    return classify(node)(node, root)


def collect(node: Node, root: AppTest, element_type: str) -> list[Any]:
    wanted = TYPES.get(element_type)
    if wanted is None:
        raise AttributeError(
            f"AppTest has no element type {element_type!r}; known: {', '.join(sorted(TYPES))}"
        )
    found: list[Any] = []

    def walk(n: Node) -> None:
        for child in n.ordered():
            cls = classify(child)
            if issubclass(cls, wanted) if element_type == "_widgets" else cls in wanted:
                found.append(cls(child, root))
            walk(child)

    walk(node)
    return found


# Element families keep their wrappers in modules of their own, each with BY_ELEMENT, TYPES and
# (for blocks) BY_BLOCK; they subclass the classes above, so they are imported last.
from bastion.app.testing import charts, chat, compat, data, embed, inputs, media  # noqa: E402

for _family in (charts, chat, compat, data, embed, inputs, media):
    _BY_ELEMENT.update(_family.BY_ELEMENT)
    _BY_BLOCK.update(getattr(_family, "BY_BLOCK", {}))
    TYPES.update(_family.TYPES)
