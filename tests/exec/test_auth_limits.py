"""API keys, rate limits and the bounded queue, attacked over HTTP on live servers."""

from __future__ import annotations

import concurrent.futures
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from .live import BASTION, Server, unique_prefix

pytestmark = pytest.mark.sandbox

HELLO = {"language": "python", "version": "*", "files": [{"content": "print(1)"}]}


def cli(state: Path, *args: str) -> str:
    out = subprocess.run(
        [BASTION, "exec", "keys", *args, "--state-dir", str(state)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return out.stdout.strip()


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str, Path]]:
    state = tmp_path_factory.mktemp("exec-keys")
    key = cli(state, "create", "--name", "tests")
    srv = Server(
        state, "--require-keys", "--rate", "2", "--burst", "4",
        "--cgroup-prefix", unique_prefix("keys"),
    ).start()  # fmt: skip
    yield srv, key, state
    srv.stop()


def test_public_routes_need_no_key(keyed: tuple[Server, str, Path]) -> None:
    srv, _, _ = keyed
    assert httpx.get(srv.url + "/").status_code == 200
    assert httpx.get(srv.url + "/health", timeout=30).status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/v2/runtimes"), ("POST", "/api/v2/execute"), ("GET", "/api/v2/piston/runtimes"),
     ("GET", "/api/v2/packages"), ("GET", "/metrics"), ("GET", "/openapi.json"),
     ("POST", "/api/v3/sessions"), ("GET", "/api/v2/nonexistent")],
)  # fmt: skip
def test_every_other_route_needs_a_valid_key(
    keyed: tuple[Server, str, Path], method: str, path: str
) -> None:
    srv, key, _ = keyed
    for headers in ({}, {"Authorization": "Bearer bst_zzz_zzz"}, {"Authorization": key + "x"}):
        r = httpx.request(method, srv.url + path, headers=headers, json=HELLO)
        assert r.status_code == 401, (path, headers)
        assert "API key" in r.json()["message"]
        assert r.headers["www-authenticate"].startswith("Bearer")


def test_websocket_handshake_needs_a_key(keyed: tuple[Server, str, Path]) -> None:
    srv, key, _ = keyed
    with pytest.raises(InvalidStatus) as info:
        connect(srv.ws_url + "/api/v2/connect")
    assert info.value.response.status_code == 401
    with connect(srv.ws_url + "/api/v2/connect", additional_headers={"Authorization": key}) as ws:
        ws.send('{"type": "signal", "signal": "SIGKILL"}')
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4003


def test_keys_work_bearer_or_raw_then_rate_limit_then_revoke(
    keyed: tuple[Server, str, Path],
) -> None:
    srv, _, state = keyed
    # A key of its own, with its own limits: 1 request/s, bursts of 4.
    key = cli(state, "create", "--name", "limited", "--rate", "1", "--burst", "4")
    with httpx.Client(base_url=srv.url, timeout=30) as c:
        statuses = []
        for i in range(8):
            auth = f"Bearer {key}" if i % 2 else key
            statuses.append(c.get("/api/v2/runtimes", headers={"Authorization": auth}))
        codes = [r.status_code for r in statuses]
        assert codes[:4] == [200, 200, 200, 200]  # the burst
        limited = [r for r in statuses if r.status_code == 429]
        assert limited
        assert int(limited[0].headers["retry-after"]) >= 1
        assert "rate limit" in limited[0].json()["message"]

        key_id = key.split("_")[1]
        listing = cli(state, "list")
        assert key_id in listing
        assert key.split("_")[2] not in listing
        assert "active" in listing
        cli(state, "revoke", key_id)
        r = c.get("/api/v2/runtimes", headers={"Authorization": key})
        assert r.status_code == 401
        assert "revoked" in r.json()["message"]


