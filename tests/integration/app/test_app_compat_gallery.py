"""The gallery page of the newer names runs headless and shows each part."""

from __future__ import annotations

from pathlib import Path

from bastion.testing import AppTest

PAGE = Path(__file__).parents[3] / "src/bastion/server/hello/pages/compat.py"


def test_compat_gallery_page_runs() -> None:
    at = AppTest.from_file(str(PAGE)).run()
    assert not at.exception
    assert len(at.datetime_input) == 1
    assert len(at.pdf) == 1
    assert len(at.audio_input) == 1
    assert len(at.bottom.caption) == 1
    assert len(at.graphviz_chart) + len(at.info) == 1
