"""Fragments: a widget inside one reruns only it; scopes, timers, forged ids, queued reruns."""

from __future__ import annotations

import time
from typing import Any

import msgspec
import pytest
from apptest_frames import spy_frames

from bastion.protocol.app import Rerun, decode_server
from bastion.testing import AppTest

COUNTER_APP = """
import bastion as st
ss = st.session_state
ss.setdefault("outer", 0)
ss.setdefault("inner", 0)
ss.outer += 1
st.write(f"outer {ss.outer}")
top = st.button("outer button")

@st.fragment
def part(label):
    ss.inner += 1
    st.write(f"inner {ss.inner} {label}")
    if st.button("inner button"):
        st.write("clicked inside")
    return "ret"

got = part("x")
st.write(f"after {got}")
"""


def _events(frames: list[bytes]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for f in frames:
        out.extend(msgspec.json.decode(f)["events"])
    return out


def test_widget_in_fragment_reruns_only_the_fragment() -> None:
    at = AppTest.from_string(COUNTER_APP).run()
    assert at.markdown.values == ["outer 1", "inner 1 x", "after ret"]
    frames = spy_frames(at)
    at.button[1].click().run()
    assert at.session_state.outer == 1  # the script body did not run
    assert at.session_state.inner == 2
    assert at.markdown.values == ["outer 1", "inner 2 x", "clicked inside", "after ret"]
    events = _events(frames)
    started = [e for e in events if e["type"] == "started"]
    assert len(started) == 1
    assert started[0]["fragments"] == [at.get("fragment")[0].fragment_id]
    # Only the fragment's subtree was written: nothing outside it went over the wire.
    frag_path = at.get("fragment")[0].path
    for e in events:
        if e["type"] in ("element", "block", "same"):
            path = tuple(e["path"])
            assert path[: len(frag_path)] == frag_path, e
            assert len(path) > len(frag_path), e
    # The next fragment run drops what this one did not write, inside the fragment only.
    at._send(Rerun(fragment_id=started[0]["fragments"][0]))
    assert at.markdown.values == ["outer 1", "inner 3 x", "after ret"]
    at.run()  # nothing changed: a full run
    assert at.markdown.values == ["outer 2", "inner 4 x", "after ret"]


def test_outer_widget_state_kept_and_full_run_covers_fragments() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        name = st.text_input("name", "a")
        @st.fragment
        def f():
            st.write("n=" + str(st.slider("n", 0, 10, 1)))
        f()
        st.write("name=" + name)
        """
    ).run()
    at.text_input[0].input("bob").run()
    at.slider[0].set_value(7).run()  # fragment run: the text input's state stays
    assert at.text_input[0].value == "bob"
    assert at.markdown.values == ["n=7", "name=bob"]
    at.run()
    assert at.slider[0].value == 7
    assert at.markdown.values == ["n=7", "name=bob"]


def test_values_for_outside_widgets_make_a_full_run() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        st.session_state.setdefault("runs", 0)
        st.session_state.runs += 1
        t = st.checkbox("outer")
        @st.fragment
        def f():
            st.checkbox("inner")
        f()
        st.write(f"outer={t}")
        """
    ).run()
    fid = at.get("fragment")[0].fragment_id
    outer_id = at.checkbox[0].id
    at._send(Rerun(widgets={outer_id: True}, fragment_id=fid))
    assert at.session_state.runs == 2
    assert at.markdown.values == ["outer=True"]


def test_forged_or_unknown_fragment_id_runs_nothing() -> None:
    at = AppTest.from_string(COUNTER_APP).run()
    frames = spy_frames(at)
    fid = at.get("fragment")[0].fragment_id
    inner = at.button[1].id
    for forged in ("0" * 24, fid[:-1] + ("0" if fid[-1] != "0" else "1"), ""):
        at._send(Rerun(widgets={inner: True}, fragment_id=forged or None))
    # "" is no fragment id at all: a plain full run (allowed: any client may rerun its app).
    assert at.session_state.outer == 2
    assert at.session_state.inner == 2
    assert sum(1 for e in _events(frames) if e["type"] == "started") == 1


def test_fragment_ids_differ_between_sessions() -> None:
    ids = {AppTest.from_string(COUNTER_APP).run().get("fragment")[0].fragment_id for _ in range(2)}
    assert len(ids) == 2


