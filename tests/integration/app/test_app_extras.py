"""st.latex, st.badge, st.space, st.help, st.snow, st.get_option/set_option through AppTest."""

from __future__ import annotations

import pytest

from bastion.testing import AppTest


def test_latex_renders_sanitized_mathml_on_the_server() -> None:
    at = AppTest.from_string(
        "import bastion as st\n"
        "st.latex(r'a^2 + b^2 = c^2')\n"
        "st.latex(r'\\text{<img src=x onerror=alert(1)>} \\href{javascript:alert(1)}{x}')\n"
    ).run()
    first, hostile = (e.proto.body_html for e in at.latex)
    assert first.startswith('<math display="block">')
    assert "<msup><mi>a</mi><mn>2</mn>" in first
    assert "onerror" not in hostile
    assert "javascript" not in hostile
    assert "<img" not in hostile
    assert "href" not in hostile


def test_bad_latex_names_the_parameter() -> None:
    at = AppTest.from_string("import bastion as st\nst.latex(r'\\frac{')\n").run()
    assert "st.latex" in at.exception[0].message
    assert "body" in at.exception[0].message


def test_badge_is_a_coloured_span_and_checks_its_colour() -> None:
    at = AppTest.from_string(
        "import bastion as st\n"
        "st.badge('New', icon='🔥', color='green')\n"
        "st.badge('x', color='pink')\n"
    ).run()
    assert at.markdown[0].proto.body_html == '<span class="bst-green-badge">🔥 New</span>'
    assert "color" in at.exception[0].message


def test_badge_directive_in_markdown_keeps_only_known_classes() -> None:
    at = AppTest.from_string(
        "import bastion as st\nst.markdown(':blue-badge[ok] <span class=\"evil\">x</span>', True)\n"
    ).run()
    html = at.markdown[0].proto.body_html
    assert 'class="bst-blue-badge"' in html
    assert "evil" not in html


@pytest.mark.parametrize(
    ("size", "ok"), [("small", True), (40, True), ("huge", False), (-1, False)]
)
def test_space_sizes(size: object, ok: bool) -> None:
    at = AppTest.from_string(f"import bastion as st\nst.space({size!r})\n").run()
    assert (len(at.space) == 1) is ok
    assert (len(at.exception) == 0) is ok


def test_help_describes_a_function_and_an_object_as_plain_text() -> None:
    at = AppTest.from_string(
        "import bastion as st\n"
        "def f(a: int, b: str = '<b>') -> None:\n"
        "    '''Do <script>x</script> things.'''\n"
        "class Box:\n"
        "    size = 3\n"
        "    def grow(self):\n"
        "        '''Make it bigger.'''\n"
        "st.help(f)\n"
        "st.help(Box())\n"
    ).run()
    fn, obj = (h.proto for h in at.help)
    assert fn.name == "f"
    assert fn.signature == "(a: int, b: str = '<b>') -> None"
    assert fn.doc == "Do <script>x</script> things."  # text, shown as text by the client
    assert obj.type_name == "Box"
    assert obj.value.startswith("<")
    members = {m.name: m for m in obj.members}
    assert members["size"].value == "3"
    assert members["grow"].value == "Make it bigger."


def test_snow_is_a_celebration_of_its_own_kind() -> None:
    at = AppTest.from_string("import bastion as st\nst.snow()\nst.balloons()\n").run()
    assert len(at.snow) == 1
    assert len(at.balloons) == 1


def test_get_option_reads_the_app_config_in_any_spelling() -> None:
    at = AppTest.from_string(
        "import bastion as st\n"
        "st.text(st.get_option('server.maxUploadSize'))\n"
        "st.text(st.get_option('runner.magic_enabled'))\n"
        "st.get_option('server.nope')\n"
    ).run()
    assert [t.value for t in at.text] == ["200", "True"]
    assert "server.nope" in at.exception[0].message


def test_set_option_refuses_with_where_to_set_it() -> None:
    at = AppTest.from_string("import bastion as st\nst.set_option('server.port', 1)\n").run()
    message = at.exception[0].message
    assert "config.toml" in message
    assert "every session" in message


def test_streamlits_experimental_names_are_the_same_functions() -> None:
    import bastion as st

    assert st.experimental_fragment is st.fragment
    assert st.experimental_dialog is st.dialog
    assert st.experimental_user is st.user
    assert st.experimental_data_editor is st.data_editor
    assert st.experimental_audio_input is st.audio_input
