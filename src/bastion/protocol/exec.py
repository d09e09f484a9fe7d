"""Exec jobs, their results, and the `Sandbox` interface every part runs code through.

This module is the seam between the parts: `bastion.sandbox` implements `Sandbox`; the exec
service (`bastion.server`) and the interpreter (`bastion.interpreter`) only ever see these types.
It is pure data and typing: no I/O, no imports of the parts.

Units follow the sandbox, not Piston: times in milliseconds, memory and sizes in bytes. The Piston
adapter converts at its edge (Piston reports memory as KiB x 1000).
"""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from typing import Literal, Protocol, TypeVar, runtime_checkable

import msgspec
import semantic_version  # type: ignore[import-untyped]

Encoding = Literal["utf8", "base64", "hex"]
StreamName = Literal["stdout", "stderr"]
StageName = Literal["compile", "run"]


class Status(enum.StrEnum):
    """Why a stage ended abnormally (Piston's codes). A clean exit has no status."""

    RUNTIME_ERROR = "RE"  # nonzero exit code
    SIGNALED = "SG"  # killed by a signal (includes the OOM killer)
    TIMEOUT = "TO"  # cpu time or wall clock limit
    STDOUT_LIMIT = "OL"  # stdout over the output cap
    STDERR_LIMIT = "EL"  # stderr over the output cap
    INTERNAL = "XX"  # the sandbox itself failed


class File(msgspec.Struct, frozen=True, kw_only=True):
    """One file of a job. `name` is relative to the work dir; the sandbox validates it."""

    name: str
    content: str
    encoding: Encoding = "utf8"


class Limits(msgspec.Struct, frozen=True, kw_only=True):
    """Per-stage limits. `None` means "the runtime's or policy's default"."""

    wall_time_ms: int | None = None
    cpu_time_ms: int | None = None
    memory_bytes: int | None = None
    max_processes: int | None = None
    max_open_files: int | None = None
    max_file_size_bytes: int | None = None
    output_max_bytes: int | None = None


class Job(msgspec.Struct, frozen=True, kw_only=True):
    """A batch job: write files, compile if the runtime compiles, run the first file."""

    language: str
    version: str = "*"  # npm-style semver range; the newest installed match wins
    files: tuple[File, ...]
    stdin: str = ""
    args: tuple[str, ...] = ()
    compile_limits: Limits = Limits()
    run_limits: Limits = Limits()
    network: bool = False  # honoured only when the operator's policy allows it


class StageResult(msgspec.Struct, frozen=True, kw_only=True):
    stdout: str
    stderr: str
    output: str  # stdout and stderr interleaved in arrival order
    code: int | None  # None when killed by a signal
    signal: str | None  # e.g. "SIGKILL"
    status: Status | None
    message: str | None
    cpu_time_ms: int
    wall_time_ms: int
    memory_bytes: int  # peak
    oom_killed: bool = False
    stdout_truncated: bool = False
    stderr_truncated: bool = False


class JobResult(msgspec.Struct, frozen=True, kw_only=True):
    language: str
    version: str
    compile: StageResult | None
    run: StageResult  # if compilation failed, this is the compile result (Piston's rule)


class Runtime(msgspec.Struct, frozen=True, kw_only=True):
    """An installed language runtime, as listed to clients."""

    language: str
    version: str
    aliases: tuple[str, ...] = ()
    runtime: str | None = None  # the providing package when it provides several languages
    compiled: bool = False


_T = TypeVar("_T")


def newest_in_range(
    candidates: Iterable[_T], version_range: str, version_of: Callable[[_T], str]
) -> _T | None:
    """Piston's version rule, the one place it lives: `version_range` is an npm semver range
    (``3.x``, ``^3.11``, ``*``), and the newest candidate inside it wins. Returns None when
    nothing matches, and when `version_range` is not a range at all (``latest``), as Piston does.
    Versions that are not strict semver (``3.11``) are coerced; unparseable ones never match."""
    try:
        spec = semantic_version.NpmSpec(version_range.strip() or "*")
    except ValueError:
        return None
    best: tuple[semantic_version.Version, _T] | None = None
    for candidate in candidates:
        try:
            version = semantic_version.Version.coerce(version_of(candidate))
        except ValueError:
            continue
        if spec.match(version) and (best is None or version > best[0]):
            best = (version, candidate)
    return None if best is None else best[1]


# Events streamed while a job runs (Piston's WebSocket protocol maps onto these one to one).


class StageStarted(msgspec.Struct, frozen=True, tag="stage"):
    stage: StageName


class Output(msgspec.Struct, frozen=True, tag="data"):
    stream: StreamName
    data: str


class StageExited(msgspec.Struct, frozen=True, tag="exit"):
    stage: StageName
    result: StageResult


JobEvent = StageStarted | Output | StageExited


@runtime_checkable
class RunningJob(Protocol):
    """A job that has started. Events end after the last stage exits."""

    def events(self) -> AsyncIterator[JobEvent]: ...

    async def write_stdin(self, data: str) -> None: ...

    async def close_stdin(self) -> None: ...

    async def signal(self, name: str) -> None:
        """Deliver a signal to every process of the job (SIGKILL/SIGTERM end the whole tree)."""
        ...

    async def wait(self) -> JobResult: ...


# Sessions: a long-lived sandbox with a persistent work dir and, where the runtime has one, a REPL.


class SessionSpec(msgspec.Struct, frozen=True, kw_only=True):
    network: bool = False
    workdir: str | None = None  # a host directory to mount read-write as the work dir
    memory_bytes: int | None = None
    max_processes: int | None = None
    idle_timeout_s: float = 600.0
    max_lifetime_s: float = 3600.0


class RichOutput(msgspec.Struct, frozen=True, kw_only=True):
    """A non-text result of a cell: an image, HTML, a file the code asked to display."""

    mime: str
    data: bytes
    name: str | None = None


class CellResult(msgspec.Struct, frozen=True, kw_only=True):
    stage: StageResult
    outputs: tuple[RichOutput, ...] = ()


@runtime_checkable
class SandboxSession(Protocol):
    @property
    def id(self) -> str: ...

    async def execute(
        self,
        language: str,
        code: str,
        *,
        limits: Limits = ...,
        on_output: OutputCallback | None = None,
    ) -> CellResult:
        """Run code; REPL state (variables) survives between calls for runtimes with a REPL."""
        ...

    async def interrupt(self) -> None: ...

    async def put_file(self, path: str, data: bytes) -> None: ...

    async def get_file(self, path: str) -> bytes: ...

    async def list_files(self, path: str = ".") -> Sequence[str]: ...

    async def close(self) -> None: ...


class OutputCallback(Protocol):
    def __call__(self, stream: StreamName, data: str, /) -> object: ...


@runtime_checkable
class Sandbox(Protocol):
    """What the exec service and the interpreter run code through."""

    def runtimes(self) -> Sequence[Runtime]: ...

    async def start(self, job: Job) -> RunningJob: ...

    async def run(self, job: Job) -> JobResult: ...

    async def open_session(self, spec: SessionSpec) -> SandboxSession: ...