def test_fragment_gone_after_full_run_is_refused() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        show = st.checkbox("show", True)
        @st.fragment
        def f():
            st.session_state["frag"] = st.session_state.get("frag", 0) + 1
            st.button("b")
        if show:
            f()
        """
    ).run()
    fid = at.get("fragment")[0].fragment_id
    at.checkbox[0].uncheck().run()
    before = at.session_state.frag
    at._send(Rerun(fragment_id=fid))
    assert at.session_state.frag == before


def test_rerun_scope_fragment_and_app() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        ss = st.session_state
        ss.setdefault("outer", 0); ss.setdefault("inner", 0)
        ss.outer += 1
        @st.fragment
        def f():
            ss.inner += 1
            if st.button("again") and ss.inner < 4:
                st.rerun(scope="fragment")
            if st.button("all"):
                st.rerun(scope="app")
        f()
        """
    ).run()
    at.button[0].click().run()
    assert (at.session_state.outer, at.session_state.inner) == (1, 3)  # click, then one rerun
    at.button[1].click().run()
    assert at.session_state.outer == 2


def test_rerun_scope_fragment_outside_fragment_run_raises() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        @st.fragment
        def f():
            st.rerun(scope="fragment")
        f()
        """
    ).run()
    assert "during a fragment rerun" in at.exception[0].value
    at = AppTest.from_string('import bastion as st\nst.rerun(scope="fragment")').run()
    assert "during a fragment rerun" in at.exception[0].value


def test_fragment_in_columns_and_sidebar_and_nested() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        ss = st.session_state
        ss.setdefault("runs", {"app": 0, "a": 0, "b": 0})
        ss.runs["app"] += 1
        left, right = st.columns(2)
        @st.fragment
        def inner(key):
            ss.runs["b"] += 1
            st.toggle("t", key=key)
        @st.fragment
        def outer():
            ss.runs["a"] += 1
            st.checkbox("c")
            inner("in-col")
        with left:
            outer()
        with st.sidebar:
            inner("in-side")
        right.write("right")
        """
    ).run()
    assert at.session_state.runs == {"app": 1, "a": 1, "b": 2}
    assert len(at.columns[0].get("fragment")) == 2  # outer, and inner nested in it
    at.toggle[0].set_value(True).run()  # the nested one in the column
    assert at.session_state.runs == {"app": 1, "a": 1, "b": 3}
    at.checkbox[0].check().run()  # the outer one reruns its nested one too
    assert at.session_state.runs == {"app": 1, "a": 2, "b": 4}
    at.sidebar.toggle[0].set_value(True).run()
    assert at.session_state.runs == {"app": 1, "a": 2, "b": 5}
    assert at.toggle.values == [True, True]
    assert at.markdown.values == ["right"]


def test_fragment_cannot_write_widgets_outside_in_fragment_run() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        @st.fragment
        def f():
            if st.button("go"):
                st.sidebar.button("outside")
            st.sidebar.write("note")
        f()
        st.write("end")
        """
    ).run()
    assert at.sidebar.markdown.values == ["note"]
    at.button[0].click().run()
    assert "outside itself" in str(at.exception[0].value)
    assert at.main.markdown.values == ["end"]  # the rest of the page is untouched


def test_fragment_exception_shows_inside_it_in_fragment_run() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        @st.fragment
        def f():
            if st.button("boom"):
                raise ValueError("inside")
        f()
        st.write("end")
        """
    ).run()
    at.button[0].click().run()
    assert at.run_status == "error"
    assert len(at.get("fragment")[0].exception) == 1
    assert at.markdown.values == ["end"]


def test_run_every_fires_on_a_real_timer_and_stops() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        ss = st.session_state
        ss.setdefault("ticks", 0); ss.setdefault("outer", 0)
        ss.outer += 1
        on = st.checkbox("on", True)
        @st.fragment(run_every=0.1)
        def clock():
            ss.ticks += 1
            st.write(f"tick {ss.ticks}")
        if on:
            clock()
        """
    ).run()
    deadline = time.monotonic() + 3
    while at.session_state.ticks < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    at.refresh()
    assert at.session_state.ticks >= 4
    assert at.session_state.outer == 1
    assert at.markdown.values == [f"tick {at.session_state.ticks}"]
    at.checkbox[0].uncheck().run()  # no longer rendered: the timer stops
    time.sleep(0.3)
    ticks = at.session_state.ticks
    time.sleep(0.35)
    assert at.session_state.ticks == ticks
    at.close()


def test_run_every_stops_when_the_session_ends() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        st.session_state.setdefault("ticks", 0)
        @st.fragment(run_every="100ms")
        def clock():
            st.session_state.ticks += 1
        clock()
        """
    ).run()
    time.sleep(0.35)
    at.close()
    at.refresh()
    ticks = at.session_state.ticks
    assert ticks >= 2
    time.sleep(0.35)
    assert at.session_state.ticks == ticks


