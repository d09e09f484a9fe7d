"""Piston's request rules and result shapes, as pure functions (no sandbox involved)."""

from __future__ import annotations

from typing import Any

import pytest

from bastion.protocol.exec import JobResult, Runtime, StageResult, Status
from bastion.sandbox.service.body import MalformedJSON, parse_body
from bastion.sandbox.service.piston import (
    ConfiguredLimits,
    RequestError,
    parse_job,
    piston_memory,
    resolve_runtime,
    result_json,
    runtimes_json,
    stage_json,
)

RUNTIMES = [
    Runtime(language="python", version="3.11.2", aliases=("py", "py3", "python3")),
    Runtime(language="python", version="3.9.4", aliases=("py",)),
    Runtime(language="c", version="12.2.0", aliases=("gcc",), runtime="gcc", compiled=True),
    Runtime(language="javascript", version="18.19.0", aliases=("js", "node"), runtime="node"),
    Runtime(language="javascript", version="1.32.3", aliases=("deno-js",), runtime="deno"),
]
LIMITS = ConfiguredLimits()


def job(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"language": "python", "version": "3.x", "files": [{"content": "x"}]}
    body.update(fields)
    return body


def error_of(body: object) -> str:
    with pytest.raises(RequestError) as info:
        parse_job(body, RUNTIMES, LIMITS)
    assert info.value.status == 400
    return info.value.message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "language is required as a string"),
        ({"language": ""}, "language is required as a string"),
        ({"language": 3}, "language is required as a string"),
        ({"language": "python"}, "version is required as a string"),
        ({"language": "python", "version": 3}, "version is required as a string"),
        ({"language": "python", "version": "*"}, "files is required as an array"),
        ({"language": "python", "version": "*", "files": "x"}, "files is required as an array"),
        (job(files=[{"content": "x"}, {"name": "a"}]), "files[1].content is required as a string"),
        (job(files=[{"content": 1}]), "files[0].content is required as a string"),
        (job(language="html", version="5.0.0"), "html-5.0.0 runtime is unknown"),
        (job(version="9"), "python-9 runtime is unknown"),
        (job(version="latest"), "python-latest runtime is unknown"),
        (job(language="Python"), "Python-3.x runtime is unknown"),
        (
            job(files=[{"content": "eA==", "encoding": "base64"}]),
            "files must include at least one utf8 encoded file",
        ),
        (job(run_timeout="100"), "If specified, run_timeout must be a number"),
        (job(compile_cpu_time=True), "If specified, compile_cpu_time must be a number"),
        (job(run_timeout=3001), "run_timeout cannot exceed the configured limit of 3000"),
        (job(run_timeout=-5), "run_timeout must be non-negative"),
        (job(run_cpu_time=-1), "run_cpu_time must be non-negative"),
        (
            job(run_memory_limit=1 << 40),
            f"run_memory_limit cannot exceed the configured limit of {512 * 1024 * 1024}",
        ),
    ],
)
def test_piston_messages_in_piston_order(body: object, message: str) -> None:
    assert error_of(body) == message


def test_limit_loop_order_is_memory_then_timeout_then_cpu_compile_before_run() -> None:
    body = job(run_timeout="x", compile_memory_limit="y", run_cpu_time="z")
    assert error_of(body) == "If specified, compile_memory_limit must be a number"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"files": [{"name": "../x", "content": ""}]}, "files[0].name must not contain '..'"),
        ({"files": [{"name": "a/../../x", "content": ""}]}, "files[0].name must not contain '..'"),
        ({"files": [{"name": "/etc/passwd", "content": ""}]}, "files[0].name must be a relative"),
        ({"files": [{"name": "a\x00b", "content": ""}]}, "files[0].name must not contain a NUL"),
        ({"files": [{"name": "a" * 4096, "content": ""}]}, "files[0].name is 4096 bytes long"),
        ({"files": [{"name": "d/" + "a" * 300, "content": ""}]}, "path component over 255"),
        ({"files": [{"name": 5, "content": ""}]}, "files[0].name must be a string"),
        ({"files": [{"name": "a/", "content": ""}]}, "files[0].name must name a file"),
        ({"files": [{"name": "x", "content": ""}, {"name": "./x", "content": ""}]}, "earlier"),
        ({"args": "1 2"}, "args must be an array of strings"),
        ({"args": [{"a": 1}]}, "args[0] must be a string, got dict"),
        ({"args": ["a\x00"]}, "args[0] must not contain a NUL"),
        ({"stdin": 5}, "stdin must be a string"),
        ({"stdin": ["a"]}, "stdin must be a string"),
        (
            {"files": [{"content": "x"}, {"content": "%%", "encoding": "base64"}]},
            "files[1].content is not valid base64",
        ),
    ],
)
def test_where_piston_answers_500_we_answer_400_naming_the_field(
    fields: dict[str, Any], message: str
) -> None:
    assert message in error_of(job(**fields))


