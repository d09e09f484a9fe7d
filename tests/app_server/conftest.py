"""Server fixtures: a real uvicorn on 127.0.0.1, port 0, in a thread of the test process."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from bastion.server.listen import Server, bind, uvicorn_config


@contextmanager
def running(app: Any) -> Iterator[str]:
    """Serve `app` for the duration of the block; yields its base URL."""
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    server = Server(uvicorn_config(app, loop="asyncio"))
    errors: list[BaseException] = []

    def main() -> None:
        try:
            asyncio.run(server.serve(sockets=[sock]))
        except BaseException as exc:  # surfaced below, never swallowed
            errors.append(exc)

    thread = threading.Thread(target=main, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if errors or not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError(f"server did not start: {errors}")
        time.sleep(0.005)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
    if errors:
        raise errors[0]


@pytest.fixture
def serve() -> Any:
    """`with serve(app) as url:` runs `app` on a real loopback socket."""
    return running


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
