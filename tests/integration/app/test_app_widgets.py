"""Every widget: default, interaction, callback, argument checks, and forged values."""

from __future__ import annotations

from typing import Any

import pytest

from bastion.protocol.app import Rerun
from bastion.testing import AppTest


def app(src: str) -> AppTest:
    return AppTest.from_string(src).run()


def test_button_is_one_shot() -> None:
    at = app(
        """
        import bastion as st
        clicked = st.button("Go")
        st.write(f"clicked={clicked}")
        """
    )
    assert at.markdown.values == ["clicked=False"]
    at.button[0].click().run()
    assert at.markdown.values == ["clicked=True"]
    assert at.button[0].value is True
    at.run()
    assert at.markdown.values == ["clicked=False"]


def test_checkbox_and_toggle() -> None:
    at = app(
        """
        import bastion as st
        a = st.checkbox("A")
        b = st.toggle("B", value=True)
        st.write(f"{a} {b}")
        """
    )
    assert at.markdown.values == ["False True"]
    at.checkbox[0].check().run()
    at.toggle[0].set_value(False).run()
    assert at.markdown.values == ["True False"]
    assert at.checkbox[0].value is True
    assert at.toggle[0].proto.style == "toggle"


def test_radio_selectbox_multiselect() -> None:
    at = app(
        """
        import bastion as st
        r = st.radio("R", ["a", "b", "c"], index=1, format_func=str.upper)
        s = st.selectbox("S", [10, 20, 30])
        n = st.selectbox("N", ["x", "y"], index=None, placeholder="pick")
        m = st.multiselect("M", ["p", "q", "r"], default=["q"])
        st.write(f"{r} {s} {n} {m}")
        """
    )
    assert at.markdown.values == ["b 10 None ['q']"]
    assert at.radio[0].options == ["A", "B", "C"]
    assert at.radio[0].index == 1
    at.radio[0].set_value("c")
    at.selectbox[0].select(30)
    at.selectbox[1].select_index(1)
    at.multiselect[0].select("p").unselect("q")
    at.run()
    assert at.markdown.values == ["c 30 y ['p']"]
    assert at.multiselect[0].indices == [0]


def test_slider_select_slider_ranges() -> None:
    at = app(
        """
        import bastion as st
        a = st.slider("A", 0, 100, 25)
        b = st.slider("B", 0.0, 1.0, (0.2, 0.8))
        c = st.select_slider("C", options=["lo", "mid", "hi"], value="mid")
        d = st.select_slider("D", options=[1, 2, 3, 4], value=(2, 3))
        st.write(f"{a} {b} {c} {d}")
        """
    )
    assert at.markdown.values == ["25 (0.2, 0.8) mid (2, 3)"]
    assert at.slider[0].min == 0
    assert at.slider[0].max == 100
    at.slider[0].set_value(60)
    at.slider[1].set_range(0.1, 0.5)
    at.select_slider[0].set_value("hi")
    at.select_slider[1].set_range(1, 4)
    at.run()
    assert at.markdown.values == ["60 (0.1, 0.5) hi (1, 4)"]


def test_text_input_area_number_input() -> None:
    at = app(
        """
        import bastion as st
        t = st.text_input("Name", max_chars=10)
        a = st.text_area("Bio", "hi")
        n = st.number_input("N", min_value=0, max_value=10, value=5)
        f = st.number_input("F", value=1.5, step=0.5)
        st.write(f"{t!r} {a!r} {n} {f}")
        """
    )
    assert at.markdown.values == ["'' 'hi' 5 1.5"]
    at.text_input[0].input("Ada")
    at.text_area[0].set_value("long text")
    at.number_input[0].increment()
    at.number_input[1].decrement()
    at.run()
    assert at.markdown.values == ["'Ada' 'long text' 6 1.0"]
    at.number_input[0].set_value(10).run()
    at.number_input[0].increment().run()
    assert at.number_input[0].value == 10, "increment stops at max_value"


def test_callbacks_run_before_the_script_body_with_args() -> None:
    at = app(
        """
        import bastion as st
        st.session_state.setdefault("log", [])
        def changed(tag, extra=None):
            st.session_state.log.append(f"cb:{tag}:{extra}:{st.session_state.s}")
        st.session_state.log.append("body")
        st.slider("S", 0, 10, key="s", on_change=changed, args=("s",), kwargs={"extra": 1})
        st.button("B", on_click=lambda: st.session_state.log.append("click"))
        """
    )
    at.slider[0].set_value(4).run()
    at.button[0].click().run()
    assert at.session_state.log == ["body", "cb:s:1:4", "body", "click", "body"]


