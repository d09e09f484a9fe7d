"""Script execution: fresh __main__, sys.path, magic, rerun/stop control flow, real interrupts."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from bastion.protocol.app import Rerun, Stop
from bastion.testing import AppTest


def test_fresh_main_module_each_run(tmp_path: Path) -> None:
    script = tmp_path / "app.py"
    script.write_text(
        "import bastion as st\n"
        "st.write(__name__)\n"
        "st.write(__file__.endswith('app.py'))\n"
        "st.write('leak' in globals())\n"
        "leak = 1\n"
    )
    at = AppTest.from_file(script).run()
    at.run()
    assert at.markdown.values == ["__main__", "True", "False"]


def test_script_directory_is_importable(tmp_path: Path) -> None:
    (tmp_path / "helper_mod_for_apptest.py").write_text("GREETING = 'from helper'\n")
    script = tmp_path / "app.py"
    script.write_text(
        "import bastion as st\nimport helper_mod_for_apptest as h\nst.write(h.GREETING)\n"
    )
    at = AppTest.from_file(script).run()
    assert at.markdown.values == ["from helper"]


def test_from_file_is_relative_to_the_calling_test() -> None:
    at = AppTest.from_file("../../../src/bastion/server/hello/hello.py").run()
    assert at.title[0].value == "Hello, Bastion 👋"
    assert not at.exception


def test_edited_file_is_recompiled(tmp_path: Path) -> None:
    script = tmp_path / "app.py"
    script.write_text("import bastion as st\nst.write('one')\n")
    at = AppTest.from_file(script).run()
    script.write_text("import bastion as st\nst.write('two, longer')\n")
    at.run()
    assert at.markdown.values == ["two, longer"]


def test_magic_writes_bare_expressions_but_not_calls_or_docstrings() -> None:
    at = AppTest.from_string(
        '''
        """Module docstring: not written."""
        import bastion as st
        "Hello *magic*"
        x = 41
        x + 1
        print("calls are not written")
        def f():
            """Docstring: not written."""
            "inside a function"
        f()
        if True:
            {"a": 1}
        '''
    ).run()
    assert at.markdown.values == ["Hello *magic*", "42", "inside a function"]
    assert at.json[0].value == '{"a": 1}'


def test_syntax_error_is_a_compile_error() -> None:
    at = AppTest.from_string("import bastion as st\nst.write('x'\n").run()
    assert at.run_status == "compile_error"
    assert at.exception[0].exc_type == "SyntaxError"
    assert "line" in at.exception[0].value


def test_stop_ends_the_run_and_keeps_what_was_written() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        st.write("before")
        try:
            st.stop()
        except Exception:
            st.write("swallowed")  # st.stop is not an Exception
        st.write("after")
        """
    ).run()
    assert at.markdown.values == ["before"]
    assert at.run_status == "stopped"


def test_rerun_runs_again_with_fresh_triggers() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        st.session_state.setdefault("n", 0)
        st.session_state.n += 1
        if st.button("again"):
            st.rerun()
        st.write(st.session_state.n)
        """
    ).run()
    at.button[0].click().run()
    assert at.session_state.n == 3, "click run, then the rerun it asked for"
    assert at.markdown.values == ["3"]


def test_rerun_cannot_be_swallowed_by_except_exception() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        st.session_state.setdefault("n", 0)
        st.session_state.n += 1
        if st.session_state.n < 3:
            try:
                st.rerun()
            except Exception:
                st.write("swallowed")
        """
    ).run()
    assert at.session_state.n == 3
    assert not at.markdown


BUSY = """
import bastion as st
st.session_state.setdefault("started", 0)
st.session_state.started += 1
mode = st.selectbox("mode", ["idle", "busy"])
if mode == "busy":
    n = 0
    while True:  # pure Python, never calls st.*
        n += 1
st.write(f"done {mode}")
"""


