"""st.session_state and widget identity: Streamlit's rules, one test each."""

from __future__ import annotations

from apptest_frames import spy_frames

from bastion.testing import AppTest


def app(src: str) -> AppTest:
    return AppTest.from_string(src).run()


def test_counter_by_item_and_attribute() -> None:
    at = app(
        """
        import bastion as st
        if "count" not in st.session_state:
            st.session_state.count = 0
        if st.button("+1"):
            st.session_state["count"] += 1
        st.write(st.session_state.count)
        """
    )
    at.button[0].click().run()
    at.button[0].click().run()
    assert at.markdown.values == ["2"]
    assert at.session_state.count == 2
    assert "count" in at.session_state


def test_user_write_before_widget_beats_frontend_value() -> None:
    at = app(
        """
        import bastion as st
        if st.session_state.get("force"):
            st.session_state.s = 9
        v = st.slider("s", 0, 10, key="s")
        st.write(v)
        """
    )
    at.slider[0].set_value(3).run()
    assert at.markdown.values == ["3"]
    at.session_state.force = True
    at.slider[0].set_value(4).run()
    assert at.markdown.values == ["9"], "a user write this run beats the frontend value"
    assert at.slider[0].proto.value == (9.0,), "and the browser is told"


def test_frontend_value_beats_old_value() -> None:
    at = app("import bastion as st\nst.write(st.number_input('n', value=1, key='n'))")
    at.number_input[0].set_value(5).run()
    at.run()
    assert at.markdown.values == ["5"], "the old value persists across runs"
    at.number_input[0].set_value(6).run()
    assert at.markdown.values == ["6"]


def test_writing_a_widget_key_after_creation_is_an_error() -> None:
    at = app(
        """
        import bastion as st
        st.text_input("t", key="t")
        st.session_state.t = "late"
        """
    )
    assert at.exception[0].exc_type == "WidgetStateError"
    assert "cannot be modified after the widget with key 't' is instantiated" in (
        at.exception[0].value
    )


def test_button_keys_cannot_be_set() -> None:
    at = app(
        """
        import bastion as st
        st.session_state.b = True
        st.button("b", key="b")
        """
    )
    assert "cannot be set using st.session_state" in at.exception[0].value


def test_write_before_creation_seeds_the_widget() -> None:
    at = app(
        """
        import bastion as st
        if "sel" not in st.session_state:
            st.session_state.sel = "b"
        st.write(st.selectbox("pick", ["a", "b", "c"], key="sel"))
        """
    )
    assert at.markdown.values == ["b"]
    assert at.selectbox[0].index == 1


def test_invalid_seed_value_is_a_clear_error() -> None:
    at = app(
        """
        import bastion as st
        st.session_state.sel = "zzz"
        st.selectbox("pick", ["a", "b"], key="sel")
        """
    )
    assert "is not a valid value for st.selectbox 'pick'" in at.exception[0].value


def test_state_of_widgets_not_rendered_is_dropped() -> None:
    at = app(
        """
        import bastion as st
        show = st.checkbox("show", value=True)
        if show:
            st.text_input("name", key="name")
        """
    )
    at.text_input[0].input("kept").run()
    assert at.session_state.name == "kept"
    at.checkbox[0].uncheck().run()
    assert "name" not in at.session_state
    at.checkbox[0].check().run()
    assert at.text_input[0].value == "", "it comes back with its default"


def test_stopped_run_keeps_state_of_widgets_below_the_stop() -> None:
    at = app(
        """
        import bastion as st
        if st.checkbox("halt"):
            st.stop()
        st.text_input("name", key="name")
        """
    )
    at.text_input[0].input("kept").run()
    at.checkbox[0].check().run()
    assert at.run_status == "stopped"
    assert at.session_state.name == "kept"


def test_user_keys_survive_widget_cleanup() -> None:
    at = app(
        """
        import bastion as st
        st.session_state.setdefault("mine", 1)
        """
    )
    at.run()
    assert at.session_state.mine == 1