@pytest.mark.parametrize(
    ("value", "seconds"),
    [(2, 2.0), (0.5, 0.5), ("1h 30m", 5400.0), ("500ms", 0.5), ("2 seconds", 2.0)],
)
def test_run_every_forms(value: object, seconds: float) -> None:
    import datetime as dt

    from bastion.app.fragment import parse_interval

    assert parse_interval("fragment", value) == seconds
    assert parse_interval("fragment", dt.timedelta(seconds=seconds)) == seconds


@pytest.mark.parametrize("bad", [0, -1, "soon", "10", "5 parsecs", True, [1]])
def test_run_every_rejects(bad: object) -> None:
    at = AppTest.from_string(
        f"""
        import bastion as st
        @st.fragment(run_every={bad!r})
        def f():
            pass
        """
    ).run()
    assert "run_every" in str(at.exception[0].value)


def test_fragment_run_does_not_interrupt_a_full_run_and_full_wins() -> None:
    at = AppTest.from_string(
        """
        import time
        import bastion as st
        ss = st.session_state
        ss.setdefault("log", [])
        ss.log.append("app")
        @st.fragment
        def f():
            ss.log.append("frag")
            st.button("b")
        f()
        if ss.get("slow"):
            time.sleep(0.3)
            ss.log.append("slow done")
        """
    ).run()
    fid = at.get("fragment")[0].fragment_id
    button = at.button[0].id
    at.session_state["slow"] = True
    session = at.session
    session.handle(Rerun())
    time.sleep(0.05)
    session.handle(Rerun(widgets={button: True}, fragment_id=fid))  # waits for the full run
    at.refresh()
    assert at.session_state.log[-3:] == ["frag", "slow done", "frag"]
    # A fragment request and a full one queued together make one full run.
    at.session_state["slow"] = False
    at.session_state["log"] = []
    session.handle(Rerun())
    session.handle(Rerun(widgets={button: True}, fragment_id=fid))
    session.handle(Rerun())
    at.refresh()
    assert at.session_state.log.count("app") >= 1
    assert at.session_state.log[-2:] == ["app", "frag"]


def test_form_inside_fragment_submits_as_fragment_run() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        ss = st.session_state
        ss.setdefault("outer", 0)
        ss.outer += 1
        @st.fragment
        def f():
            with st.form("f"):
                v = st.text_input("t")
                if st.form_submit_button("send"):
                    st.write("sent " + v)
        f()
        """
    ).run()
    at.text_input[0].input("hi")
    at.button[0].click().run()
    assert at.markdown.values == ["sent hi"]
    assert at.session_state.outer == 1


def test_frames_of_a_fragment_run_decode() -> None:
    at = AppTest.from_string(COUNTER_APP).run()
    frames = spy_frames(at)
    at.button[1].click().run()
    for f in frames:
        decode_server(f)  # the schema accepts the new fields


def test_a_reattached_client_gets_no_fragment_run_before_a_full_run() -> None:
    at = AppTest.from_string(COUNTER_APP).run()
    fid = at.get("fragment")[0].fragment_id
    session = at.session
    session.attach(at._client)  # what a resumed socket does: the new client holds no tree
    at._send(Rerun(fragment_id=fid))
    assert at.session_state.inner == 1  # refused: the client was never shown this fragment
    at._tree = type(at._tree)()
    at.run()  # its first full run shows the fragment again
    at._send(Rerun(fragment_id=fid))
    assert at.session_state.inner == 3


def test_rate_limited_reruns_merge_to_a_full_run_unless_one_fragment() -> None:
    from bastion.server.app_socket import _Limiter

    limiter = _Limiter(rate=0.001, burst=1)
    assert limiter.admit(Rerun())  # the one token
    assert not limiter.admit(Rerun(widgets={"a": 1}))  # held: a full rerun
    assert not limiter.admit(Rerun(widgets={"b": 2}, fragment_id="F"))
    (held,) = limiter.held
    assert isinstance(held, Rerun)
    assert held.fragment_id is None  # the held full rerun is not narrowed to a fragment
    assert held.widgets == {"a": 1, "b": 2}
    limiter = _Limiter(rate=0.001, burst=1)
    limiter.admit(Rerun())
    limiter.admit(Rerun(widgets={"b": 1}, fragment_id="F"))
    limiter.admit(Rerun(widgets={"b": 2}, fragment_id="F"))
    (held,) = limiter.held
    assert isinstance(held, Rerun)
    assert held.fragment_id == "F"
    assert held.widgets == {"b": 2}