def test_new_rerun_interrupts_a_busy_script() -> None:
    at = AppTest.from_string(BUSY).run()
    session = at.session
    box = at.selectbox[0].id
    session.handle(Rerun(widgets={box: 1}))
    time.sleep(0.2)
    assert session.running
    started = time.monotonic()
    at._send(Rerun(widgets={box: 0}), timeout=3)
    assert time.monotonic() - started < 1.0
    assert at.markdown.values == ["done idle"]
    assert at.session_state.started == 3


def test_stop_interrupts_a_busy_script() -> None:
    at = AppTest.from_string(BUSY).run()
    session = at.session
    session.handle(Rerun(widgets={at.selectbox[0].id: 1}))
    time.sleep(0.1)
    at._send(Stop())
    assert not session.running
    assert at.run_status == "stopped"


def test_never_two_runs_of_one_session_at_once() -> None:
    probe = {"live": 0, "overlap": 0, "runs": 0}

    def script(probe: dict[str, int]) -> None:
        import time

        import bastion as st

        probe["live"] += 1
        probe["runs"] += 1
        if probe["live"] > 1:
            probe["overlap"] += 1
        try:
            for _ in range(20):
                time.sleep(0.002)
                st.empty()
        finally:
            probe["live"] -= 1

    at = AppTest.from_function(script, args=(probe,)).run()
    session = at.session
    for i in range(30):
        session.handle(Rerun(widgets={}))
        time.sleep(0.003 * (i % 3))
    assert session.wait_idle(5)
    assert probe["overlap"] == 0
    assert probe["live"] == 0
    assert probe["runs"] > 2


def test_many_sessions_run_concurrently() -> None:
    script = "import bastion as st\nimport time\ntime.sleep(0.5)\nst.write('ok')"
    apps = [AppTest.from_string(script) for _ in range(4)]
    started = time.monotonic()
    threads = [threading.Thread(target=a.run) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert time.monotonic() - started < 1.5, "runs of different sessions do not queue (2 s)"
    assert all(a.markdown.values == ["ok"] for a in apps)


def test_timeout_raises_and_stops_the_script() -> None:
    at = AppTest.from_string("import bastion as st\nwhile True:\n    pass\n")
    with pytest.raises(RuntimeError, match=r"timed out after 0\.2"):
        at.run(timeout=0.2)
    assert not at.session.running


def test_from_function_with_args() -> None:
    def script(greeting: str, times: int = 1) -> None:
        import bastion as st

        for _ in range(times):
            st.write(greeting)

    at = AppTest.from_function(script, args=("hi",), kwargs={"times": 2}).run()
    assert at.markdown.values == ["hi", "hi"]


def test_st_calls_outside_a_script_explain_themselves() -> None:
    import bastion as st
    from bastion.app.errors import NoScriptContext

    with pytest.raises(NoScriptContext, match=r"bastion run app\.py"):
        st.write("x")


def test_a_bare_except_cannot_keep_a_script_alive() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        mode = st.selectbox("mode", ["idle", "busy"])
        while mode == "busy":
            try:
                while True:
                    pass
            except:  # noqa: E722 - swallows the first interrupt
                pass
            st.empty()  # the next st.* call unwinds it for good
        st.write(mode)
        """
    ).run()
    session = at.session
    session.handle(Rerun(widgets={at.selectbox[0].id: 1}))
    time.sleep(0.1)
    at._send(Rerun(widgets={at.selectbox[0].id: 0}))
    assert at.markdown.values == ["idle"]


def test_swallowed_interrupt_in_pure_python_is_fired_again() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        mode = st.selectbox("mode", ["idle", "busy"])
        if mode == "busy":
            for _ in range(2):
                try:
                    while True:
                        pass
                except BaseException:
                    pass
        st.write(mode)
        """
    ).run()
    session = at.session
    box = at.selectbox[0].id
    session.handle(Rerun(widgets={box: 1}))
    time.sleep(0.1)
    session.handle(Rerun(widgets={box: 0}))
    time.sleep(0.1)
    at._send(Rerun(widgets={box: 0}))
    assert at.markdown.values == ["idle"]