def test_duplicate_auto_ids_raise_naming_the_widget_and_fix() -> None:
    at = app(
        """
        import bastion as st
        st.button("Go")
        st.button("Go")
        """
    )
    message = at.exception[0].value
    assert at.exception[0].exc_type == "DuplicateWidgetID"
    assert "st.button" in message
    assert "'Go'" in message
    assert "key=" in message


def test_duplicate_keys_raise_naming_both_widgets() -> None:
    at = app(
        """
        import bastion as st
        st.slider("a", key="k")
        st.checkbox("b", key="k")
        """
    )
    assert at.exception[0].exc_type == "DuplicateWidgetKey"
    assert "key='k'" in at.exception[0].value
    assert "st.slider" in at.exception[0].value


def test_same_label_different_params_are_different_widgets() -> None:
    at = app(
        """
        import bastion as st
        st.slider("x", 0, 10)
        st.slider("x", 0, 20)
        """
    )
    assert not at.exception
    assert at.slider[0].id != at.slider[1].id


def test_key_is_the_identity_label_change_keeps_value() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        label = st.session_state.get("label", "first")
        st.write(st.slider(label, 0, 10, key="s"))
        """
    )
    at.run()
    at.slider[0].set_value(8).run()
    at.session_state.label = "second"
    at.run()
    assert at.slider[0].label == "second"
    assert at.markdown.values == ["8"]


def test_changed_options_reset_an_out_of_range_value() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        opts = st.session_state.get("opts", ["a", "b", "c"])
        st.write(st.selectbox("s", opts, key="s"))
        """
    )
    at.run()
    at.selectbox[0].select("c").run()
    at.session_state.opts = ["a", "b"]
    at.run()
    assert at.markdown.values == ["a"]


def test_session_state_set_before_first_run() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        st.write(st.session_state.greeting)
        st.write(st.text_input("t", key="t"))
        """
    )
    at.session_state.greeting = "hi"
    at.session_state["t"] = "preset"
    at.run()
    assert at.markdown.values == ["hi", "preset"]


def test_missing_attribute_message_suggests_initializing() -> None:
    at = app("import bastion as st\nst.session_state.nope")
    assert "Did you forget to initialize it?" in at.exception[0].value


def test_del_and_iteration() -> None:
    at = app(
        """
        import bastion as st
        st.session_state.a = 1
        st.session_state.b = 2
        del st.session_state.a
        st.text_input("t", key="t")
        st.write(sorted(st.session_state))
        """
    )
    assert at.json[0].value == '["b", "t"]'


def test_interrupted_click_still_counts_in_the_next_run() -> None:
    """A click whose run a newer rerun interrupted is not lost (Streamlit loses it)."""
    at = app(
        """
        import bastion as st
        import time
        clicked = st.button("b")
        if st.session_state.get("slow"):
            st.session_state.slow = False
            time.sleep(0.3)
            st.empty()  # an interrupt point
        st.write(f"clicked={clicked}")
        """
    )
    from bastion.protocol.app import Rerun

    at.session_state.slow = True
    session = at.session
    session.handle(Rerun(widgets={at.button[0].id: True}))
    import time

    time.sleep(0.1)
    at._send(Rerun(widgets={}))
    assert at.markdown.values == ["clicked=True"]


def test_callback_reset_reaches_the_browser_even_when_the_element_is_unchanged() -> None:
    """The browser shows what the user typed; if a callback puts the old value back, the
    element equals the one sent before, but the browser must still be corrected."""
    at = app(
        """
        import bastion as st
        def validate():
            if not st.session_state.code.isdigit():
                st.session_state.code = ""
        st.text_input("code", key="code", on_change=validate)
        """
    )
    frames = spy_frames(at)
    at.text_input[0].input("abc").run()
    assert at.session_state.code == ""
    assert b'"type":"text_input"' in frames[-1], "sent in full, not as a `same` marker"


def test_clear_on_submit_reaches_the_browser() -> None:
    at = app(
        """
        import bastion as st
        with st.form("f", clear_on_submit=True):
            st.text_input("t")
            st.form_submit_button()
        """
    )
    frames = spy_frames(at)
    at.text_input[0].input("typed")
    at.button[0].click().run()
    assert b'"type":"text_input"' in frames[-1]
    assert at.text_input[0].proto.value == ""
