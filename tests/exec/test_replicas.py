"""Two replicas behind nginx on loopback: jobs spread, WebSockets pass, sessions stay pinned.

nginx is started from here with a temporary config (never as a system service); the config is
the README's, with the replicas' loopback ports filled in.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from .live import Server, free_port, unique_prefix

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]

NGINX_CONF = """
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 512; }}
http {{
  access_log off;
  client_body_temp_path {tmp}/body;
  proxy_temp_path {tmp}/proxy;
  fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi;
  scgi_temp_path {tmp}/scgi;
  map $uri $session_replica {{ "~^/api/v3/sessions/(?<r>[A-Za-z0-9-]+)\\." $r; default ""; }}
  map $http_upgrade $connection_upgrade {{ default upgrade; "" close; }}
  upstream replica_r1 {{ server 127.0.0.1:{p1}; }}
  upstream replica_r2 {{ server 127.0.0.1:{p2}; }}
  upstream exec_any {{ server 127.0.0.1:{p1}; server 127.0.0.1:{p2}; }}
  server {{
    listen 127.0.0.1:{port};
    client_max_body_size 64m;
    proxy_http_version 1.1;
    proxy_set_header Upgrade $http_upgrade;
    proxy_set_header Connection $connection_upgrade;
    proxy_buffering off;
    proxy_read_timeout 300s;
    location /api/v3/sessions {{
      if ($session_replica != "") {{ proxy_pass http://replica_$session_replica; }}
      proxy_pass http://exec_any;
    }}
    location / {{ proxy_pass http://exec_any; }}
  }}
}}
"""


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Server, Server]]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    assert Path(nginx).exists(), "nginx is installed by scripts/setup (nginx-light)"
    base = tmp_path_factory.mktemp("exec-fleet")
    r1 = Server(base / "r1", "--replica", "r1", "--cgroup-prefix", unique_prefix("r1")).start()
    r2 = Server(base / "r2", "--replica", "r2", "--cgroup-prefix", unique_prefix("r2")).start()
    tmp = base / "nginx"
    tmp.mkdir()
    proc = None
    try:
        for _ in range(3):
            port = free_port()
            conf = tmp / "nginx.conf"
            conf.write_text(NGINX_CONF.format(tmp=tmp, p1=r1.port, p2=r2.port, port=port))
            proc = subprocess.Popen(
                [nginx, "-p", str(tmp), "-c", str(conf), "-g", "daemon off;"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,  # errors: tmp/error.log
            )  # fmt: skip
            url = f"http://127.0.0.1:{port}"
            if _ready(url, proc):
                break
            proc.kill()
            proc.wait()
            proc = None
        assert proc is not None, (tmp / "error.log").read_text()
        yield url, r1, r2
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(10)
        r1.stop()
        r2.stop()


def _ready(url: str, proc: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(url + "/", timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            time.sleep(0.05)
    return False


def test_jobs_spread_over_both_replicas(fleet: tuple[str, Server, Server]) -> None:
    url, _, _ = fleet
    seen = set()
    with httpx.Client(base_url=url, timeout=60) as c:
        for i in range(6):
            r = c.post(
                "/api/v2/execute",
                json={"language": "python", "version": "*", "files": [{"content": f"print({i})"}]},
            )
            assert r.status_code == 200, r.text
            assert r.json()["run"]["stdout"] == f"{i}\n"
            seen.add(r.headers["x-bastion-replica"])
    assert seen == {"r1", "r2"}


def test_websocket_through_nginx(fleet: tuple[str, Server, Server]) -> None:
    url, _, _ = fleet
    init = {"type": "init", "language": "bash", "version": "*", "files": [{"content": "cat"}]}
    with connect(url.replace("http", "ws") + "/api/v2/connect") as ws:
        ws.send(json.dumps(init))
        assert json.loads(ws.recv(timeout=10))["type"] == "runtime"
        assert json.loads(ws.recv(timeout=10))["type"] == "stage"
        ws.send(json.dumps({"type": "data", "stream": "stdin", "data": "via nginx\n"}))
        assert json.loads(ws.recv(timeout=10))["data"] == "via nginx\n"


def test_sessions_stay_pinned_to_their_replica(fleet: tuple[str, Server, Server]) -> None:
    url, r1, r2 = fleet
    with httpx.Client(base_url=url, timeout=60) as c:
        ids = []
        for _ in range(4):  # round robin: both replicas create sessions
            r = c.post("/api/v3/sessions", json={})
            assert r.status_code == 201, r.text
            ids.append(r.json()["id"])
        assert {i.split(".")[0] for i in ids} == {"r1", "r2"}
        for sid in ids:
            lines = c.post(
                f"/api/v3/sessions/{sid}/execute", json={"language": "python", "code": "n = 1"}
            )
            assert lines.status_code == 200, lines.text
            for _ in range(3):
                r = c.post(
                    f"/api/v3/sessions/{sid}/execute",
                    json={"language": "python", "code": "n += 1\nprint(n)"},
                )
                assert r.headers["x-bastion-replica"] == sid.split(".")[0]
            last = json.loads(r.text.strip().splitlines()[-1])
            assert last["type"] == "result"
            assert last["stdout"] == "4\n"
        # Sent straight to the wrong replica, a session is refused with 421, not mistaken.
        wrong = r2 if ids[0].startswith("r1.") else r1
        r = httpx.get(f"{wrong.url}/api/v3/sessions/{ids[0]}", timeout=10)
        assert r.status_code == 421
        assert "lives on replica" in r.json()["message"]
        for sid in ids:
            assert c.delete(f"/api/v3/sessions/{sid}").status_code == 204
