"""st.chat_message, st.chat_input and st.write_stream through AppTest (real session, real wire)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bastion.protocol.app import Rerun
from bastion.testing import AppTest

ECHO = """
import bastion as st
if "log" not in st.session_state:
    st.session_state.log = []
for role, text in st.session_state.log:
    with st.chat_message(role):
        st.markdown(text)
prompt = st.chat_input("Say something", max_chars=20)
st.caption(f"prompt={prompt!r}")
if prompt:
    st.session_state.log.append(("user", prompt))
    st.session_state.log.append(("assistant", "echo: " + prompt))
    st.chat_message("user").markdown(prompt)
    with st.chat_message("assistant"):
        st.markdown("echo: " + prompt)
"""


def app(src: str) -> AppTest:
    return AppTest.from_string(src).run()


def test_chat_input_is_a_one_shot_trigger() -> None:
    at = app(ECHO)
    assert at.caption.values == ["prompt=None"]
    assert at.chat_input[0].pinned  # top level: pinned to the bottom of the page
    at.chat_input[0].set_value("hello").run()
    assert at.caption.values == ["prompt='hello'"]
    assert [m.name for m in at.chat_message] == ["user", "assistant"]
    assert at.chat_message[1].markdown[0].value == "echo: hello"
    at.run()  # the next run does not see the text again
    assert at.caption.values == ["prompt=None"]
    assert [m.markdown[0].value for m in at.chat_message] == ["hello", "echo: hello"]


def test_chat_input_callback_and_inline_in_containers() -> None:
    at = app(
        """
        import bastion as st
        def got():
            st.session_state.seen = st.session_state.box
        with st.sidebar:
            st.chat_input("side", key="box", on_submit=got)
        st.write(str(st.session_state.get("seen")))
        """
    )
    assert not at.chat_input[0].pinned
    at.chat_input[0].set_value("x").run()
    assert at.markdown.values == ["x"]
    at.run()
    assert at.markdown.values == ["x"]  # the callback ran once; the value itself is gone


@pytest.mark.parametrize(
    ("forged", "why"),
    [
        ("y" * 21, "longer than max_chars"),
        (["a"], "not text"),
        ({"a": 1}, "not text"),
        (5, "not text"),
        (True, "not text"),
    ],
)
def test_forged_chat_values_are_dropped(forged: Any, why: str) -> None:
    at = app(ECHO)
    at._send(Rerun(widgets={at.chat_input[0].id: forged}))
    assert at.caption.values == ["prompt=None"], why
    assert len(at.chat_message) == 0


def test_disabled_chat_input_ignores_submissions() -> None:
    at = app('import bastion as st\nst.write(repr(st.chat_input("x", disabled=True)))')
    at._send(Rerun(widgets={at.chat_input[0].id: "sneaky"}))
    assert at.markdown.values == ["None"]


def test_chat_input_refuses_forms_and_bad_arguments() -> None:
    at = app(
        """
        import bastion as st
        with st.form("f"):
            st.chat_input("no")
            st.form_submit_button()
        """
    )
    assert "form" in at.exception[0].message
    at = app('import bastion as st\nst.chat_input("x", max_chars=0)')
    assert "max_chars" in at.exception[0].message


def test_chat_message_avatars_and_plain_names() -> None:
    at = app(
        """
        import bastion as st
        st.chat_message("human").write("a")
        st.chat_message("ai").write("b")
        st.chat_message("Bob <b>x</b>").write("c")
        st.chat_message("bot", avatar="🤖").write("d")
        with st.chat_message("x", avatar="assistant"):
            st.write("e")
        """
    )
    msgs = at.chat_message
    assert [m.avatar for m in msgs] == ["user", "assistant", "B", "🤖", "assistant"]
    assert msgs[2].name == "Bob <b>x</b>"  # plain text: the browser inserts it as text
    assert [m.markdown[0].value for m in msgs] == list("abcde")


PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4"
    "890000000d49444154789c63646060f80f0001050101a0d4e3a50000000049454e44ae426082"
)


def test_image_avatars_go_through_the_media_store(tmp_path: Path) -> None:
    (tmp_path / "face.png").write_bytes(PNG)
    at = AppTest.from_string(
        f"""
        import bastion as st
        st.chat_message("bytes", avatar={PNG!r}).write("a")
        st.chat_message("path", avatar={str(tmp_path / "face.png")!r}).write("b")
        """
    ).run()
    urls = [m.proto.avatar for m in at.chat_message]
    assert [m.proto.avatar_kind for m in at.chat_message] == ["image", "image"]
    assert all(u.startswith("_bastion/media/") for u in urls)
    media = at.session.runtime.media
    assert media.get(urls[0].split("/")[-1].split(".")[0]).data == PNG
    assert media.get(urls[1].split("/")[-1].split(".")[0]).mimetype == "image/png"


@pytest.mark.parametrize(
    ("avatar", "why"),
    [
        ("'https://evil.example/a.png'", "Content-Security-Policy"),
        ("b'<svg onload=alert(1)>'", "PNG, JPEG, GIF or WebP"),
        ("'/etc/passwd'", "image file"),
        ("'/no/such/file.png'", "existing image file"),
        ("42", "avatar"),
    ],
)
def test_bad_avatars_are_refused_clearly(avatar: str, why: str) -> None:
    at = app(f'import bastion as st\nst.chat_message("u", avatar={avatar})')
    assert why in at.exception[0].message


def test_write_stream_generator_returns_the_text() -> None:
    at = app(
        """
        import bastion as st
        def gen():
            for w in ["Hello", ", ", "**world**", "!"]:
                yield w
        out = st.write_stream(gen())
        st.caption(repr(out))
        """
    )
    assert at.markdown.values == ["Hello, **world**!"]
    assert "<strong>world</strong>" in at.markdown[0].proto.body_html
    assert at.caption.values == ["'Hello, **world**!'"]


def test_write_stream_updates_one_element_in_place() -> None:
    # Every redraw goes to the same path: the client ends with exactly one markdown element.
    at = app(
        """
        import bastion as st, time
        def slow():
            for i in range(5):
                time.sleep(0.02)
                yield f"w{i} "
        st.write_stream(slow)
        """
    )
    assert at.markdown.values == ["w0 w1 w2 w3 w4 "]
    paths = {m.path for m in at.markdown}
    assert len(paths) == 1


def test_write_stream_openai_and_langchain_chunks() -> None:
    at = app(
        """
        import bastion as st
        from types import SimpleNamespace as NS
        def chunk(text):
            return NS(choices=[NS(delta=NS(content=text, role=None))])
        stream = [NS(choices=[NS(delta=NS(content=None, role="assistant"))]),
                  chunk("Hi"), chunk(" there"), NS(choices=[])]
        st.caption(repr(st.write_stream(iter(stream))))
        st.caption(repr(st.write_stream([NS(content="lang"), NS(content="chain")])))
        """
    )
    assert at.markdown.values == ["Hi there", "langchain"]
    assert at.caption.values == ["'Hi there'", "'langchain'"]


def test_write_stream_async_generator_and_mixed_items() -> None:
    at = app(
        """
        import asyncio
        import bastion as st
        async def agen():
            yield "a"
            await asyncio.sleep(0.01)
            yield "b"
            yield {"k": 1}
            yield "c"
        out = st.write_stream(agen())
        st.caption(repr(out))
        """
    )
    assert at.markdown.values == ["ab", "c"]
    assert len(at.json) == 1
    assert at.caption.values == ["['ab', {'k': 1}, 'c']"]


def test_write_stream_text_is_sanitized() -> None:
    at = app(
        """
        import bastion as st
        st.write_stream(iter(["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]))
        """
    )
    html = at.markdown[0].proto.body_html
    assert "<script" not in html  # escaped as text, never tags
    assert "<img" not in html


def test_write_stream_rejects_strings() -> None:
    at = app('import bastion as st\nst.write_stream("just text")')
    assert "write_stream" in at.exception[0].message