def test_defaults_stdin_newline_and_file_names() -> None:
    parsed = parse_job(
        job(files=[{"content": "a"}, {"content": "b", "name": "lib/b.py"}]), RUNTIMES, LIMITS
    )
    j = parsed.job
    assert [f.name for f in j.files] == ["file0.code", "lib/b.py"]
    assert j.stdin == "\n"  # Piston: empty stdin becomes "\n"
    assert j.args == ()
    # Unnamed limits are left to the runtime's defaults (the sandbox applies them).
    assert (j.run_limits.wall_time_ms, j.run_limits.cpu_time_ms) == (None, None)
    assert (j.compile_limits.wall_time_ms, j.compile_limits.memory_bytes) == (None, None)
    assert j.run_limits.output_max_bytes is None  # the sandbox's default, set to Piston's 1024
    assert parse_job(job(stdin="a"), RUNTIMES, LIMITS).job.stdin == "a\n"
    assert parse_job(job(stdin="a\n"), RUNTIMES, LIMITS).job.stdin == "a\n"
    assert parse_job(job(stdin="a\n\n"), RUNTIMES, LIMITS).job.stdin == "a\n\n"
    assert parse_job(job(stdin="x"), RUNTIMES, LIMITS, interactive=True).job.stdin == ""


def test_falsy_limits_fall_back_and_piston_client_minus_one_memory_is_the_default() -> None:
    j = parse_job(
        job(run_timeout=0, compile_timeout=None, run_memory_limit=-1, compile_memory_limit=-1),
        RUNTIMES,
        LIMITS,
    ).job
    assert j.run_limits.wall_time_ms is None
    assert j.compile_limits.wall_time_ms is None
    assert j.run_limits.memory_bytes is None
    j = parse_job(job(run_timeout=1500.2, run_memory_limit=10_000_000), RUNTIMES, LIMITS).job
    assert j.run_limits.wall_time_ms == 1501
    assert j.run_limits.memory_bytes == 10_000_000


def test_unknown_encoding_is_utf8_and_numbers_in_args_become_strings() -> None:
    files = [{"content": "x"}, {"content": "y", "encoding": "latin1"}]
    j = parse_job(job(files=files, args=[1, 2.5, "c"]), RUNTIMES, LIMITS).job
    assert j.files[1].encoding == "utf8"
    # Piston's check counts only missing or "utf8" encodings as utf8 files:
    assert "at least one utf8" in error_of(job(files=[{"content": "x", "encoding": "latin1"}]))
    assert j.args == ("1", "2.5", "c")


def test_semver_ranges_aliases_and_newest_across_runtimes() -> None:
    assert resolve_runtime(RUNTIMES, "python", "*").version == "3.11.2"  # type: ignore[union-attr]
    assert resolve_runtime(RUNTIMES, "py", "3.9.x").version == "3.9.4"  # type: ignore[union-attr]
    assert resolve_runtime(RUNTIMES, "python3", "3").version == "3.11.2"  # type: ignore[union-attr]
    assert resolve_runtime(RUNTIMES, "python", "3.11.2").version == "3.11.2"  # type: ignore[union-attr]
    assert resolve_runtime(RUNTIMES, "python", ">=3.10 <3.12").version == "3.11.2"  # type: ignore[union-attr]
    assert resolve_runtime(RUNTIMES, "gcc", "*").language == "c"  # type: ignore[union-attr]
    assert resolve_runtime(RUNTIMES, "javascript", "*").runtime == "node"  # type: ignore[union-attr]
    assert resolve_runtime(RUNTIMES, "python", "2") is None
    assert resolve_runtime(RUNTIMES, "python", "latest") is None
    parsed = parse_job(job(language="py3", version="*"), RUNTIMES, LIMITS)
    assert (parsed.job.language, parsed.job.version) == ("python", "3.11.2")


