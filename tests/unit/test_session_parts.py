"""The sessions' pure parts: the control-frame codec, path checks, a cell's status."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest

from bastion.protocol.errors import InvalidJob
from bastion.protocol.exec import StageResult, Status
from bastion.sandbox.sessions.cell import Cell, Stop
from bastion.sandbox.sessions.files import check_path, write_file
from bastion.sandbox.sessions.frames import FrameDecoder, ProtocolError, encode


def test_frames_round_trip_across_arbitrary_splits() -> None:
    data = encode({"op": "done", "seq": 1}) + encode({"op": "display", "data": "x" * 1000})
    for cut in (1, 3, 4, 5, 50, len(data) - 1):
        d = FrameDecoder()
        got = d.feed(data[:cut]) + d.feed(data[cut:])
        assert [f["op"] for f in got] == ["done", "display"]


@pytest.mark.parametrize(
    "raw",
    [
        struct.pack(">I", 10**9),  # oversize
        struct.pack(">I", 3) + b"{x}",  # not JSON
        struct.pack(">I", 2) + b"[]",  # not an object
        struct.pack(">I", 9) + b'{"op":1} ',  # op not a string
    ],
)
def test_malformed_frames_are_protocol_errors(raw: bytes) -> None:
    with pytest.raises(ProtocolError):
        FrameDecoder(max_frame_bytes=1 << 20).feed(raw)


@pytest.mark.parametrize(
    ("path", "normal"), [("a.txt", "a.txt"), ("d//e/./f", "d/e/f"), ("./x", "x")]
)
def test_good_paths_are_normalised(path: str, normal: str) -> None:
    assert check_path(path) == normal


@pytest.mark.parametrize("path", ["", ".", "/etc/passwd", "../x", "a/../../b", "a\x00b", "x" * 256])
def test_bad_paths_are_refused_with_the_field_named(path: str) -> None:
    with pytest.raises(InvalidJob) as e:
        check_path(path)
    assert e.value.field == "path"


def test_cell_caps_output_and_picks_the_status() -> None:
    cell = Cell(1, output_cap=5, on_output=None)
    assert not cell.take("stdout", b"abc")
    assert cell.take("stdout", b"defgh")
    cell.stopped(Stop.STDOUT)
    cell.stopped(Stop.WALL_TIME)  # the first reason wins
    stage = _stage(cell)
    assert stage.stdout == "abcde"
    assert stage.stdout_truncated
    assert stage.status is Status.STDOUT_LIMIT

    cell = Cell(2, output_cap=100, on_output=None)
    cell.take("stderr", "é".encode()[:1])  # a split UTF-8 character is completed or replaced
    cell.take("stderr", "é".encode()[1:])
    stage = _stage(cell, code=1)
    assert stage.stderr == "é"
    assert stage.status is Status.RUNTIME_ERROR


def _stage(cell: Cell, code: int | None = 0) -> StageResult:
    return cell.result(
        code=code, sig=None, cpu_time_ms=0, wall_time_ms=0, memory_bytes=0, oom_killed=False
    ).stage


def test_the_public_api_is_curated() -> None:
    import bastion.sandbox.sessions as sessions

    public = {n for n in dir(sessions) if not n.startswith("_") and n[0].isupper()}
    assert set(sessions.__all__) == public


def test_uploaded_files_and_their_new_folders_belong_to_the_work_dirs_owner(
    tmp_path: Path,
) -> None:
    # Sessions run code as an unprivileged box user: it must be able to write next to an upload.
    os.chown(tmp_path, 61234, 61234)
    root_fd = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        write_file(root_fd, "data/deep/in.txt", b"x")
    finally:
        os.close(root_fd)
    for made in ("data", "data/deep", "data/deep/in.txt"):
        st = (tmp_path / made).stat()
        assert (st.st_uid, st.st_gid) == (61234, 61234), made