def test_queue_full_answers_503_with_retry_after(tmp_path: Path) -> None:
    srv = Server(
        tmp_path, "--concurrency", "1", "--queue-size", "1",
        "--cgroup-prefix", unique_prefix("queue"),
    ).start()  # fmt: skip
    slow = {**HELLO, "files": [{"content": "import time; time.sleep(1.5); print('done')"}]}
    try:
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            futures = [
                pool.submit(httpx.post, srv.url + "/api/v2/execute", json=slow, timeout=30)
                for _ in range(4)
            ]
            responses = [f.result() for f in futures]
        ok = [r for r in responses if r.status_code == 200]
        full = [r for r in responses if r.status_code == 503]
        assert len(ok) >= 2  # one running, one queued
        assert full
        assert int(full[0].headers["retry-after"]) >= 1
        assert full[0].json()["message"].startswith("queue is full")
        assert all(r.json()["run"]["stdout"] == "done\n" for r in ok)
        metrics = httpx.get(srv.url + "/metrics").text
        assert 'bastion_exec_rejected_total{reason="queue_full"}' in metrics
    finally:
        srv.stop()


def test_a_session_is_invisible_to_other_keys(keyed: tuple[Server, str, Path]) -> None:
    srv, _, state = keyed
    alice = {
        "Authorization": "Bearer "
        + cli(state, "create", "--name", "alice", "--rate", "100", "--burst", "100")
    }
    mallory = {
        "Authorization": "Bearer "
        + cli(state, "create", "--name", "mallory", "--rate", "100", "--burst", "100")
    }
    with httpx.Client(base_url=srv.url, timeout=60) as c:
        sid = c.post("/api/v3/sessions", json={}, headers=alice).json()["id"]
        try:
            r = c.post(
                f"/api/v3/sessions/{sid}/execute",
                json={"language": "python", "code": "s = 'secret'"},
                headers=alice,
            )
            assert r.status_code == 200
            for method, path, body in [
                ("GET", f"/api/v3/sessions/{sid}", None),
                (
                    "POST",
                    f"/api/v3/sessions/{sid}/execute",
                    {"language": "python", "code": "print(s)"},
                ),
                ("GET", f"/api/v3/sessions/{sid}/files", None),
                ("POST", f"/api/v3/sessions/{sid}/interrupt", None),
                ("DELETE", f"/api/v3/sessions/{sid}", None),
            ]:
                r = c.request(method, path, json=body, headers=mallory)
                assert r.status_code == 404, (method, path)
                assert "does not exist" in r.json()["message"]
            assert c.get("/api/v3/sessions", headers=mallory).json() == {"sessions": []}
            assert [
                s["id"] for s in c.get("/api/v3/sessions", headers=alice).json()["sessions"]
            ] == [sid]
        finally:
            assert c.delete(f"/api/v3/sessions/{sid}", headers=alice).status_code == 204


def test_one_key_flooding_the_queue_does_not_starve_another(tmp_path: Path) -> None:
    flood_key = cli(tmp_path, "create", "--name", "flood", "--rate", "100", "--burst", "100")
    polite_key = cli(tmp_path, "create", "--name", "polite", "--rate", "100", "--burst", "100")
    srv = Server(
        tmp_path, "--require-keys", "--concurrency", "1", "--queue-size", "20",
        "--cgroup-prefix", unique_prefix("fair"),
    ).start()  # fmt: skip
    job = {**HELLO, "files": [{"content": "import time, sys; time.sleep(1); print(sys.argv[1])"}]}
    finished: list[str] = []

    def post(key: str, tag: str) -> None:
        r = httpx.post(
            srv.url + "/api/v2/execute",
            json={**job, "args": [tag]},
            headers={"Authorization": f"Bearer {key}"},
            timeout=60,
        )
        assert r.status_code == 200, r.text
        finished.append(r.json()["run"]["stdout"].strip())

    try:
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            flood = [pool.submit(post, flood_key, f"flood{i}") for i in range(6)]
            deadline = time.monotonic() + 20
            while queue_depth(srv, flood_key) < 4:  # one runs, the others wait
                assert time.monotonic() < deadline, "the flood never queued"
                time.sleep(0.02)
            polite = pool.submit(post, polite_key, "polite")
            for f in [*flood, polite]:
                f.result()
        # Flood jobs were queued first; round robin across keys still runs polite next.
        assert finished.index("polite") <= 2, finished
    finally:
        srv.stop()


def queue_depth(srv: Server, key: str) -> float:
    metrics = httpx.get(srv.url + "/metrics", headers={"Authorization": key}).text
    line = next(ln for ln in metrics.splitlines() if ln.startswith("bastion_exec_queue_depth "))
    return float(line.split()[1])
