"""The page `bastion hello` serves (shipped in the package) works end to end through AppTest."""

from __future__ import annotations

from pathlib import Path

import bastion.server.hello
from bastion.testing import AppTest

HELLO = Path(bastion.server.hello.__file__).parent / "hello.py"  # the gallery's entrypoint


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


def test_hello_is_a_gallery_of_every_page_in_its_folder() -> None:
    at = AppTest.from_file(HELLO).run()
    nav = at.navigation
    folder = sorted(p.stem for p in (HELLO.parent / "pages").glob("*.py") if p.stem[0] != "_")
    assert nav.pages[0].title == "Hello"
    assert nav.current == ""
    assert sorted(p.url_path for p in nav.pages[1:]) == folder
    assert {p.section for p in nav.pages[1:]} == {"Gallery"}
    for page in folder:
        at.switch_page(page).run(timeout=10)
        assert at.page == page
        assert not at.exception, f"gallery page {page!r} failed: {at.exception}"
        assert at.title, f"gallery page {page!r} shows no title"


def test_hello_pages_page_links_and_switches_back() -> None:
    at = AppTest.from_file(HELLO).run()
    at.switch_page("pages/navigation.py").run()
    assert at.title[0].value == "Pages 🧭"
    assert at.page_link[0].url_path == ""
    assert at.page_link[1].href is not None
    assert at.page_link[1].href.startswith("https://")
    at.button("to_tour").click().run()
    assert at.page == ""
    assert at.title[0].value == "Hello, Bastion 👋"
