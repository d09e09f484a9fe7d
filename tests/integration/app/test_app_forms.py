"""Forms: client-side batching, submission, callbacks, clear_on_submit, misuse."""

from __future__ import annotations

from bastion.protocol.app import Rerun, Submit
from bastion.testing import AppTest

FORM = """
import bastion as st
st.session_state.setdefault("submits", 0)
def on_submit():
    st.session_state.submits += 1
with st.form("f", clear_on_submit=CLEAR):
    name = st.text_input("name")
    age = st.slider("age", 0, 100, 30)
    sent = st.form_submit_button("Send", on_click=on_submit)
st.write(f"{name!r} {age} {sent}")
"""


def form_app(clear: bool = False) -> AppTest:
    return AppTest.from_string(FORM.replace("CLEAR", str(clear))).run()


def test_changes_wait_for_submit() -> None:
    at = form_app()
    at.text_input[0].input("Ann")
    at.slider[0].set_value(40)
    at.run()
    assert at.markdown.values == ["'' 30 False"], "no submit: nothing is applied"
    at.button[0].click().run()
    assert at.markdown.values == ["'Ann' 40 True"]
    assert at.session_state.submits == 1
    at.run()
    assert at.markdown.values == ["'Ann' 40 False"], "values persist, the trigger does not"


def test_clear_on_submit_returns_values_once_then_defaults() -> None:
    at = form_app(clear=True)
    at.text_input[0].input("Ann")
    at.button[0].click().run()
    assert at.markdown.values == ["'Ann' 30 True"]
    assert at.text_input[0].proto.value == "", "the form shows its defaults again"
    at.run()
    assert at.markdown.values == ["'' 30 False"]


def test_form_values_outside_a_submission_are_ignored() -> None:
    at = form_app()
    at._send(Rerun(widgets={at.text_input[0].id: "forged"}))
    assert at.markdown.values == ["'' 30 False"]


def test_submit_carries_only_its_own_forms_values() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        with st.form("a"):
            x = st.text_input("x")
            st.form_submit_button("A")
        with st.form("b"):
            y = st.text_input("y")
            st.form_submit_button("B")
        st.write(f"{x!r} {y!r}")
        """
    ).run()
    x, y = at.text_input[0].id, at.text_input[1].id
    at._send(Submit(form="a", button=at.button[0].id, widgets={x: "1", y: "2"}))
    assert at.markdown.values == ["'1' ''"]
    at._send(Submit(form="a", button=at.button[1].id, widgets={x: "3"}))
    assert at.markdown.values == ["'1' ''"], "a button of another form is not a submit of a"


def test_only_the_submit_button_may_have_a_callback() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        with st.form("f"):
            st.text_input("t", on_change=print)
            st.form_submit_button()
        """
    ).run()
    assert at.exception[0].exc_type == "FormError"
    assert "only st.form_submit_button may have a callback" in at.exception[0].value


def test_form_misuse_errors() -> None:
    cases = {
        "with st.form('a'):\n    with st.form('b'):\n        pass": "cannot be nested",
        "with st.form('a'):\n    st.button('x')": "cannot be used inside form",
        "st.form_submit_button()": "must be inside a form",
        "st.form('a')\nst.form('a')": "two forms with key 'a'",
        "st.form('')": "`key` must be a non-empty str",
    }
    for body, needle in cases.items():
        at = AppTest.from_string("import bastion as st\n" + body).run()
        assert at.exception, body
        assert needle in at.exception[0].value, (body, at.exception[0].value)


def test_form_as_receiver_and_columns_inside() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        form = st.form("f")
        c1, c2 = form.columns(2)
        a = c1.text_input("a")
        b = c2.checkbox("b")
        form.form_submit_button("go")
        st.write(f"{a!r} {b}")
        """
    ).run()
    assert at.text_input[0].form_id == "f"
    assert at.checkbox[0].form_id == "f"
    at.text_input[0].input("z")
    at.checkbox[0].check()
    at.button[0].click().run()
    assert at.markdown.values == ["'z' True"]


def test_a_form_without_submit_button_says_so_inside_the_form() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        with st.form("lonely"):
            st.text_input("t")
        st.write("after")
        """
    ).run()
    assert "Missing submit button" in at.form[0].error[0].value
    assert at.markdown.values == ["after"]
    at.run()
    assert len(at.error) == 1
