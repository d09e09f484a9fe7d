"""The gallery page for inputs and caching runs, and its cache hits on the second run."""

from __future__ import annotations

from pathlib import Path

from bastion.testing import AppTest

PAGE = Path(__file__).parents[3] / "src/bastion/server/hello/pages/inputs.py"


def test_inputs_gallery_page_runs_and_caches() -> None:
    at = AppTest.from_file(PAGE, default_timeout=10).run()
    assert not at.exception
    assert len(at.date_input) == 2
    assert at.segmented_control[0].value == "Table"
    at.pills[0].select("🍄 mushroom").run()
    assert "mushroom" in at.markdown[1].value
    assert any("squares(5) computed" in c.value for c in at.caption)  # replayed on the hit
    at.feedback[0].set_value(4).run()
    assert "5 stars" in at.success[0].value
