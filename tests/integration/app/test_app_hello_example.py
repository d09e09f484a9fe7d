"""The page `bastion hello` serves (shipped in the package) works end to end through AppTest."""

from __future__ import annotations

from pathlib import Path

import bastion.server.hello
from bastion.testing import AppTest

HELLO = Path(bastion.server.hello.__file__).parent / "hello.py"


def test_hello_tour() -> None:
    at = AppTest.from_file(HELLO).run()
    assert not at.exception
    assert at.page_config.title == "Hello, Bastion"
    assert at.title[0].value == "Hello, Bastion 👋"
    assert at.sidebar.text_input[0].value == "world"
    at.sidebar.text_input("name").input("Ada").run()
    assert at.subheader[0].value == "Hi, Ada! You feel happy."

    at.slider("rows").set_value(4).run()
    at.select_slider("scale").set_value("x10").run()
    assert at.metric[1].value == "100 apples"  # (1 + 2 + 3 + 4) x 10

    at.button("celebrate").click().run()
    assert at.success[0].value.startswith("🎉 Done")
    at.run()
    assert not at.success, "a button is true for one run only"

    at.number_input("qty").set_value(3)
    at.text_area("note").input("fast please")
    assert not at.info, "form values wait for the submit button"
    next(b for b in at.button if b.label == "Place order").click().run()
    assert at.info[0].value == "Order placed: 3 x apples. Note: fast please"
    assert not at.exception
