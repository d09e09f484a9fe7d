"""The media store: ids, de-duplication, lifetime by run, memory caps."""

from __future__ import annotations

from pathlib import Path

import pytest

from bastion.app.media import MB, MediaError, MediaLimitError, MediaStore, url_for


def test_ids_are_random_per_session_and_stable_per_content() -> None:
    store = MediaStore()
    a = store.add("s1", 1, b"png", "image/png")
    again = store.add("s1", 2, b"png", "image/png")
    other = store.add("s2", 1, b"png", "image/png")
    assert a is again  # same session, same content: same URL, no refetch
    assert other.id != a.id  # ids reveal nothing across sessions
    assert len(a.id) == 24
    assert url_for(a) == f"_bastion/media/{a.id}.png"
    assert store.get(a.id) is a
    assert store.get("nope") is None


def test_entries_live_while_the_latest_complete_run_shows_them() -> None:
    store = MediaStore(grace_seconds=5)
    old = store.add("s", 1, b"old", "text/plain", now=0)
    kept = store.add("s", 1, b"kept", "text/plain", now=0)
    store.add("s", 2, b"kept", "text/plain", now=1)
    store.run_finished("s", 2, complete=False, now=1)  # interrupted: nothing changes
    assert old.expires is None
    store.run_finished("s", 2, complete=True, now=1)
    assert store.get(old.id, now=5.9) is old  # grace: a download in flight still works
    assert store.get(old.id, now=6.1) is None
    assert store.sweep(now=7) == 1
    assert store.count("s") == 1
    assert store.get(kept.id, now=100) is kept
    store.drop_session("s")
    assert store.count() == 0
    assert store.total_bytes == 0


def test_caps_per_session_and_total() -> None:
    store = MediaStore(max_session_bytes=MB, max_total_bytes=int(1.5 * MB))
    store.add("a", 1, b"x" * (MB - 10), "application/octet-stream")
    with pytest.raises(MediaLimitError, match="maxMediaSessionSize"):
        store.add("a", 1, b"y" * 100, "application/octet-stream")
    with pytest.raises(MediaLimitError, match="maxMediaTotalSize"):
        store.add("b", 1, b"z" * (MB - 10), "application/octet-stream")
    assert store.total_bytes == MB - 10


def test_entries_in_their_grace_make_room_first() -> None:
    store = MediaStore(max_session_bytes=MB, grace_seconds=60)
    store.add("a", 1, b"x" * (MB - 10), "application/octet-stream", now=0)
    store.run_finished("a", 2, complete=True, now=0)
    store.add("a", 2, b"y" * 100, "application/octet-stream", now=1)
    assert store.session_bytes("a") == 100


def test_paths_cost_no_memory_and_must_exist(tmp_path: Path) -> None:
    f = tmp_path / "clip.mp4"
    f.write_bytes(b"\0" * 1000)
    store = MediaStore()
    entry = store.add("s", 1, str(f))
    assert entry.mimetype == "video/mp4"
    assert entry.path == f.resolve()
    assert store.total_bytes == 0
    with pytest.raises(MediaError, match="does not exist"):
        store.add("s", 1, tmp_path / "missing.png")
    with pytest.raises(MediaError, match="not a regular file"):
        store.add("s", 1, tmp_path)
    with pytest.raises(MediaError, match="bytes or a file path"):
        store.add("s", 1, 42)  # type: ignore[arg-type]
    with pytest.raises(MediaError, match="mimetype"):
        store.add("s", 1, b"x", "nonsense")


def test_download_names_lose_directories_and_control_characters() -> None:
    store = MediaStore()
    entry = store.add("s", 1, b"x", "text/csv", filename="../../etc/pass\nwd.csv", attachment=True)
    assert entry.filename == "passwd.csv"
    assert store.add("s", 1, b"y", filename="..\\..").filename == "download"
