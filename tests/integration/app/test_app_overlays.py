"""Dialog, popover, status and toast through AppTest (what goes over the wire)."""

from __future__ import annotations

from bastion.testing import AppTest

DIALOG_APP = """
import bastion as st
ss = st.session_state
ss.setdefault("outer", 0)
ss.outer += 1

@st.dialog("Vote", width="large")
def vote(item):
    ss["dialog_runs"] = ss.get("dialog_runs", 0) + 1
    st.write(f"Why {item}?")
    reason = st.text_input("Because")
    if st.button("Submit"):
        ss.vote = {"item": item, "reason": reason}
        st.rerun()

if "vote" not in ss:
    if st.button("A"):
        vote("A")
else:
    st.write(f"You voted for {ss.vote['item']} because {ss.vote['reason']}")
"""


def test_dialog_opens_reruns_as_fragment_and_closes_on_rerun() -> None:
    at = AppTest.from_string(DIALOG_APP).run()
    assert at.get("dialog") == []
    at.button[0].click().run()
    dialog = at.get("dialog")[0]
    assert dialog.title == "Vote"
    assert dialog.proto.width == "large"
    assert dialog.markdown.values == ["Why A?"]
    outer = at.session_state.outer
    dialog.text_input[0].input("blue").run()  # a fragment run of the dialog only
    assert at.session_state.outer == outer
    assert at.session_state.dialog_runs == 2
    at.get("dialog")[0].button[0].click().run()  # st.rerun() inside: a full run, the dialog goes
    assert at.get("dialog") == []
    assert at.markdown.values == ["You voted for A because blue"]


def test_dialog_reopens_with_a_new_opened_marker_and_only_one_at_a_time() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        @st.dialog("One")
        def one():
            st.write("one")
        @st.dialog("Two")
        def two():
            st.write("two")
        one()
        if st.session_state.get("both"):
            two()
        """
    ).run()
    first = at.get("dialog")[0].proto.opened
    at.run()
    assert at.get("dialog")[0].proto.opened != first  # the client reopens it if it was closed
    at.session_state["both"] = True
    at.run()
    assert "Only one dialog" in at.exception[0].value


def test_dialog_argument_errors() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        st.dialog("t", width="huge")
        """
    ).run()
    assert "width" in at.exception[0].value


def test_status_context_manager_and_update() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        with st.status("Downloading", expanded=True) as s:
            st.write("one")
            s.update(label="Still going")
            st.write("two")
        other = st.status("Manual", state="error")
        other.write("inside")
        try:
            with st.status("Fails") as f:
                raise ValueError("x")
        except ValueError:
            pass
        """
    ).run()
    first, manual, fails = at.get("status")
    assert (first.label, first.state, first.expanded) == ("Still going", "complete", True)
    assert first.markdown.values == ["one", "two"]  # update kept the children and the cursor
    assert (manual.state, manual.markdown.values) == ("error", ["inside"])
    assert fails.state == "error"


def test_status_inside_a_form_keeps_the_form() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        with st.form("f"):
            with st.status("In form"):
                v = st.text_input("t")
            st.form_submit_button("go")
        st.write("v=" + v)
        """
    ).run()
    assert at.text_input[0].form_id == "f"
    at.text_input[0].input("x")
    at.button[0].click().run()
    assert at.markdown.values == ["v=x"]


def test_status_rejects_bad_state() -> None:
    at = AppTest.from_string('import bastion as st\nst.status("x", state="done")').run()
    assert "state" in at.exception[0].value


def test_popover_is_a_container() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        with st.popover("Settings", help="more", icon="⚙"):
            flag = st.checkbox("Dark")
        st.sidebar.popover("Side").write("in sidebar")
        st.write(f"dark={flag}")
        """
    ).run()
    pop = at.get("popover")[0]
    assert pop.label == "Settings"
    assert pop.proto.icon == "⚙"
    pop.checkbox[0].check().run()
    assert at.main.markdown.values[-1] == "dark=True"
    assert at.sidebar.get("popover")[0].markdown.values == ["in sidebar"]


def test_toasts_stack_update_and_survive_fragment_runs() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        t = st.toast("Saved", icon="✅")
        st.toast("**Second**", duration="long")
        if st.session_state.get("update"):
            t.toast("Saved again")
        @st.fragment
        def f():
            if st.button("b"):
                st.toast("from fragment", duration=2)
        f()
        """
    ).run()
    assert [t.value for t in at.toast] == ["Saved", "**Second**"]
    assert at.toast[0].icon == "✅"
    assert at.toast[1].proto.duration == 10.0
    assert "<strong>Second</strong>" in at.toast[1].proto.body_html
    at.button[0].click().run()  # a fragment run adds a toast; the earlier ones stay
    assert [t.value for t in at.toast] == ["Saved", "**Second**", "from fragment"]
    at.session_state["update"] = True
    at.run()
    assert [t.value for t in at.toast] == ["Saved again", "**Second**"]


def test_toast_body_is_sanitized_and_arguments_checked() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        st.toast("<img src=x onerror=alert(1)> [x](javascript:alert(1))")
        st.toast("x", duration="forever")
        """
    ).run()
    html = at.toast[0].proto.body_html
    assert "<img" not in html  # escaped text, not a tag
    assert 'href="javascript' not in html
    assert "duration" in at.exception[0].value
