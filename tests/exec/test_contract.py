"""Piston v2 contract, route by route, against a live server running the real sandbox."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from .live import Server, execute, unique_prefix

pytestmark = pytest.mark.sandbox

PISTON_STAGE_KEYS = [
    "stdout", "stderr", "output", "code", "signal", "message", "status", "cpu_time", "wall_time",
    "memory",
]  # fmt: skip


def test_banner_and_unknown_routes(http: httpx.Client) -> None:
    r = http.get("/")
    assert r.status_code == 200
    assert list(r.json()) == ["message"]
    for method, path in [
        ("GET", "/api/v2/nope"),
        ("GET", "/api/v2/execute"),
        ("PUT", "/api/v2/runtimes"),
    ]:
        r = http.request(method, path)
        assert (r.status_code, r.json()) == (404, {"message": "Not Found"}), (method, path)


def test_runtimes_same_under_both_prefixes(http: httpx.Client) -> None:
    a = http.get("/api/v2/runtimes")
    b = http.get("/api/v2/piston/runtimes")
    assert a.status_code == b.status_code == 200
    assert a.json() == b.json()
    languages = {rt["language"] for rt in a.json()}
    assert {"python", "javascript", "c"} <= languages
    for rt in a.json():
        assert set(rt) <= {"language", "version", "aliases", "runtime"}
        assert isinstance(rt["aliases"], list)
        assert re.match(r"\d+\.\d+", rt["version"])


def test_execute_python_shape_defaults_and_units(http: httpx.Client) -> None:
    body = execute(http, "print('hello')")
    assert list(body) == ["run", "language", "version"]
    run = body["run"]
    assert list(run)[:10] == PISTON_STAGE_KEYS
    assert (run["stdout"], run["stderr"], run["output"]) == ("hello\n", "", "hello\n")
    assert (run["code"], run["signal"], run["status"], run["message"]) == (0, None, None, None)
    assert body["language"] == "python"
    assert run["memory"] > 0
    assert run["memory"] % 1000 == 0  # KiB x 1000
    assert run["memory"] == run["memory_bytes"] // 1024 * 1000
    assert run["wall_time"] >= 0
    assert run["cpu_time"] >= 0


def test_alias_and_emkc_prefix(http: httpx.Client) -> None:
    r = http.post(
        "/api/v2/piston/execute",
        json={"language": "py", "version": "3", "files": [{"content": "print(1)"}]},
    )
    assert r.status_code == 200
    assert r.json()["language"] == "python"
    assert r.json()["run"]["stdout"] == "1\n"


def test_stdin_newline_rule_and_args(http: httpx.Client) -> None:
    code = "import sys; print(repr(sys.stdin.read()), sys.argv[1:])"
    assert execute(http, code)["run"]["stdout"] == "'\\n' []\n"
    out = execute(http, code, stdin="a", args=["1", "two words"])["run"]["stdout"]
    assert out == "'a\\n' ['1', 'two words']\n"
    assert execute(http, code, stdin="a\n")["run"]["stdout"] == "'a\\n' []\n"


def test_default_file_names_and_extra_files(http: httpx.Client) -> None:
    files = [
        {
            "content": "import helper, os\n"
            "print(helper.X, open('file2.code').read(), sorted(os.listdir('.')))"
        },
        {"name": "helper.py", "content": "X = 41 + 1"},
        {"content": "data"},
        {
            "name": "bin.dat",
            "content": base64.b64encode(b"\x00\x01").decode(),
            "encoding": "base64",
        },
    ]
    r = http.post("/api/v2/execute", json={"language": "python", "version": "*", "files": files})
    assert r.status_code == 200, r.text
    out = r.json()["run"]["stdout"]
    assert out.startswith("42 data ")
    listed = out.split(" ", 2)[2]
    assert "'file2.code'" in listed
    assert "'helper.py'" in listed
    assert "'bin.dat'" in listed


def test_compiled_language_has_compile_stage(http: httpx.Client) -> None:
    body = execute(http, '#include <stdio.h>\nint main(){puts("hi");return 0;}', language="c")
    assert list(body) == ["compile", "run", "language", "version"]
    assert list(body["compile"])[:10] == PISTON_STAGE_KEYS
    assert body["compile"]["code"] == 0
    assert body["run"]["stdout"] == "hi\n"


def test_compile_failure_makes_run_the_compile_result(http: httpx.Client) -> None:
    body = execute(http, "int main( { nope }", language="c")
    assert body["compile"]["code"] != 0
    assert body["compile"]["status"] == "RE"
    assert body["run"] == body["compile"]
    assert "error" in body["run"]["stderr"]


def test_runtime_error_signal_timeout_and_output_cap(http: httpx.Client) -> None:
    run = execute(http, "raise SystemExit(3)")["run"]
    assert (run["code"], run["status"], run["message"]) == (3, "RE", "Exited with error status 3")

    run = execute(http, "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)")["run"]
    assert (run["code"], run["signal"], run["status"]) == (None, "SIGSEGV", "SG")

    run = execute(http, "print('started', flush=True)\nwhile True: pass", run_timeout=500)["run"]
    assert (run["status"], run["signal"], run["code"]) == ("TO", "SIGKILL", None)
    assert run["stdout"] == "started\n"  # what was read before the kill is kept
    assert run["wall_time"] >= 400

    run = execute(http, "import sys\nsys.stdout.write('x' * 5000)\nsys.stdout.flush()")["run"]
    assert (run["status"], run["signal"]) == ("OL", "SIGKILL")
    assert run["message"] == "stdout length exceeded"
    assert run["stdout"] == "x" * 1024  # truncated at the limit, not dropped
    assert run["stdout_truncated"] is True

    run = execute(http, "import sys\nsys.stderr.write('e' * 5000)\nsys.stderr.flush()")["run"]
    assert run["status"] == "EL"
    assert run["stderr"] == "e" * 1024


def test_memory_limit_is_bytes_and_oom_is_reported(http: httpx.Client) -> None:
    run = execute(
        http, "x = bytearray(200 * 1024 * 1024)\nprint(len(x))", run_memory_limit=64_000_000
    )["run"]
    assert run["status"] == "SG"
    assert run["signal"] == "SIGKILL"
    assert run["oom_killed"] is True


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "language is required as a string"),
        ({"language": "python"}, "version is required as a string"),
        ({"language": "python", "version": "*"}, "files is required as an array"),
        (
            {"language": "python", "version": "*", "files": [{}]},
            "files[0].content is required as a string",
        ),
        (
            {"language": "cobol", "version": "*", "files": [{"content": ""}]},
            "cobol-* runtime is unknown",
        ),
        (
            {"language": "python", "version": "9", "files": [{"content": ""}]},
            "python-9 runtime is unknown",
        ),
        (
            {"language": "python", "version": "*", "files": [{"content": "", "encoding": "hex"}]},
            "files must include at least one utf8 encoded file",
        ),
        (
            {
                "language": "python",
                "version": "*",
                "files": [{"content": ""}],
                "run_timeout": 99999,
            },
            "run_timeout cannot exceed the configured limit of 3000",
        ),
        (
            {"language": "python", "version": "*", "files": [{"content": ""}], "run_cpu_time": "1"},
            "If specified, run_cpu_time must be a number",
        ),
        (
            {
                "language": "python",
                "version": "*",
                "files": [{"content": ""}],
                "compile_timeout": -1,
            },
            "compile_timeout must be non-negative",
        ),
    ],
)
def test_pistons_400_messages(http: httpx.Client, body: dict[str, Any], message: str) -> None:
    r = http.post("/api/v2/execute", json=body)
    assert r.status_code == 400
    assert r.json() == {"message": message}


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        (
            {"files": [{"name": "../../etc/x", "content": ""}]},
            "files[0].name must not contain '..'",
        ),
        (
            {"files": [{"name": "/etc/passwd", "content": ""}]},
            "files[0].name must be a relative path",
        ),
        ({"files": [{"name": "a\u0000b", "content": ""}]}, "files[0].name must not contain a NUL"),
        ({"files": [{"name": "x" * 5000, "content": ""}]}, "files[0].name is 5000 bytes long"),
        ({"args": "1 2 3"}, "args must be an array of strings"),
        ({"args": [None]}, "args[0] must be a string"),
        ({"stdin": {"a": 1}}, "stdin must be a string"),
    ],
)
def test_where_piston_gives_500_empty_we_give_400_message(
    http: httpx.Client, fields: dict[str, Any], fragment: str
) -> None:
    body = {"language": "python", "version": "*", "files": [{"content": "print(1)"}], **fields}
    r = http.post("/api/v2/execute", json=body)
    assert r.status_code == 400
    assert fragment in r.json()["message"]


def test_bodies_any_content_type_forms_malformed_and_too_big(http: httpx.Client) -> None:
    payload = json.dumps({"language": "python", "version": "*", "files": [{"content": "print(7)"}]})
    for ctype in ("text/plain;charset=UTF-8", "application/octet-stream", None):
        headers = {"content-type": ctype} if ctype else {}
        r = http.post("/api/v2/execute", content=payload, headers=headers)
        assert r.status_code == 200, (ctype, r.text)
        assert r.json()["run"]["stdout"] == "7\n"
    r = http.post(
        "/api/v2/execute",
        data={"language": "python", "version": "*", "files": "print(8)", "stdin": ""},
    )
    assert r.status_code == 200, r.text
    assert r.json()["run"]["output"] == "8\n"
    r = http.post(
        "/api/v2/execute", content=b'{"language": ', headers={"content-type": "application/json"}
    )
    assert r.status_code == 400
    assert r.json()["stack"].startswith("SyntaxError")
    assert "not valid JSON" in r.json()["message"]
    r = http.post("/api/v2/execute", content=b"x" * (17 * 1024 * 1024))
    assert r.status_code == 413
    assert "limit" in r.json()["message"]


def test_health_metrics_and_openapi(http: httpx.Client) -> None:
    r = http.get("/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"
    assert r.json()["runtimes"] >= 3
    execute(http, "print(1)")
    text = http.get("/metrics").text
    assert "bastion_exec_queue_depth" in text
    assert re.search(
        r'bastion_exec_stages_total\{language="python",stage="run",status="ok"\} \d', text
    )
    assert "bastion_exec_stage_duration_seconds_bucket" in text
    assert "bastion_exec_timeouts_total" in text
    doc = http.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert "/api/v2/execute" in doc["paths"]
    assert "/api/v3/sessions/{id}/execute" in doc["paths"]


def test_packages_list_uninstall_install_cycle(http: httpx.Client) -> None:
    listed = http.get("/api/v2/packages").json()
    assert all(set(p) == {"language", "language_version", "installed"} for p in listed)
    bash = [p for p in listed if p["language"] == "bash"]
    assert bash
    assert bash[0]["installed"] is True
    version = bash[0]["language_version"]

    r = http.post("/api/v2/packages", json={"language": "nosuch", "version": "*"})
    assert (r.status_code, r.json()) == (
        404,
        {"message": "Requested package nosuch-* does not exist"},
    )
    r = http.post("/api/v2/packages", json={"language": "bash", "version": "*"})
    assert (r.status_code, r.json()) == (500, {"message": "Already installed"})

    r = http.request("DELETE", "/api/v2/packages", json={"language": "bash", "version": version})
    assert (r.status_code, r.json()) == (200, {"language": "bash", "version": version})
    assert "bash" not in {rt["language"] for rt in http.get("/api/v2/runtimes").json()}
    r = http.post(
        "/api/v2/execute", json={"language": "bash", "version": "*", "files": [{"content": "echo"}]}
    )
    assert r.json() == {"message": "bash-* runtime is unknown"}
    r = http.request("DELETE", "/api/v2/piston/packages", json={"language": "bash", "version": "*"})
    assert r.status_code == 500
    assert "is not installed" in r.json()["message"]

    r = http.post("/api/v2/packages", json={"language": "bash", "version": version})
    assert (r.status_code, r.json()) == (200, {"language": "bash", "version": version})
    assert execute(http, "echo back", language="bash")["run"]["stdout"] == "back\n"


def test_health_is_503_when_the_canary_cannot_run(tmp_path: Path) -> None:
    srv = Server(tmp_path, "--cgroup-prefix", unique_prefix("health")).start()
    try:
        with httpx.Client(base_url=srv.url, timeout=60) as c:
            r = c.request("DELETE", "/api/v2/packages", json={"language": "python", "version": "*"})
            assert r.status_code == 200
            r = c.get("/health")
            assert r.status_code == 503
            assert r.json()["status"] == "unavailable"
            assert "canary runtime 'python' is not installed" in r.json()["message"]
    finally:
        srv.stop()
