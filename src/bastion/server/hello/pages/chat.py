"""Chat: a streaming echo bot (no model needed) built from st.chat_message, st.chat_input and
st.write_stream. A real LLM app swaps `reply()` for the model's stream (an OpenAI stream works
as is)."""

import time
from collections.abc import Iterator

import bastion as st

st.title("💬 Chat")
st.caption(
    "An echo bot: it streams your message back word by word. Enter sends, Shift+Enter adds a line."
)

if "messages" not in st.session_state:
    st.session_state.messages = [("assistant", "Hello! Say something and I will echo it.")]

with st.sidebar:
    if st.button("Clear the conversation"):
        st.session_state.messages = []

for role, text in st.session_state.messages:
    with st.chat_message(role):
        st.markdown(text)


def reply(prompt: str) -> Iterator[str]:
    yield "You said: "
    for word in prompt.split(" "):
        time.sleep(0.03)
        yield word + " "


if prompt := st.chat_input("Say something", max_chars=2000):
    st.session_state.messages.append(("user", prompt))
    with st.chat_message("user"):
        st.markdown(prompt)
    with st.chat_message("assistant"):
        answer = st.write_stream(reply(prompt))
    st.session_state.messages.append(("assistant", answer))