def test_callback_that_writes_a_widget_key_updates_the_widget() -> None:
    at = app(
        """
        import bastion as st
        def reset():
            st.session_state.name = ""
        st.text_input("Name", key="name")
        st.button("Clear", on_click=reset)
        st.write(repr(st.session_state.name))
        """
    )
    at.text_input[0].input("Bob").run()
    assert at.markdown.values == ["'Bob'"]
    at.button[0].click().run()
    assert at.markdown.values == ["''"]
    assert at.text_input[0].proto.value == "", "the browser gets the new value"


def test_callback_exception_is_shown() -> None:
    at = app(
        """
        import bastion as st
        st.button("B", on_click=lambda: 1 / 0)
        """
    )
    at.button[0].click().run()
    assert at.exception[0].exc_type == "ZeroDivisionError"


def test_rerun_in_a_callback_is_a_noop_with_a_warning() -> None:
    at = app(
        """
        import warnings
        import bastion as st
        warnings.simplefilter("ignore")
        st.session_state.setdefault("n", 0)
        st.session_state.n += 1
        st.button("B", on_click=st.rerun)
        """
    )
    at.button[0].click().run()
    assert at.session_state.n == 2
    assert not at.exception


WIDGETS: list[tuple[str, Any, Any]] = [
    # (widget source, forged wire value, what the script must still see)
    ("st.slider('w', 0, 100, 5)", [1e9], 5),
    ("st.slider('w', 0, 100, 5)", [50.5], 5),
    ("st.slider('w', 0, 100, 5)", ["7"], 5),
    ("st.slider('w', 0.0, 1.0, (0.1, 0.2))", [0.9, 0.1], (0.1, 0.2)),
    ("st.slider('w', 0.0, 1.0, (0.1, 0.2))", [0.5], (0.1, 0.2)),
    ("st.selectbox('w', ['a', 'b'])", 2, "a"),
    ("st.selectbox('w', ['a', 'b'])", -1, "a"),
    ("st.selectbox('w', ['a', 'b'])", None, "a"),
    ("st.selectbox('w', ['a', 'b'])", True, "a"),
    ("st.radio('w', ['a', 'b'], index=1)", 5, "b"),
    ("st.multiselect('w', ['a', 'b'])", [0, 0], []),
    ("st.multiselect('w', ['a', 'b'])", [3], []),
    ("st.multiselect('w', ['a', 'b', 'c'], max_selections=1)", [0, 1], []),
    ("st.select_slider('w', ['a', 'b'])", [9], "a"),
    ("st.checkbox('w')", 1, False),
    ("st.checkbox('w')", "true", False),
    ("st.text_input('w', 'ok', max_chars=3)", "toolong", "ok"),
    ("st.text_input('w', 'ok')", 5, "ok"),
    ("st.text_input('w', 'ok')", None, "ok"),
    ("st.number_input('w', 0, 10, 3)", 11, 3),
    ("st.number_input('w', 0, 10, 3)", 2.5, 3),
    ("st.number_input('w', 0.0, 10.0, 3.0)", None, 3.0),
    ("st.checkbox('w', disabled=True)", True, False),
    ("st.slider('w', 0, 10, 1, disabled=True)", [2], 1),
]


@pytest.mark.parametrize(("widget", "forged", "expected"), WIDGETS)
def test_forged_widget_values_fall_back_to_the_last_valid_value(
    widget: str, forged: Any, expected: Any
) -> None:
    at = app(f"import bastion as st\nv = {widget}\nst.write(repr(v))")
    wid = at.get("_widgets")[0].id
    at._send(Rerun(widgets={wid: forged}))
    assert at.markdown.values == [repr(expected)]
    assert not at.exception


def test_forged_value_keeps_the_last_valid_not_the_default() -> None:
    at = app("import bastion as st\nv = st.slider('w', 0, 10, 1)\nst.write(v)")
    at.slider[0].set_value(7).run()
    at._send(Rerun(widgets={at.slider[0].id: [99]}))
    assert at.markdown.values == ["7"]


def test_values_for_unknown_widget_ids_are_ignored() -> None:
    at = app("import bastion as st\nst.write(st.slider('w', 0, 10, 1))")
    at._send(Rerun(widgets={"$$ID-slider-forged": [3], "x" * 200: True}))
    assert at.markdown.values == ["1"]


