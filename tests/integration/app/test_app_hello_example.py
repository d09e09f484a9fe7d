"""examples/hello/app.py (what `bastion hello` shows) works end to end through AppTest."""

from __future__ import annotations

from pathlib import Path

from bastion.testing import AppTest

HELLO = Path(__file__).parents[3] / "examples" / "hello" / "app.py"


def test_hello_tour() -> None:
    at = AppTest.from_file(HELLO).run()
    assert not at.exception
    assert at.page_config.title == "Hello, Bastion"
    assert at.sidebar.text_input[0].value == "World"
    at.sidebar.text_input("name").input("Ada").run()
    assert at.subheader[0].value == "Hello, Ada!"

    at.button[0].click().run()  # "Click me" reruns the script itself
    assert at.session_state.count == 1
    assert at.metric[0].value == "1"

    at.slider("level").set_value(10).run()
    assert at.get("progress")[0].value == 10
    assert "The sum of 0..10 is 55." in at.markdown.values

    at.text_area[0].input("great")
    submit = next(b for b in at.button if b.label == "Send")
    submit.click().run()
    assert at.success[0].value.startswith("Thanks! 5★")
    assert at.text_area[0].proto.value == "", "the form clears on submit"

    at.sidebar.toggle[0].set_value(True).run()
    assert at.expander[0].label == "How this page works"
    assert not at.exception
