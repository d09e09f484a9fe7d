"""AppSession and Runtime over the wire format: batching, 'same' markers, handshake, resume."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from bastion.app.config import AppConfig, ServerConfig
from bastion.app.runner import Workers
from bastion.app.runtime import Runtime
from bastion.app.script import Script
from bastion.app.secrets import Secrets
from bastion.app.session import AppSession
from bastion.app.testing.tree import ClientTree
from bastion.protocol import app as p


class Client:
    def __init__(self) -> None:
        self.frames: list[bytes] = []
        self.flush_requests = 0
        self.lock = threading.Lock()

    def send(self, frame: bytes) -> None:
        with self.lock:
            self.frames.append(frame)

    def request_flush(self) -> None:
        self.flush_requests += 1


SCRIPT = """
import bastion as st
st.title("Hi")
v = st.slider("v", 0, 10, 1)
with st.sidebar:
    st.write("side")
cols = st.columns(2)
cols[0].write(f"v={v}")
if v > 5:
    st.write("big")
"""


@pytest.fixture
def runtime() -> Iterator[Runtime]:
    rt = Runtime(
        Script(source=SCRIPT, name="<wire-test>"),
        AppConfig(server=ServerConfig(max_sessions=3)),
        secrets=Secrets(values={}),
        workers=Workers(idle_timeout=1),
    )
    yield rt
    rt.shutdown()


def run(session: AppSession, client: Client, msg: p.ClientMsg) -> list[p.Batch]:
    client.frames.clear()
    session.handle(msg)
    assert session.wait_idle(3)
    out = [p.decode_server(f) for f in client.frames]
    assert all(isinstance(b, p.Batch) for b in out)
    return out  # type: ignore[return-value]


def events(batches: list[p.Batch]) -> list[p.Event]:
    return [e for b in batches for e in b.events]


def test_one_frame_per_run_and_only_changes_are_sent(runtime: Runtime) -> None:
    client = Client()
    session, _ = runtime.connect(p.Hello(protocol=p.PROTOCOL_VERSION), client)
    assert session is not None
    first = run(session, client, p.Rerun())
    assert len(first) == 1, "a short run flushes once, at its end"
    kinds = [type(e).__name__ for e in events(first)]
    assert kinds[0] == "RunStarted"
    assert kinds[-1] == "RunFinished"
    assert "Same" not in kinds

    again = events(run(session, client, p.Rerun()))
    assert {type(e) for e in again[1:-1]} == {p.Same}, "nothing changed: only markers"
    assert len(client.frames[0]) < 400

    slider = next(
        e.element.id
        for e in events(first)
        if isinstance(e, p.NewElement) and isinstance(e.element, p.Slider)
    )
    moved = events(run(session, client, p.Rerun(widgets={slider: [7]})))
    changed = [e for e in moved if isinstance(e, p.NewElement)]
    assert [type(e.element).__name__ for e in changed] == ["Slider", "Markdown", "Markdown"]


def test_client_tree_matches_a_fresh_render_after_many_runs(runtime: Runtime) -> None:
    client = Client()
    session, _ = runtime.connect(p.Hello(protocol=p.PROTOCOL_VERSION), client)
    assert session is not None
    tree = ClientTree()
    slider = None
    for value in [None, 7, 7, 2, 9, 1]:
        widgets = {} if value is None or slider is None else {slider: [value]}
        for batch in run(session, client, p.Rerun(widgets=widgets)):
            tree.apply(batch)
            for e in batch.events:
                if isinstance(e, p.NewElement) and isinstance(e.element, p.Slider):
                    slider = e.element.id
    # A brand-new client (no 'same' markers possible) must see exactly the same tree.
    fresh_client = Client()
    session.attach(fresh_client)
    fresh = ClientTree()
    for batch in run(session, fresh_client, p.Rerun()):
        fresh.apply(batch)

    def shape(tree: ClientTree) -> list[object]:
        out: list[object] = []

        def walk(node: object, depth: int) -> None:
            for child in node.ordered():  # type: ignore[attr-defined]
                out.append((child.path, child.element or child.block))
                walk(child, depth + 1)

        for root in tree.roots.values():
            walk(root, 0)
        return out

    assert shape(tree) == shape(fresh)


def test_block_replaced_by_element_drops_its_children(runtime: Runtime) -> None:
    rt = Runtime(
        Script(
            source=(
                "import bastion as st\n"
                "if st.session_state.setdefault('n', 0) % 2 == 0:\n"
                "    with st.container():\n"
                "        st.write('child')\n"
                "else:\n"
                "    st.write('flat')\n"
                "st.session_state.n += 1\n"
            ),
            name="<swap>",
        ),
        secrets=Secrets(values={}),
        workers=Workers(idle_timeout=1),
    )
    client = Client()
    session = rt.new_session(client)
    tree = ClientTree()
    for _ in range(4):
        for batch in run(session, client, p.Rerun()):
            tree.apply(batch)  # raises if a 'same' marker points at nothing
    rt.shutdown()


def test_wrong_protocol_version_is_refused(runtime: Runtime) -> None:
    session, frame = runtime.connect(p.Hello(protocol=999), Client())
    assert session is None
    refused = p.decode_server(frame)
    assert isinstance(refused, p.Refused)
    assert refused.code == "protocol"
    assert "reload the page" in refused.message


def test_session_cap(runtime: Runtime) -> None:
    for _ in range(3):
        assert runtime.connect(p.Hello(protocol=1), Client())[0] is not None
    session, frame = runtime.connect(p.Hello(protocol=1), Client())
    assert session is None
    assert isinstance(p.decode_server(frame), p.Refused)


def test_resume_token_is_single_use_and_bound_to_the_user(runtime: Runtime) -> None:
    session, frame = runtime.connect(p.Hello(protocol=1), Client(), user="alice")
    welcome = p.decode_server(frame)
    assert isinstance(welcome, p.Welcome)
    assert len(welcome.resume_token) >= 32
    assert session is not None
    session.state["keep"] = 1
    runtime.disconnect(session, now=0.0)

    thief, frame = runtime.connect(
        p.Hello(protocol=1, resume_token=welcome.resume_token), Client(), user="mallory"
    )
    assert thief is not session, "another user cannot take the session"
    assert thief is not None
    runtime.close_session(thief)
    # The stolen attempt burned the token: the owner starts fresh, like any stale token.
    again, _ = runtime.connect(
        p.Hello(protocol=1, resume_token=welcome.resume_token), Client(), user="alice"
    )
    assert again is not session


def test_resume_reattaches_within_the_ttl(runtime: Runtime) -> None:
    session, frame = runtime.connect(p.Hello(protocol=1), Client())
    welcome = p.decode_server(frame)
    assert session is not None
    assert isinstance(welcome, p.Welcome)
    session.state["keep"] = 1
    runtime.disconnect(session, now=100.0)
    assert runtime.expire(now=150.0) == 0
    back, frame2 = runtime.connect(p.Hello(protocol=1, resume_token=welcome.resume_token), Client())
    second = p.decode_server(frame2)
    assert back is session
    assert isinstance(second, p.Welcome)
    assert second.resumed
    assert second.resume_token != welcome.resume_token
    assert back.state["keep"] == 1
    replay, _ = runtime.connect(p.Hello(protocol=1, resume_token=welcome.resume_token), Client())
    assert replay is not session, "a used token does not work twice"


def test_disconnected_sessions_expire(runtime: Runtime) -> None:
    session, _ = runtime.connect(p.Hello(protocol=1), Client())
    assert session is not None
    runtime.disconnect(session, now=0.0)
    assert runtime.expire(now=121.0) == 1
    assert runtime.session_count == 0


def test_hello_after_handshake_is_a_protocol_error(runtime: Runtime) -> None:
    session, _ = runtime.connect(p.Hello(protocol=1), Client())
    assert session is not None
    with pytest.raises(p.ProtocolError, match="first frame"):
        session.handle(p.Hello(protocol=1))


def test_long_runs_ask_the_adapter_to_flush(runtime: Runtime) -> None:
    rt = Runtime(
        Script(source="import bastion as st\nst.write('a')\nst.write('b')\n", name="<flush>"),
        secrets=Secrets(values={}),
        workers=Workers(idle_timeout=1),
    )
    client = Client()
    session = rt.new_session(client)
    run(session, client, p.Rerun())
    assert client.flush_requests == 1, "one request per batch, not one per element"
    rt.shutdown()


def test_shutdown_stops_running_scripts() -> None:
    rt = Runtime(
        Script(source="while True:\n    pass\n", name="<spin>"),
        secrets=Secrets(values={}),
        workers=Workers(idle_timeout=1),
    )
    session = rt.new_session(Client())
    session.handle(p.Rerun())
    assert session.running
    rt.shutdown(timeout=2)
    assert not session.running
    assert rt.session_count == 0


def test_late_disconnect_of_an_old_socket_does_not_detach_the_resumed_one(
    runtime: Runtime,
) -> None:
    old = Client()
    session, frame = runtime.connect(p.Hello(protocol=1), old)
    welcome = p.decode_server(frame)
    assert session is not None
    assert isinstance(welcome, p.Welcome)
    new = Client()
    resumed, _ = runtime.connect(p.Hello(protocol=1, resume_token=welcome.resume_token), new)
    assert resumed is session
    runtime.disconnect(session, client=old)  # the old socket's close arrives late
    assert session.disconnected_at is None
    run(session, new, p.Rerun())
    assert new.frames, "the resumed socket still gets the output"


def test_a_client_attached_mid_run_is_asked_to_flush() -> None:
    rt = Runtime(
        Script(
            source=(
                "import bastion as st\nimport time\n"
                "st.write('a')\ntime.sleep(0.3)\nst.write('b')\ntime.sleep(0.3)\n"
            ),
            name="<owed>",
        ),
        secrets=Secrets(values={}),
        workers=Workers(idle_timeout=1),
    )
    old = Client()
    session = rt.new_session(old)
    session.handle(p.Rerun())
    time.sleep(0.1)  # 'a' is queued, and a flush was asked of the old client, which is gone
    assert old.flush_requests == 1
    new = Client()
    session.attach(new)
    session.handle(p.Rerun())  # what a resumed client sends first
    time.sleep(0.45)  # the next run has written 'a' and sleeps: it is not over
    assert session.running
    assert new.flush_requests == 1, "the new client is asked to flush during the run"
    session.wait_idle(2)
    rt.shutdown()


def test_attaching_mid_run_never_sends_deltas_into_blocks_the_client_lacks() -> None:
    rt = Runtime(
        Script(
            source=(
                "import bastion as st\nimport time\n"
                "with st.expander('x'):\n"
                "    st.write('before')\n"
                "    time.sleep(0.3)\n"
                "    st.write('after')\n"
            ),
            name="<midrun>",
        ),
        secrets=Secrets(values={}),
        workers=Workers(idle_timeout=1),
    )
    session = rt.new_session(Client())
    session.handle(p.Rerun())
    time.sleep(0.1)
    new = Client()
    session.attach(new)  # a resume while the run is inside the expander
    assert session.wait_idle(2)
    session.flush()
    tree = ClientTree()
    for frame in new.frames:
        tree.apply(p.decode_server(frame))  # raises on a delta whose parent block is missing
    for batch in run(session, new, p.Rerun()):
        tree.apply(batch)
    assert tree.node((0, 0, 1)) is not None
    rt.shutdown()


def slider_id(batches: list[p.Batch]) -> str:
    return next(
        e.element.id
        for e in events(batches)
        if isinstance(e, p.NewElement) and isinstance(e.element, p.Slider)
    )


def test_a_reported_value_equal_to_the_shown_one_is_still_same(runtime: Runtime) -> None:
    client = Client()
    session, _ = runtime.connect(p.Hello(protocol=1), client)
    assert session is not None
    slider = slider_id(run(session, client, p.Rerun()))
    again = events(run(session, client, p.Rerun(widgets={slider: [1]})))  # 1 is the default
    assert {type(e) for e in again[1:-1]} == {p.Same}


def test_a_rejected_value_is_corrected_in_the_browser(runtime: Runtime) -> None:
    client = Client()
    session, _ = runtime.connect(p.Hello(protocol=1), client)
    assert session is not None
    slider = slider_id(run(session, client, p.Rerun()))
    forged = events(run(session, client, p.Rerun(widgets={slider: [500]})))
    resent = [e for e in forged if isinstance(e, p.NewElement)]
    assert len(resent) == 1
    assert isinstance(resent[0].element, p.Slider)
    assert resent[0].element.value == (1.0,), "the browser is told the value stayed 1"
