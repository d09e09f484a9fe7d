"""Piston v2 <-> `bastion.protocol.exec`: parse a request into a `Job`, render results back.

Sans-I/O: plain values in, plain values out, so every rule is unit-testable. The rules and the
exact messages follow Piston's `get_job` (see shared/notes/piston.md §1.3-1.5), in Piston's order:
language, version, files, each file's content, runtime lookup, a utf8 file, then the limits.
Where Piston answers a 500 with an empty body (bad file names, non-string args/stdin), this answers
a 400 with a message naming the field instead; shapes never change.
"""

from __future__ import annotations

import base64
import binascii
import math
import posixpath
import signal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from bastion.protocol.exec import (
    Encoding,
    File,
    Job,
    JobResult,
    Limits,
    Runtime,
    StageResult,
    Status,
    newest_in_range,
)

JSON = dict[str, Any]

MAX_NAME_BYTES: Final = 255  # one path component, as the kernel's NAME_MAX
MAX_PATH_BYTES: Final = 1024
MAX_FILES: Final = 64
MAX_ARGS: Final = 256
MAX_ARG_BYTES: Final = 64 * 1024

# Piston's signal table (globals.js), the only values a WebSocket `signal` message may carry.
SIGNALS: Final = frozenset(
    [
        "SIGABRT", "SIGALRM", "SIGBUS", "SIGCHLD", "SIGCLD", "SIGCONT", "SIGEMT", "SIGFPE",
        "SIGHUP", "SIGILL", "SIGINFO", "SIGINT", "SIGIO", "SIGIOT", "SIGKILL", "SIGLOST",
        "SIGPIPE", "SIGPOLL", "SIGPROF", "SIGPWR", "SIGQUIT", "SIGSEGV", "SIGSTKFLT", "SIGSTOP",
        "SIGTSTP", "SIGSYS", "SIGTERM", "SIGTRAP", "SIGTTIN", "SIGTTOU", "SIGUNUSED", "SIGURG",
        "SIGUSR1", "SIGUSR2", "SIGVTALRM", "SIGXCPU", "SIGXFSZ", "SIGWINCH",
    ]
)  # fmt: skip


