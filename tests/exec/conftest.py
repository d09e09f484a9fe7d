"""Fixtures for the exec service's live tests: a real `bastion exec serve` on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from .live import Server, unique_prefix


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(
        tmp_path_factory.mktemp("exec-main"),
        "--concurrency", "4",
        "--cgroup-prefix", unique_prefix("main"),
    ).start()  # fmt: skip
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def http(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60.0) as client:
        yield client