def test_interrupt_storm_leaves_the_runtime_consistent(caplog: pytest.LogCaptureFixture) -> None:
    """Hundreds of interrupts landing anywhere (user code, st.* calls, our bookkeeping) never
    break a run's bookkeeping, never leak an exception into a worker, and the client tree stays
    consistent with the server (a wrong `same` marker would fail to apply)."""
    at = AppTest.from_string(
        """
        import bastion as st
        n = st.slider("n", 0, 100, 0)
        cols = st.columns(3)
        for i in range(30):
            cols[i % 3].write(f"{i} {n}")
            x = 0
            for _ in range(200):
                x += 1
        """
    ).run()
    session = at.session
    slider = at.slider[0].id
    for i in range(300):
        session.handle(Rerun(widgets={slider: [i % 100]}))
        if i % 7 == 0:
            time.sleep(0.001)
        if i % 50 == 0:
            at._absorb()
    at._send(Rerun(widgets={slider: [42]}))
    assert at.markdown.values == [f"{i} 42" for i in (0, 3, 6, 9, 12, 15, 18, 21, 24, 27)] + [
        f"{i} 42" for i in (1, 4, 7, 10, 13, 16, 19, 22, 25, 28)
    ] + [f"{i} 42" for i in (2, 5, 8, 11, 14, 17, 20, 23, 26, 29)]
    assert "bookkeeping failed" not in caplog.text
    assert "worker failed" not in caplog.text


def _unwinding(busy_with_st_calls: bool) -> None:
    import bastion as st

    seen: list[str] = st.session_state.seen
    if st.session_state.setdefault("first", True):
        st.session_state.first = False
        try:
            while True:
                if busy_with_st_calls:
                    st.empty()  # an st.* call: the interrupt is seen here, at a clean point
        except BaseException as e:
            seen.append(type(e).__name__)
            raise


@pytest.mark.parametrize(
    ("busy_with_st_calls", "expected"),
    [(True, "RerunRequested"), (False, "Interrupted")],
)
def test_how_a_busy_script_unwinds(busy_with_st_calls: bool, expected: str) -> None:
    """Scripts that call st.* unwind cooperatively; only a pure-Python loop gets the
    asynchronous exception, after the grace."""
    at = AppTest.from_function(_unwinding, args=(busy_with_st_calls,))
    seen: list[str] = []
    at.session_state.seen = seen
    session = at.session
    session.handle(Rerun())
    time.sleep(0.1)
    started = time.monotonic()
    at._send(Rerun())
    assert seen == [expected]
    assert time.monotonic() - started < 1.0


def test_a_sleeping_script_is_woken_by_a_rerun() -> None:
    at = AppTest.from_string(
        """
        import time
        import bastion as st
        if st.selectbox("mode", ["idle", "sleep"]) == "sleep":
            time.sleep(30)
        st.write("done")
        """
    ).run()
    session = at.session
    box = at.selectbox[0].id
    session.handle(Rerun(widgets={box: 1}))
    time.sleep(0.1)
    started = time.monotonic()
    at._send(Rerun(widgets={box: 0}))
    assert time.monotonic() - started < 1.0
    assert at.markdown.values == ["done"]


def test_sleep_outside_scripts_is_unchanged() -> None:
    import bastion.app.context as c

    c.install_interruptible_sleep()
    started = time.monotonic()
    time.sleep(0.05)
    assert 0.04 < time.monotonic() - started < 1.0


def test_an_edited_helper_module_is_reloaded_on_the_next_run(tmp_path: Path) -> None:
    helper = tmp_path / "helper_reload_probe.py"
    helper.write_text("VALUE = 'old'\n")
    script = tmp_path / "app.py"
    script.write_text("import bastion as st\nimport helper_reload_probe as h\nst.write(h.VALUE)\n")
    at = AppTest.from_file(script).run()
    assert at.markdown.values == ["old"]
    helper.write_text("VALUE = 'new, and longer'\n")
    os.utime(helper, ns=(time.time_ns(), time.time_ns() + 1_000_000))
    at.run()
    assert at.markdown.values == ["new, and longer"]
