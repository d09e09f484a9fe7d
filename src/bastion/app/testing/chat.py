"""AppTest wrappers for the chat elements: `at.chat_input[0].set_value("hi").run()`,
`at.chat_message[0].name`, `at.chat_message[0].markdown[0].value`."""

from __future__ import annotations

from bastion.app.testing import elements as el
from bastion.protocol import app as p


class ChatInput(el.Widget):
    type = "chat_input"

    @property
    def placeholder(self) -> str:
        return str(self.proto.placeholder)

    @property
    def max_chars(self) -> int | None:
        return self.proto.max_chars  # type: ignore[no-any-return]

    @property
    def form_id(self) -> str | None:
        return None  # never inside a form

    @property
    def pinned(self) -> bool:
        return bool(self.proto.pinned)


class ChatMessage(el.Block):
    type = "chat_message"

    @property
    def name(self) -> str:
        return str(self.proto.name)

    @property
    def avatar(self) -> str | None:
        kind = self.proto.avatar_kind
        return kind if kind in ("user", "assistant") else self.proto.avatar  # type: ignore[no-any-return]


BY_ELEMENT: dict[type, type[el.Element]] = {p.ChatInput: ChatInput}
BY_BLOCK: dict[type, type[el.Element]] = {p.ChatMessage: ChatMessage}
TYPES: dict[str, tuple[type[el.Element], ...]] = {
    "chat_input": (ChatInput,),
    "chat_message": (ChatMessage,),
}
