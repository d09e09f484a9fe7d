"""Chat elements: a message block with an avatar, and the chat input widget."""

from __future__ import annotations

from typing import Literal

from bastion.protocol.app._base import _El

AvatarKind = Literal["user", "assistant", "emoji", "initial", "image"]


class ChatMessage(_El, frozen=True, tag="chat_message"):
    """`st.chat_message(name, avatar)`: a block; its children are the message's content.

    `name` and `avatar` are plain text (inserted as text, never as HTML). `avatar_kind` says how
    to draw the avatar: the default user or assistant icon, an emoji, the name's initial, or an
    image (then `avatar` is a media URL, ``_bastion/media/...``, relative to the app's base)."""

    name: str
    avatar_kind: AvatarKind
    avatar: str | None = None


class ChatInput(_El, frozen=True, tag="chat_input"):
    """`st.chat_input`: sends its text as a one-shot value (the text for one run, then null).

    `pinned`: written at the top level of the main area, so shown at the bottom of the page."""

    id: str
    placeholder: str = ""  # plain text
    max_chars: int | None = None
    disabled: bool = False
    pinned: bool = False
    key: str | None = None
