"""`/api/v3/sessions` against the live server: state survives runs, files move, expiry cleans up."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from .leaks import busy_cgroups, job_cgroups, settle
from .live import Server, unique_prefix

pytestmark = pytest.mark.sandbox


def run(c: httpx.Client, sid: str, code: str, language: str = "python") -> list[dict[str, Any]]:
    r = c.post(f"/api/v3/sessions/{sid}/execute", json={"language": language, "code": code})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in r.text.splitlines() if line]


def result(lines: list[dict[str, Any]]) -> dict[str, Any]:
    assert lines[-1]["type"] == "result", lines
    return lines[-1]


@pytest.fixture
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as c:
        yield c


def test_variables_and_files_survive_between_runs(client: httpx.Client) -> None:
    r = client.post("/api/v3/sessions", json={"idle_timeout": 60})
    assert r.status_code == 201, r.text
    session = r.json()
    sid = session["id"]
    assert session["idle_timeout"] == 60
    try:
        assert result(run(client, sid, "x = 20\nopen('notes.txt', 'w').write('kept')"))["code"] == 0
        lines = run(client, sid, "import sys\nprint(x + 22)\nprint('err', file=sys.stderr)")
        assert {"type": "data", "stream": "stdout", "data": "42\n"} in lines
        assert result(lines)["stdout"] == "42\n"
        assert result(lines)["stderr"] == "err\n"
        assert result(run(client, sid, "print(open('notes.txt').read())"))["stdout"] == "kept\n"

        js = run(
            client,
            sid,
            "globalThis.n = 40; console.log(require('fs').readFileSync('notes.txt', 'utf8'))",
            "javascript",
        )
        assert result(js)["stdout"] == "kept\n"
        assert result(run(client, sid, "console.log(n + 2)", "javascript"))["stdout"] == "42\n"

        assert client.put(
            f"/api/v3/sessions/{sid}/files/data/in.bin", content=b"\x00\x01bin"
        ).json() == {
            "path": "data/in.bin",
            "size": 5,
        }
        code = "print(len(open('data/in.bin','rb').read()))\n_ = open('out.txt','w').write('made')"
        assert result(run(client, sid, code))["stdout"] == "5\n"
        assert client.get(f"/api/v3/sessions/{sid}/files/out.txt").content == b"made"
        listing = client.get(f"/api/v3/sessions/{sid}/files", params={"path": "data"}).json()
        assert listing == {"path": "data", "files": ["data/in.bin"]}
        root = client.get(f"/api/v3/sessions/{sid}/files").json()["files"]
        assert {"data/", "out.txt", "notes.txt"} <= set(root)

        err = run(client, sid, "raise ValueError('boom')")
        assert "ValueError" in result(err)["stderr"]
        assert result(run(client, sid, "print(x)"))["stdout"] == "20\n"  # an error keeps state
        assert client.get(f"/api/v3/sessions/{sid}").json()["runs"] >= 8
    finally:
        assert client.delete(f"/api/v3/sessions/{sid}").status_code == 204
    r = client.post(f"/api/v3/sessions/{sid}/execute", json={"language": "python", "code": "1"})
    assert r.status_code == 404
    assert "does not exist" in r.json()["message"]


def test_file_paths_cannot_escape(client: httpx.Client) -> None:
    sid = client.post("/api/v3/sessions", json={}).json()["id"]
    try:
        for path in ("../../etc/passwd", "%2e%2e/%2e%2e/etc/passwd", "a/../../x"):
            r = client.get(f"/api/v3/sessions/{sid}/files/{path}")
            assert r.status_code in (400, 404), (path, r.status_code)
            assert "root:" not in r.text
        run(client, sid, "import os\nos.symlink('/etc/passwd', 'link')")
        r = client.get(f"/api/v3/sessions/{sid}/files/link")
        assert r.status_code in (400, 404)
        assert "root:" not in r.text
    finally:
        client.delete(f"/api/v3/sessions/{sid}")


def test_sessions_are_private_to_their_key_and_validated(
    client: httpx.Client, server: Server
) -> None:
    r = client.post("/api/v3/sessions", json={"idle_timeout": -1})
    assert r.status_code == 400
    assert "idle_timeout" in r.json()["message"]
    assert client.get("/api/v3/sessions/not-a-session").status_code == 404
    r = client.post("/api/v3/sessions/nope/execute", json={"language": "python", "code": "1"})
    assert r.status_code == 404


def test_idle_sessions_expire_and_are_cleaned(tmp_path: Path) -> None:
    prefix = unique_prefix("sessions")
    workdirs = Path("/run/bastion-sessions") / prefix
    srv = Server(tmp_path, "--cgroup-prefix", prefix).start()
    try:
        with httpx.Client(base_url=srv.url, timeout=60) as c:
            before = busy_cgroups(prefix)  # warm-pool boxes, if any
            sid = c.post("/api/v3/sessions", json={"idle_timeout": 1.5}).json()["id"]
            assert result(run(c, sid, "print('alive')"))["stdout"] == "alive\n"
            mine = busy_cgroups(prefix) - before
            assert mine, "a session's kernel runs in a cgroup of its own"
            assert len(list(workdirs.iterdir())) == 1
            time.sleep(3)
            r = c.post(f"/api/v3/sessions/{sid}/execute", json={"language": "python", "code": "1"})
            assert r.status_code == 404
            assert c.get("/api/v3/sessions").json() == {"sessions": []}
            # Its kernel processes, cgroups and work dir are gone.
            assert settle(lambda: mine & set(job_cgroups(prefix))) == set()
            assert settle(lambda: list(workdirs.iterdir())) == []
            assert "bastion_exec_sessions 0.0" in c.get("/metrics").text
    finally:
        srv.stop()
    assert settle(lambda: job_cgroups(prefix)) == []


def test_code_can_write_into_a_directory_created_by_an_upload(client: httpx.Client) -> None:
    sid = client.post("/api/v3/sessions", json={}).json()["id"]
    try:
        assert (
            client.put(f"/api/v3/sessions/{sid}/files/data/in.txt", content=b"x").status_code == 200
        )
        out = run(client, sid, "_ = open('data/out.txt', 'w').write('y')")
        assert "Error" not in result(out)["stderr"], result(out)["stderr"]
        assert client.get(f"/api/v3/sessions/{sid}/files/data/out.txt").content == b"y"
    finally:
        client.delete(f"/api/v3/sessions/{sid}")
