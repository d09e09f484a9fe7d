"""date_input, time_input, color_picker, pills, segmented_control, feedback: defaults,
interaction through AppTest, and forged wire values ignored by the server."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from bastion.protocol.app import Rerun
from bastion.testing import AppTest

D = datetime.date


def app(src: str) -> AppTest:
    return AppTest.from_string(src).run()


def forge(at: AppTest, widget: Any, raw: Any) -> AppTest:
    """Send a raw wire value, as a hostile client could."""
    return at._send(Rerun(widgets={widget.id: raw}))


def test_date_input_single_and_bounds() -> None:
    at = app(
        """
        import bastion as st, datetime
        D = datetime.date
        d = st.date_input("When", D(2024, 5, 1), min_value=D(2024, 1, 1),
                          max_value=D(2024, 12, 31), format="DD.MM.YYYY")
        st.write(repr(d))
        """
    )
    w = at.date_input[0]
    assert w.value == D(2024, 5, 1)
    assert w.proto.format == "DD.MM.YYYY"
    assert w.min == D(2024, 1, 1)
    w.set_value(D(2024, 7, 4)).run()
    assert at.markdown[0].value == "datetime.date(2024, 7, 4)"
    for raw in ["2025-01-01", "2024-13-01", "07/04/2024", 20240704, ["2024-02-01", "2024-02-02"]]:
        forge(at, at.date_input[0], [raw] if not isinstance(raw, list) else raw)
        assert at.date_input[0].value == D(2024, 7, 4), raw
    forge(at, at.date_input[0], "2024-02-01")  # not a list
    assert at.date_input[0].value == D(2024, 7, 4)


def test_date_input_range_and_none() -> None:
    at = app(
        """
        import bastion as st, datetime
        r = st.date_input("Range", (datetime.date(2024, 1, 1), datetime.date(2024, 1, 7)))
        n = st.date_input("Maybe", None)
        st.write(repr(r)); st.write(repr(n))
        """
    )
    assert at.date_input[0].value == (D(2024, 1, 1), D(2024, 1, 7))
    assert at.date_input[1].value is None
    at.date_input[0].set_value((D(2024, 2, 1), D(2024, 2, 3))).run()
    assert at.date_input[0].value == (D(2024, 2, 1), D(2024, 2, 3))
    forge(at, at.date_input[0], ["2024-03-05", "2024-03-01"])  # end before start
    assert at.date_input[0].value == (D(2024, 2, 1), D(2024, 2, 3))
    forge(at, at.date_input[0], ["2024-03-01", "2024-03-02", "2024-03-03"])
    assert at.date_input[0].value == (D(2024, 2, 1), D(2024, 2, 3))
    forge(at, at.date_input[0], ["2024-03-01"])  # a range being picked: one end so far
    assert at.date_input[0].value == (D(2024, 3, 1),)
    at.date_input[1].set_value(D(2020, 1, 1)).run()
    assert at.markdown[1].value == "datetime.date(2020, 1, 1)"


def test_date_input_argument_errors() -> None:
    at = app(
        """
        import bastion as st
        st.date_input("x", "2024-01-01", format="YYYY MM DD")
        """
    )
    assert "format" in at.exception[0].message


def test_time_input_step_and_forgery() -> None:
    at = app(
        """
        import bastion as st, datetime
        t = st.time_input("At", datetime.time(9, 30), step=60)
        st.write(str(t))
        """
    )
    assert at.time_input[0].value == datetime.time(9, 30)
    assert at.time_input[0].step == 60
    at.time_input[0].set_value(datetime.time(17, 45)).run()
    assert at.markdown[0].value == "17:45:00"
    for raw in ["24:00", "9:30", "12:60", 930, "12:00:00.5", ["12:00"]]:
        forge(at, at.time_input[0], raw)
        assert at.time_input[0].value == datetime.time(17, 45), raw
    at2 = app("import bastion as st\nst.time_input('x', step=30)")
    assert "step" in at2.exception[0].message


def test_color_picker_only_hex() -> None:
    at = app(
        """
        import bastion as st
        c = st.color_picker("Color", "#F80")
        st.write(c)
        """
    )
    assert at.color_picker[0].value == "#ff8800"
    at.color_picker[0].pick("#00AA11").run()
    assert at.markdown[0].value == "#00aa11"
    for raw in ["red", "#fff", "#12345g", "#1234567", "javascript:alert(1)", None, 1]:
        forge(at, at.color_picker[0], raw)
        assert at.color_picker[0].value == "#00aa11", raw


def test_pills_single_and_multi() -> None:
    at = app(
        """
        import bastion as st
        one = st.pills("Pick", ["a", "b", "c"], format_func=str.upper)
        many = st.pills("Many", ["x", "y", "z"], selection_mode="multi", default=["y"])
        st.write(repr(one)); st.write(repr(many))
        """
    )
    p1, p2 = at.pills
    assert p1.value is None
    assert p1.options == ["A", "B", "C"]
    assert p2.value == ["y"]
    p1.select("b").run()
    at.pills[1].select("z").run()
    assert at.markdown[0].value == "'b'"
    assert at.markdown[1].value == "['y', 'z']"
    forge(at, at.pills[0], 3)
    forge(at, at.pills[0], [0])
    assert at.pills[0].value == "b"
    forge(at, at.pills[1], [0, 0])
    forge(at, at.pills[1], [9])
    forge(at, at.pills[1], 1)
    assert at.pills[1].value == ["y", "z"]
    at.pills[0].unselect("b").run()
    assert at.pills[0].value is None


def test_segmented_control_and_callback() -> None:
    at = app(
        """
        import bastion as st
        def changed():
            st.session_state.log = st.session_state.get("log", 0) + 1
        v = st.segmented_control("Mode", ["📈 chart", "🧮 table"], default="🧮 table",
                                 on_change=changed, key="mode")
        st.write(v, st.session_state.get("log", 0))
        """
    )
    sc = at.segmented_control[0]
    assert sc.value == "🧮 table"
    assert "📈" in sc.proto.options_html[0]
    sc.set_value("📈 chart").run()
    assert at.session_state["mode"] == "📈 chart"
    assert at.session_state["log"] == 1
    assert len(at.button_group) == 1


@pytest.mark.parametrize(("kind", "n"), [("thumbs", 2), ("faces", 5), ("stars", 5)])
def test_feedback(kind: str, n: int) -> None:
    at = app(f"import bastion as st\nst.write(repr(st.feedback({kind!r})))")
    fb = at.feedback[0]
    assert fb.value is None
    assert len(fb.proto.options_html) == n
    fb.set_value(n - 1).run()
    assert at.markdown[0].value == str(n - 1)
    forge(at, at.feedback[0], n)
    forge(at, at.feedback[0], -1)
    forge(at, at.feedback[0], True)
    assert at.feedback[0].value == n - 1


def test_disabled_input_ignores_values() -> None:
    at = app("import bastion as st\nst.color_picker('c', '#000000', disabled=True)")
    forge(at, at.color_picker[0], "#ffffff")
    assert at.color_picker[0].value == "#000000"


def test_session_state_writes_are_checked() -> None:
    at = app(
        """
        import bastion as st, datetime
        st.session_state.setdefault("c", "#abc")
        st.color_picker("c", key="c")
        """
    )
    assert at.color_picker[0].value == "#aabbcc"
    at.session_state["c"] = "blue"
    at.run()
    assert "not a valid value" in at.exception[0].message