def test_runtimes_listing_has_runtime_only_for_multi_language_packages() -> None:
    listed = runtimes_json(RUNTIMES)
    assert listed[0] == {
        "language": "python",
        "version": "3.11.2",
        "aliases": ["py", "py3", "python3"],
    }
    assert listed[2] == {"language": "c", "version": "12.2.0", "aliases": ["gcc"], "runtime": "gcc"}


def stage(**fields: Any) -> StageResult:
    base: dict[str, Any] = {
        "stdout": "",
        "stderr": "",
        "output": "",
        "code": 0,
        "signal": None,
        "status": None,
        "message": None,
        "cpu_time_ms": 5,
        "wall_time_ms": 7,
        "memory_bytes": 8 * 1024 * 1024,
    }
    base.update(fields)
    return StageResult(**base)


def test_stage_has_pistons_ten_keys_in_pistons_units() -> None:
    body = stage_json(stage(stdout="hi\n", output="hi\n"))
    piston_keys = ["stdout", "stderr", "output", "code", "signal", "message", "status"]
    piston_keys += ["cpu_time", "wall_time", "memory"]
    assert list(body)[:10] == piston_keys
    assert body["memory"] == 8192 * 1000  # KiB x 1000
    assert body["memory_bytes"] == 8 * 1024 * 1024
    assert (body["cpu_time"], body["wall_time"]) == (5, 7)
    assert piston_memory(1023) == 0


@pytest.mark.parametrize(
    ("fields", "signal", "message"),
    [
        ({"status": Status.TIMEOUT, "code": None}, "SIGKILL", "Time limit exceeded"),
        ({"status": Status.STDOUT_LIMIT, "code": None}, "SIGKILL", "stdout length exceeded"),
        ({"status": Status.STDERR_LIMIT, "code": None}, "SIGKILL", "stderr length exceeded"),
        ({"status": Status.RUNTIME_ERROR, "code": 3}, None, "Exited with error status 3"),
        (
            {"status": Status.SIGNALED, "code": None, "signal": "SIGSEGV"},
            "SIGSEGV",
            "Caught fatal signal 11",
        ),
        (
            {"status": Status.TIMEOUT, "message": "Time limit exceeded (wall clock)"},
            "SIGKILL",
            "Time limit exceeded (wall clock)",
        ),
    ],
)
def test_status_signal_and_message(
    fields: dict[str, Any], signal: str | None, message: str
) -> None:
    body = stage_json(stage(**fields))
    assert (body["signal"], body["message"], body["status"]) == (
        signal,
        message,
        str(fields["status"]),
    )


def test_compile_failure_makes_run_the_compile_result() -> None:
    failed = stage(code=1, status=Status.RUNTIME_ERROR, stderr="error: x")
    ok_run = stage(stdout="should not show")
    body = result_json(JobResult(language="c", version="12.2.0", compile=failed, run=ok_run))
    assert list(body) == ["compile", "run", "language", "version"]
    assert body["run"] == body["compile"]
    body = result_json(JobResult(language="python", version="3.11.2", compile=None, run=ok_run))
    assert list(body) == ["run", "language", "version"]


def test_bodies_json_whatever_the_content_type_and_pistonapi_forms() -> None:
    assert parse_body(b'{"a": 1}', "text/plain;charset=UTF-8") == {"a": 1}
    assert parse_body(b'{"a": 1}', "") == {"a": 1}
    assert parse_body(b"", "application/json") == {}
    assert parse_body(b' {"a": 1}', "application/x-www-form-urlencoded") == {"a": 1}  # curl -d
    form = parse_body(
        b"language=python&version=%2A&files=print%281%29&stdin=&args=a&args=b&timeout=10000&run_timeout=2000",
        "application/x-www-form-urlencoded",
    )
    assert form == {
        "language": "python",
        "version": "*",
        "files": [{"content": "print(1)"}],
        "stdin": "",
        "args": ["a", "b"],
        "timeout": "10000",
        "run_timeout": 2000,
    }
    with pytest.raises(MalformedJSON) as info:
        parse_body(b'{"a": ', "application/json")
    assert info.value.stack.startswith("SyntaxError: ")
    assert "not valid JSON" in info.value.message
