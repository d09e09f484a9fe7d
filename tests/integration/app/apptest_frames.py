"""Test helper: record the frames a session sends to an AppTest."""

from __future__ import annotations

from bastion.testing import AppTest


def spy_frames(at: AppTest) -> list[bytes]:
    """Every frame AppTest reads from now on is also appended to the returned list."""
    frames: list[bytes] = []
    take = at._client.take

    def spy() -> list[bytes]:
        got = take()
        frames.extend(got)
        return got

    at._client.take = spy  # type: ignore[method-assign]
    return frames
