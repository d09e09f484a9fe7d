"""The fragments-and-overlays gallery page runs, and its fragment and dialog work."""

from __future__ import annotations

from pathlib import Path

import bastion.server.hello as hello
from bastion.testing import AppTest

PAGE = Path(hello.__file__).parent / "pages" / "layout.py"


def test_gallery_page_fragment_dialog_and_toast() -> None:
    at = AppTest.from_file(PAGE).run()
    assert not at.exception
    runs = at.session_state.page_runs
    at.button(key="roll").click().run()
    assert at.session_state.page_runs == runs  # only the fragment reran
    assert len(at.session_state.rolls) == 1
    at.button(key="open_dialog").click().run()
    dialog = at.get("dialog")[0]
    dialog.button(key="send_rating").click().run()
    assert at.get("dialog") == []
    assert at.success[0].value.startswith("Thanks! 4 stars")
    at.button(key="toast2").click().run()
    assert [t.value for t in at.toast] == ["First toast", "Second toast, stacked"]
    at.button(key="job").click().run()
    status = at.get("status")[0]
    assert (status.label, status.state) == ("Job done", "complete")
