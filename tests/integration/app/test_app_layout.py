"""Containers as `with` blocks and as receivers; placeholders and in-place updates."""

from __future__ import annotations

from bastion.testing import AppTest


def test_columns_with_and_receiver() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        a, b, c = st.columns([2, 1, 1], gap="large")
        a.write("left")
        with b:
            st.button("mid")
        c.metric("m", 1)
        st.write("below")
        """
    ).run()
    assert len(at.columns) == 3
    assert at.columns[0].weight == 0.5
    assert at.columns[0].markdown.values == ["left"]
    assert len(at.columns[1].button) == 1
    assert len(at.columns[2].metric) == 1
    assert at.main.markdown.values == ["left", "below"]


def test_sidebar_receiver_and_with() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        st.sidebar.title("Side")
        with st.sidebar:
            choice = st.radio("r", ["a", "b"])
        st.write(choice)
        """
    ).run()
    assert at.sidebar.title[0].value == "Side"
    assert len(at.sidebar.radio) == 1
    assert at.main.markdown.values == ["a"]
    assert len(at.main.radio) == 0


def test_expander_tabs_container_nesting() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        with st.expander("More", expanded=True):
            st.write("inside")
            t1, t2 = st.tabs(["One", "Two"])
            t1.write("tab one")
            with t2:
                inner = st.container(border=True)
                inner.write("tab two")
        """
    ).run()
    assert at.expander[0].label == "More"
    assert at.expander[0].proto.expanded
    assert [t.label for t in at.tabs] == ["One", "Two"]
    assert at.tabs[0].markdown.values == ["tab one"]
    assert at.tabs[1].markdown.values == ["tab two"]
    assert at.expander[0].markdown.values == ["inside", "tab one", "tab two"]


def test_placeholder_replaces_in_place_and_keeps_order() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        ph = st.empty()
        st.write("after")
        ph.write("first")
        ph.text("second")
        with ph.container():
            st.write("in a container")
            st.write("two lines")
        """
    ).run()
    assert at.main.markdown.values == ["in a container", "two lines", "after"]
    assert not at.text


def test_with_placeholder_replaces_each_write() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        with st.empty():
            for i in range(3):
                st.write(f"step {i}")
        """
    ).run()
    assert at.markdown.values == ["step 2"]


def test_element_handle_updates_in_place() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        status = st.info("waiting")
        st.write("next")
        status.success("done")
        """
    ).run()
    assert at.success.values == ["done"]
    assert not at.info
    assert at.main.children[0].type == "success"


def test_elements_gone_from_a_run_are_removed() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        if st.checkbox("more", value=True):
            with st.expander("x"):
                st.write("a")
            st.write("b")
        st.write("c")
        """
    ).run()
    assert at.markdown.values == ["a", "b", "c"]
    at.checkbox[0].uncheck().run()
    assert at.markdown.values == ["c"]
    assert not at.expander


def test_unknown_container_method_is_a_clear_error() -> None:
    at = AppTest.from_string("import bastion as st\nst.sidebar.teleport()").run()
    assert "has no element 'teleport'" in at.exception[0].value


def test_apptest_repr_outlines_the_tree() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        st.title("T")
        with st.expander("More"):
            st.slider("s", 0, 9, 3, key="s")
        st.sidebar.write("side")
        """
    ).run()
    text = repr(at)
    assert "title: 'T'" in text
    assert "expander 'More'" in text
    assert "slider(key='s'): 3" in text
    assert "sidebar:" in text
