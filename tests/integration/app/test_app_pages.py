"""Multipage apps through AppTest: the pages/ folder, st.navigation, st.Page, st.switch_page,
st.page_link, page-not-found, and widget state across pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from bastion.app.pages import name_from_file
from bastion.protocol.app import Rerun
from bastion.testing import AppTest

HERE = Path(__file__).parent
V1 = HERE / "mpa_v1" / "streamlit_app.py"
V2 = HERE / "mpa_v2" / "app.py"


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("1_page_one", (1.0, None, "page one")),
        ("02_📈_Plot_demo", (2.0, "📈", "Plot demo")),
        ("about", (float("inf"), None, "about")),
        ("3-👋🏽-wave", (3.0, "👋🏽", "wave")),
    ],
)
def test_page_names_follow_streamlit_rules(stem: str, expected: tuple[object, ...]) -> None:
    assert name_from_file(stem) == expected


def test_pages_folder_is_discovered_in_order() -> None:
    at = AppTest.from_file(V1).run()
    assert not at.exception
    nav = at.navigation
    assert [(p.url_path, p.title, p.icon) for p in nav.pages] == [
        ("", "streamlit app", None),
        ("Plot_demo", "Plot demo", "📈"),
        ("data_view", "data view", None),
        ("about", "about", None),
    ]
    assert nav.current == ""
    assert nav.position == "sidebar"
    assert at.title[0].value == "Home"


def test_switch_page_by_path_runs_only_that_page() -> None:
    at = AppTest.from_file(V1).run()
    at.switch_page("pages/2_📈_Plot_demo.py").run()
    assert at.page == "Plot_demo"
    assert [t.value for t in at.title] == ["Plot"]
    assert at.markdown[0].value == "plot n is 7"
    at.switch_page("about").run()  # a URL path works too
    assert at.title[0].value == "About"


def test_same_widget_on_two_pages_keeps_separate_state() -> None:
    at = AppTest.from_file(V1).run()
    at.slider("home_n").set_value(9).run()
    at.switch_page("pages/2_📈_Plot_demo.py").run()
    assert at.slider[0].value == 7, "the plot page's own slider, not the home page's"
    at.slider[0].set_value(1).run()
    at.switch_page("streamlit_app.py").run()
    # Streamlit's rule: a keyed widget not rendered on a page's run is dropped with its value.
    assert at.slider("home_n").value == 3
    assert at.session_state["visits"] >= 3, "user keys survive page switches"


def test_st_switch_page_from_a_button() -> None:
    at = AppTest.from_file(V1).run()
    next(b for b in at.button if b.label == "Go to data").click().run()
    assert at.page == "data_view"
    assert at.title[0].value == "Data"
    assert at.markdown[0].value == "visits so far: 2"


def test_page_links_internal_and_external() -> None:
    at = AppTest.from_file(V1).run()
    links = at.page_link
    assert [(link.label, link.url_path, link.href) for link in links] == [
        ("To the plot", "Plot_demo", None),
        ("Docs", None, "https://example.org/docs"),
    ]
    at.switch_page("pages/10_data_view.py").run()
    assert at.page_link[0].url_path == ""
    assert at.page_link[0].proto.icon == "🏠"


def test_unknown_page_shows_the_default_page_and_says_so() -> None:
    at = AppTest.from_file(V1)
    session = at.session
    at._send(Rerun(page="../../etc/passwd"))
    assert at.page_not_found == "../../etc/passwd"
    assert at.page == ""
    assert at.title[0].value == "Home"
    assert session.page == ""


def test_files_starting_with_underscore_are_not_pages() -> None:
    at = AppTest.from_file(V1).run()
    assert "_helper" not in {p.url_path for p in at.navigation.pages}
    with pytest.raises(Exception, match="no page"):
        at.switch_page("pages/_helper.py").run()


def test_navigation_with_sections_and_a_function_page() -> None:
    at = AppTest.from_file(V2).run()
    assert not at.exception
    nav = at.navigation
    assert [(p.url_path, p.title, p.icon, p.section) for p in nav.pages] == [
        ("", "Home", "🏠", "Main"),
        ("report", "Report", None, "Tools"),
        ("settings", "settings", "⚙️", "Tools"),
    ]
    assert nav.expanded is True
    assert at.title[0].value == "Home v2"
    assert at.caption[0].value == "team red"
    at.switch_page("settings").run()
    assert at.title[0].value == "Settings"
    assert at.checkbox("dark").value is False


def test_entrypoint_widgets_are_shared_by_all_pages() -> None:
    at = AppTest.from_file(V2).run()
    at.sidebar.selectbox("team").select("blue").run()
    at.switch_page("pages/report.py").run()
    assert at.title[0].value == "Report"
    assert at.sidebar.selectbox("team").value == "blue"
    assert at.caption[0].value == "team blue"


def test_switch_page_in_navigation_app_and_user_keys() -> None:
    at = AppTest.from_file(V2).run()
    at.text_input("name").input("Ada").run()
    next(b for b in at.button if b.label == "Open report").click().run()
    assert at.page == "report"
    # As in Streamlit: the first run of the new page still sees the old page's widget value;
    # that run does not render the text input, so its state is dropped at the run's end.
    assert at.markdown[0].value == "for Ada"
    at.run()
    assert at.markdown[0].value == "for ?"


def test_navigation_pages_folder_is_ignored() -> None:
    # mpa_v2 has a pages/ folder, but its main script calls st.navigation.
    at = AppTest.from_file(V2).run()
    assert len(at.navigation.pages) == 3


def test_navigation_errors_are_clear() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        st.navigation([st.Page(lambda: None, title="A", default=True),
                       st.Page(lambda: None, title="B", default=True)])
        """
    ).run()
    assert "more than one page has default=True" in at.exception[0].value
    at = AppTest.from_string(
        """
        import bastion as st
        st.Page("nope.py")
        """
    ).run()
    assert "no page script" in at.exception[0].value
    at = AppTest.from_string(
        """
        import bastion as st
        st.switch_page("x.py")
        """
    ).run()
    assert "needs a multipage app" in at.exception[0].value
    at = AppTest.from_string(
        """
        import bastion as st
        def a(): st.write("a")
        page = st.navigation([st.Page(a)])
        st.page_link("javascript:alert(1)", label="x")
        """
    ).run()
    assert "http, https or mailto" in at.exception[0].value


def test_hidden_position_and_function_pages() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        def one(): st.header("one")
        def two(): st.header("two")
        st.navigation([st.Page(one), st.Page(two, url_path="second")], position="hidden").run()
        """
    ).run()
    assert at.navigation.position == "hidden"
    assert at.header[0].value == "one"
    at.switch_page("second").run()
    assert at.header[0].value == "two"


def test_navigation_detection_ignores_comments_and_strings() -> None:
    from bastion.app.pages import _calls_navigation

    assert _calls_navigation("import bastion as st\nst.navigation([]).run()")
    assert _calls_navigation("from bastion import navigation\nnavigation([])")
    assert not _calls_navigation("# st.navigation is not used here\nx = 'navigation('")
    assert not _calls_navigation("def (")