def test_button_cannot_be_forged_with_a_non_true_value() -> None:
    at = app("import bastion as st\nst.write(st.button('b'))")
    at._send(Rerun(widgets={at.button[0].id: "yes"}))
    assert at.markdown.values == ["False"]


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        ("st.slider('s', 10, 0)", "`min_value` must be <= max_value"),
        ("st.slider('s', 0, 10, 20)", "`value` must be within [0, 10]"),
        ("st.slider('s', 0, 10, step=0)", "`step` must be a positive number"),
        ("st.slider('s', '0', 10)", "`min_value` must be an int or a float"),
        ("st.selectbox('s', 'abc')", "`options` must be a sequence"),
        ("st.selectbox('s', ['a'], index=3)", "`index` must be an int in [0, 1)"),
        ("st.radio(5, ['a'])", "`label` must be a str"),
        ("st.multiselect('m', ['a'], default=['z'])", "`default` must be options"),
        ("st.select_slider('s', [])", "`options` must be a non-empty sequence"),
        ("st.select_slider('s', ['a'], value='z')", "`value` must be one of the options"),
        ("st.text_input('t', max_chars=0)", "`max_chars` must be a positive int"),
        ("st.text_input('t', type='secret')", "`type` must be 'default' or 'password'"),
        ("st.number_input('n', 0, 10, 11)", "`value` must be within [0, 10]"),
        ("st.number_input('n', value=float('nan'))", "`value` must be a finite"),
        ("st.checkbox('c', value='yes')", "`value` must be True or False"),
        ("st.button('b', type='danger')", "`type` must be"),
        ("st.button('b', on_click=5)", "`on_click` must be a callable"),
        ("st.slider('s', key=[1])", "`key` must be a str or an int"),
        ("st.checkbox('c', label_visibility='gone')", "`label_visibility` must be"),
        ("st.selectbox('s', ['a'], format_func=3)", "`format_func` must be a callable"),
    ],
)
def test_widget_argument_errors(call: str, needle: str) -> None:
    at = app(f"import bastion as st\n{call}")
    assert at.exception, call
    assert needle in at.exception[0].value, at.exception[0].value


def test_labels_and_help_are_sanitized_markdown() -> None:
    at = app(
        """
        import bastion as st
        st.button("**Go** <img src=x onerror=alert(1)>", help="[x](javascript:alert(1))")
        st.selectbox("pick", ["<script>alert(1)</script>"])
        """
    )
    button = at.button[0].proto
    assert "<strong>Go</strong>" in button.label_html
    assert "<img" not in button.label_html
    assert "href" not in button.help_html, "javascript: links never become links"
    assert at.selectbox[0].proto.options == ("<script>alert(1)</script>",), "plain text field"


def test_unkeyed_widgets_over_plain_objects_keep_their_identity() -> None:
    at = app(
        """
        import bastion as st
        class Item:
            def __init__(self, name):
                self.name = name
            def __eq__(self, other):
                return isinstance(other, Item) and other.name == self.name
            def __hash__(self):
                return hash(self.name)
        items = [Item("a"), Item("b"), Item("c")]  # new objects every run
        picked = st.multiselect("m", items, default=[items[0]], format_func=lambda i: i.name)
        one = st.selectbox("s", items, format_func=lambda i: i.name)
        st.write(",".join(i.name for i in picked) + " " + one.name)
        """
    )
    at.multiselect[0].set_value([at.multiselect[0]._opts()[2]])
    at.selectbox[0].select_index(1)
    at.run()
    at.run()
    assert at.markdown.values == ["c b"]


def test_script_defined_enum_options_survive_reruns() -> None:
    at = app(
        """
        import enum
        import bastion as st
        class Color(enum.Enum):
            RED = 1
            BLUE = 2
        c = st.radio("c", list(Color), key="c")
        st.write(f"{c.name} {c is Color.BLUE}")
        """
    )
    at.radio[0].select_index(1).run()
    at.run()
    assert at.markdown.values == ["BLUE True"], "the value is this run's Color.BLUE"


def test_widget_help_reads_back_as_written() -> None:
    at = app("import bastion as st\nst.checkbox('c', help='Tick **this**')")
    assert at.checkbox[0].help == "Tick **this**"
    assert "<strong>this</strong>" in at.checkbox[0].proto.help_html