class RequestError(Exception):
    """A request Piston would refuse: answered as `{"message": ...}` with `status`."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True, kw_only=True)
class ConfiguredLimits:
    """The most a request may ask for (Piston's names and units: ms and bytes); a limit <= 0 lets
    any value through, as in Piston. A request that names no limit gets the runtime's own default
    (Java needs more than Python), decided by the sandbox. A negative memory limit means that
    default too: piston-client always sends -1, which Piston reads as "unlimited"."""

    compile_timeout: int = 10_000
    run_timeout: int = 3_000
    compile_cpu_time: int = 10_000
    run_cpu_time: int = 3_000
    compile_memory_limit: int = 1024 * 1024 * 1024
    run_memory_limit: int = 512 * 1024 * 1024
    # Per stream, as Piston's PISTON_OUTPUT_MAX_SIZE; applied as the sandbox's default cap.
    output_max_size: int = 1024

    def get(self, name: str) -> int:
        value: int = getattr(self, name)
        return value


@dataclass(frozen=True, kw_only=True)
class ParsedJob:
    job: Job
    runtime: Runtime


# -- runtime lookup ---------------------------------------------------------------------------


def resolve_runtime(runtimes: Sequence[Runtime], language: str, version: str) -> Runtime | None:
    """Piston's rule: language or alias matches case-sensitively, `version` is an npm semver
    range, and the newest match wins across every runtime providing that name."""
    named = (rt for rt in runtimes if language == rt.language or language in rt.aliases)
    return newest_in_range(named, version, lambda rt: rt.version)


def runtimes_json(runtimes: Sequence[Runtime]) -> list[JSON]:
    out: list[JSON] = []
    for rt in runtimes:
        item: JSON = {"language": rt.language, "version": rt.version, "aliases": list(rt.aliases)}
        if rt.runtime is not None:
            item["runtime"] = rt.runtime
        out.append(item)
    return out


# -- request -> Job ---------------------------------------------------------------------------


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _falsy(value: object) -> bool:
    """JavaScript falsiness, which decides when Piston falls back to a default."""
    if value is None or value is False or value == "":
        return True
    return _is_number(value) and value == 0


def _check_name(index: int, name: str) -> str:
    field = f"files[{index}].name"
    shown = name if len(name) <= 80 else name[:77] + "..."
    if "\x00" in name:
        raise RequestError(f"{field} must not contain a NUL byte")
    if name.startswith("/"):
        raise RequestError(
            f"{field} must be a relative path inside the job directory, got {shown!r}"
        )
    encoded = name.encode("utf-8", "surrogatepass")
    if len(encoded) > MAX_PATH_BYTES:
        raise RequestError(f"{field} is {len(encoded)} bytes long; the limit is {MAX_PATH_BYTES}")
    parts = name.split("/")
    if any(p == ".." for p in parts):
        raise RequestError(f"{field} must not contain '..' components, got {shown!r}")
    if any(len(p.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES for p in parts):
        raise RequestError(f"{field} has a path component over {MAX_NAME_BYTES} bytes")
    normal = posixpath.normpath(name)
    if normal in (".", "") or name.endswith("/"):
        raise RequestError(f"{field} must name a file, got {shown!r}")
    return normal


def _check_content(index: int, content: str, encoding: Encoding) -> None:
    try:
        if encoding == "base64":
            base64.b64decode(content, validate=True)
        elif encoding == "hex":
            bytes.fromhex(content)
    except (binascii.Error, ValueError):
        raise RequestError(
            f"files[{index}].content is not valid {encoding}; send the bytes {encoding}-encoded "
            "or set encoding to utf8"
        ) from None


def _files(raw: list[Any]) -> tuple[File, ...]:
    if len(raw) > MAX_FILES:
        raise RequestError(f"files has {len(raw)} entries; the limit is {MAX_FILES}")
    files: list[File] = []
    seen: set[str] = set()
    for i, f in enumerate(raw):
        name = f.get("name") if isinstance(f, dict) else None
        if _falsy(name):
            name = f"file{i}.code"
        elif not isinstance(name, str):
            raise RequestError(f"files[{i}].name must be a string")
        name = _check_name(i, name)
        if name in seen:
            raise RequestError(f"files[{i}].name {name!r} is used by an earlier file")
        seen.add(name)
        enc = f.get("encoding")
        encoding: Encoding = enc if enc in ("base64", "hex") else "utf8"
        _check_content(i, f["content"], encoding)
        files.append(File(name=name, content=f["content"], encoding=encoding))
    return tuple(files)


def _args(raw: object) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise RequestError('args must be an array of strings, e.g. ["1", "2"]')
    if len(raw) > MAX_ARGS:
        raise RequestError(f"args has {len(raw)} entries; the limit is {MAX_ARGS}")
    out: list[str] = []
    for i, a in enumerate(raw):
        if _is_number(a):
            a = str(int(a)) if float(a).is_integer() else repr(float(a))
        if not isinstance(a, str):
            raise RequestError(f"args[{i}] must be a string, got {type(a).__name__}")
        if "\x00" in a:
            raise RequestError(f"args[{i}] must not contain a NUL byte")
        if len(a.encode()) > MAX_ARG_BYTES:
            raise RequestError(f"args[{i}] is over {MAX_ARG_BYTES} bytes")
        out.append(a)
    return tuple(out)


def _stdin(raw: object) -> str:
    if _falsy(raw):
        raw = ""
    if not isinstance(raw, str):
        raise RequestError("stdin must be a string")
    # Piston's rule: a newline is appended when the input does not end with one (so "" -> "\n").
    return raw if raw.endswith("\n") else raw + "\n"


def _limits(body: Mapping[str, Any], configured: ConfiguredLimits) -> tuple[Limits, Limits]:
    chosen: dict[str, int | None] = {}
    for constraint in ("memory_limit", "timeout", "cpu_time"):
        for stage_name in ("compile", "run"):
            name = f"{stage_name}_{constraint}"
            limit = configured.get(name)
            raw = body.get(name)
            if _falsy(raw):
                chosen[name] = None
                continue
            if not _is_number(raw):
                raise RequestError(f"If specified, {name} must be a number")
            value = float(raw)  # type: ignore[arg-type]  # checked by _is_number
            if constraint == "memory_limit" and value < 0:
                chosen[name] = None
                continue
            if limit <= 0:
                chosen[name] = math.ceil(value) if value > 0 else None
                continue
            if value > limit:
                raise RequestError(f"{name} cannot exceed the configured limit of {limit}")
            if value < 0:
                raise RequestError(f"{name} must be non-negative")
            chosen[name] = math.ceil(value)

    def for_stage(prefix: str) -> Limits:
        # The output cap is the sandbox's default, which the composition root sets from
        # `output_max_size`: a job asking only for defaults can take a pre-started (warm) box.
        return Limits(
            wall_time_ms=chosen[f"{prefix}_timeout"],
            cpu_time_ms=chosen[f"{prefix}_cpu_time"],
            memory_bytes=chosen[f"{prefix}_memory_limit"],
        )

    return for_stage("compile"), for_stage("run")


def parse_job(
    body: object,
    runtimes: Sequence[Runtime],
    configured: ConfiguredLimits,
    *,
    interactive: bool = False,
) -> ParsedJob:
    """Validate a Piston `/execute` body (or WebSocket `init`) and build the job to run."""
    if not isinstance(body, dict):
        raise RequestError('the request body must be a JSON object, e.g. {"language": ...}')
    language = body.get("language")
    if _falsy(language) or not isinstance(language, str):
        raise RequestError("language is required as a string")
    version = body.get("version")
    if _falsy(version) or not isinstance(version, str):
        raise RequestError("version is required as a string")
    files = body.get("files")
    if not isinstance(files, list):
        raise RequestError("files is required as an array")
    for i, f in enumerate(files):
        if not isinstance(f, dict) or not isinstance(f.get("content"), str):
            raise RequestError(f"files[{i}].content is required as a string")
    runtime = resolve_runtime(runtimes, language, version)
    if runtime is None:
        raise RequestError(f"{language}-{version} runtime is unknown")
    if runtime.language != "file" and not any(
        _falsy(f.get("encoding")) or f.get("encoding") == "utf8" for f in files
    ):
        raise RequestError("files must include at least one utf8 encoded file")
    compile_limits, run_limits = _limits(body, configured)
    job = Job(
        language=runtime.language,
        version=runtime.version,
        files=_files(files),
        stdin="" if interactive else _stdin(body.get("stdin")),
        args=_args(body.get("args")),
        compile_limits=compile_limits,
        run_limits=run_limits,
    )
    return ParsedJob(job=job, runtime=runtime)


# -- results -> Piston JSON -------------------------------------------------------------------


_DEFAULT_MESSAGES: Final = {
    Status.TIMEOUT: "Time limit exceeded",
    Status.STDOUT_LIMIT: "stdout length exceeded",
    Status.STDERR_LIMIT: "stderr length exceeded",
    Status.INTERNAL: "Internal error",
}


def piston_memory(memory_bytes: int) -> int:
    """Piston reports isolate's `cg-mem` (KiB) multiplied by 1000: neither bytes nor KiB."""
    return (max(0, memory_bytes) // 1024) * 1000


def _message(stage: StageResult) -> str | None:
    """Piston's (isolate's) wording for each status, whatever words the sandbox chose, so
    clients that match on messages keep working; internal errors keep the sandbox's text."""
    status = stage.status
    if status is None:
        return stage.message
    if status == Status.RUNTIME_ERROR:
        return f"Exited with error status {stage.code}"
    if status == Status.SIGNALED:
        return f"Caught fatal signal {_signal_number(stage.signal)}"
    if status == Status.TIMEOUT:
        given = stage.message or ""
        return given if given.startswith("Time limit exceeded") else "Time limit exceeded"
    if status == Status.INTERNAL:
        return stage.message or _DEFAULT_MESSAGES[status]
    return _DEFAULT_MESSAGES[status]


def _signal_number(name: str | None) -> int | str | None:
    try:
        return signal.Signals[name].value if name else None
    except KeyError:
        return name


def stage_json(stage: StageResult) -> JSON:
    """Piston's ten stage keys in Piston's units, then Bastion's extras (ignored by clients)."""
    signal = stage.signal
    if stage.status in (Status.TIMEOUT, Status.STDOUT_LIMIT, Status.STDERR_LIMIT):
        signal = "SIGKILL"  # Piston reports every limit kill as SIGKILL
    return {
        "stdout": stage.stdout,
        "stderr": stage.stderr,
        "output": stage.output,
        "code": stage.code,
        "signal": signal,
        "message": _message(stage),
        "status": None if stage.status is None else str(stage.status),
        "cpu_time": stage.cpu_time_ms,
        "wall_time": stage.wall_time_ms,
        "memory": piston_memory(stage.memory_bytes),
        "memory_bytes": stage.memory_bytes,
        "oom_killed": stage.oom_killed,
        "stdout_truncated": stage.stdout_truncated,
        "stderr_truncated": stage.stderr_truncated,
    }


def compile_failed(stage: StageResult | None) -> bool:
    return stage is not None and (stage.code != 0 or stage.status is not None)


def result_json(result: JobResult) -> JSON:
    """`{compile?, run, language, version}`; a failed compile is also the run (Piston's rule)."""
    out: JSON = {}
    run = result.run
    if result.compile is not None:
        out["compile"] = stage_json(result.compile)
        if compile_failed(result.compile):
            run = result.compile
    out["run"] = stage_json(run)
    out["language"] = result.language
    out["version"] = result.version
    return out


def exit_json(stage_name: str, stage: StageResult) -> JSON:
    """The WebSocket `exit` message: Piston's `{type, stage, code, signal}` plus extras."""
    body = stage_json(stage)
    return {
        "type": "exit",
        "stage": stage_name,
        "code": body["code"],
        "signal": body["signal"],
        "status": body["status"],
        "message": body["message"],
    }
