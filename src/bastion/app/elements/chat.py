"""st.chat_message and st.chat_input: the building blocks of chat apps.

`chat_input` is a one-shot trigger, like a button: the script sees the submitted text in the run
the submission started, then None. The server checks the text (a str, at most `max_chars`), as
for every widget value; a forged value for a disabled input is dropped. At the top level of the
main area the input is pinned to the bottom of the page; inside any container it is inline.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bastion.app import context, widgets
from bastion.app.container import BOTTOM, MAIN, DeltaGenerator, current, emit_block
from bastion.app.errors import FormError, InvalidArgument
from bastion.app.state import InvalidValue
from bastion.protocol.app import ChatInput, ChatMessage

_USER = ("user", "human")
_ASSISTANT = ("assistant", "ai")
_MAX_NAME = 200
_MAX_EMOJI = 16  # an emoji with modifiers and joiners is a few code points


_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def _sniff(data: bytes) -> str | None:
    for magic, mimetype in _IMAGE_MAGIC:
        if data.startswith(magic):
            return mimetype
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _image_avatar(avatar: object) -> str:
    """An image avatar (bytes or a file path) kept in the media store: its URL."""
    from bastion.app import media

    if isinstance(avatar, bytes | bytearray | memoryview):
        data = bytes(avatar)
        mimetype = _sniff(data)
        if mimetype is None:
            raise InvalidArgument(
                "chat_message", "avatar", "PNG, JPEG, GIF or WebP image bytes", avatar[:16]
            )
        return media.add(data, mimetype)
    path = Path(os.fspath(avatar))  # type: ignore[call-overload]
    if not path.is_file():
        raise InvalidArgument("chat_message", "avatar", "an existing image file", str(path))
    with path.open("rb") as f:
        mimetype = _sniff(f.read(16))
    if mimetype is None:
        raise InvalidArgument(
            "chat_message", "avatar", "a PNG, JPEG, GIF or WebP image file", str(path)
        )
    return media.add(path, mimetype)


def _avatar(name: str, avatar: object) -> tuple[Any, str | None]:
    """(avatar kind, what the browser shows) for `chat_message(name, avatar)`."""
    if avatar is None:
        lowered = name.lower()
        if lowered in _USER:
            return "user", None
        if lowered in _ASSISTANT:
            return "assistant", None
        return "initial", (name.strip()[:1] or "?").upper()
    if isinstance(avatar, str):
        if avatar.lower() in _USER:
            return "user", None
        if avatar.lower() in _ASSISTANT:
            return "assistant", None
        if avatar.startswith(("http://", "https://", "//")):
            raise InvalidArgument(
                "chat_message",
                "avatar",
                "an emoji, image bytes or a local image file",
                avatar,
                "The page's Content-Security-Policy loads images only from the app itself: "
                "download the image and pass its bytes or path.",
            )
        if 0 < len(avatar) <= _MAX_EMOJI and "/" not in avatar and "." not in avatar:
            return "emoji", avatar
    if isinstance(avatar, str | os.PathLike | bytes | bytearray | memoryview):
        return "image", _image_avatar(avatar)
    raise InvalidArgument(
        "chat_message",
        "avatar",
        "None, 'user', 'assistant', an emoji, image bytes or an image file path",
        avatar,
    )


def chat_message(name: str, *, avatar: str | None = None) -> DeltaGenerator:
    """A chat message container: write into it with `with` or as a receiver."""
    if not isinstance(name, str) or not name.strip():
        raise InvalidArgument(
            "chat_message", "name", "a non-empty str", name, "e.g. 'user' or 'assistant'."
        )
    if len(name) > _MAX_NAME:
        raise InvalidArgument("chat_message", "name", f"at most {_MAX_NAME} characters", name)
    kind, shown = _avatar(name, avatar)
    return emit_block("chat_message", ChatMessage(name=name, avatar_kind=kind, avatar=shown))


def _parser(max_chars: int | None) -> Callable[[Any], str | None]:
    def parse(raw: object) -> str | None:
        if raw is None:
            return None
        if not isinstance(raw, str):
            raise InvalidValue(f"expected text, got {raw!r}")
        if max_chars is not None and len(raw) > max_chars:
            raise InvalidValue(f"longer than max_chars={max_chars}")
        return raw

    return parse


def chat_input(
    placeholder: str = "Your message",
    *,
    key: str | int | None = None,
    max_chars: int | None = None,
    disabled: bool = False,
    on_submit: Callable[..., Any] | None = None,
    args: tuple[Any, ...] | list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
) -> str | None:
    """A chat input: the submitted text for the run its submission started, else None."""
    if not isinstance(placeholder, str):
        raise InvalidArgument("chat_input", "placeholder", "a str", placeholder)
    if max_chars is not None and (
        isinstance(max_chars, bool) or not isinstance(max_chars, int) or max_chars < 1
    ):
        raise InvalidArgument("chat_input", "max_chars", "a positive int or None", max_chars)
    ctx = context.get("chat_input")
    dg = current(ctx)
    if dg.form_id is not None:
        raise FormError(
            f"st.chat_input() cannot be used inside form {dg.form_id!r}: it submits on its own. "
            "Move it out of the form."
        )
    c = widgets.Common(
        "chat_input",
        placeholder,
        key,
        None,
        on_submit,
        args,
        kwargs,
        disabled,
        callback_param="on_submit",
    )
    parse = _parser(max_chars)
    w, value, _ = c.register((max_chars,), None, parse, parse, trigger=True)
    element = ChatInput(
        id=w.id,
        placeholder=placeholder,
        max_chars=max_chars,
        disabled=c.disabled,
        pinned=dg == MAIN,
        key=c.key,
    )
    # At the top level the input lives in the bottom container, as in Streamlit: one fixed
    # position, so a rerun that moves the conversation never leaves a second, stale input behind.
    c.emit(w, element, dg=BOTTOM if element.pinned else None)
    return value if isinstance(value, str) else None
