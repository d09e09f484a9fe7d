"""The sandbox's pure parts: fail-closed policy, file names, limits, results, signals."""

from __future__ import annotations

import signal

import pytest

import bastion.sandbox
from bastion.protocol.errors import InvalidJob, SandboxUnavailable
from bastion.protocol.exec import File, Job, Limits, Status
from bastion.sandbox import BoxResult, KillReason, Missing, Policy
from bastion.sandbox.files import check_name, prepare
from bastion.sandbox.jobs import signal_number, stage_limits, stage_result
from bastion.sandbox.runtimes import RuntimeDef, coerce_version


def test_public_api_is_complete_and_sorted() -> None:
    exported = {n for n in vars(bastion.sandbox) if n[0].isupper()}
    assert set(bastion.sandbox.__all__) == exported
    assert bastion.sandbox.__all__ == sorted(bastion.sandbox.__all__)


CGROUPS = Missing("cgroups", "no cgroup2 mount", "mount cgroup2")
SECCOMP = Missing("seccomp", "no libseccomp", "apt-get install libseccomp2")
BWRAP = Missing("bwrap", "/usr/bin/bwrap not found", "apt-get install bubblewrap")


def test_default_policy_refuses_any_missing_mechanism_naming_it_and_the_fix() -> None:
    with pytest.raises(SandboxUnavailable) as err:
        Policy().enforce([CGROUPS, SECCOMP])
    assert err.value.missing == [
        "cgroups: no cgroup2 mount (fix: mount cgroup2)",
        "seccomp: no libseccomp (fix: apt-get install libseccomp2)",
    ]


def test_weaker_isolation_is_an_explicit_per_mechanism_opt_out() -> None:
    Policy(require_cgroups=False, require_seccomp=False).enforce([CGROUPS, SECCOMP])
    with pytest.raises(SandboxUnavailable):
        Policy(require_cgroups=False).enforce([CGROUPS, SECCOMP])


def test_bwrap_can_never_be_opted_out_of() -> None:
    weakest = Policy(require_cgroups=False, require_seccomp=False, require_unprivileged=False)
    with pytest.raises(SandboxUnavailable, match="bubblewrap"):
        weakest.enforce([BWRAP])


def test_defaults_are_safe() -> None:
    p = Policy()
    assert not p.allow_network
    assert p.box_uid != 0
    assert p.run_defaults.memory_bytes <= p.maxima.memory_bytes
    assert p.run_defaults.max_processes <= 64


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("../x", "'..'"),
        ("a/../../x", "'..'"),
        ("/abs", "absolute"),
        ("a\x00b", "NUL"),
        ("a\nb", "control"),
        ("a" * 256, "component"),
        ("d/" * 2100, "4096-byte"),
        ("a//b", "empty"),
        ("./a", "'.'"),
    ],
)
def test_bad_file_names_are_refused(name: str, fragment: str) -> None:
    with pytest.raises(InvalidJob, match=fragment) as err:
        check_name(name, "files[0].name")
    assert err.value.field == "files[0].name"


def test_files_are_decoded_defaulted_and_checked_together() -> None:
    files = (
        File(name="", content="print(1)"),
        File(name="b.bin", content="aGk=", encoding="base64"),
        File(name="c/d.txt", content="6869", encoding="hex"),
    )
    assert prepare(files, max_total_bytes=100) == [
        ("file0.code", b"print(1)"),
        ("b.bin", b"hi"),
        ("c/d.txt", b"hi"),
    ]
    with pytest.raises(InvalidJob) as err:
        prepare((File(name="a", content="!!", encoding="base64"),), max_total_bytes=100)
    assert err.value.field == "files[0].content"
    with pytest.raises(InvalidJob, match="twice"):
        prepare((File(name="a", content=""), File(name="a", content="")), max_total_bytes=9)
    with pytest.raises(InvalidJob, match="directory"):
        prepare((File(name="a", content=""), File(name="a/b", content="")), max_total_bytes=9)
    with pytest.raises(InvalidJob, match="work dir size"):
        prepare((File(name="a", content="x" * 10),), max_total_bytes=9)
    with pytest.raises(InvalidJob, match="at least one"):
        prepare((), max_total_bytes=9)


def python_runtime() -> RuntimeDef:
    return RuntimeDef(
        name="python",
        language="python",
        version=coerce_version("3.11.2"),
        run_template=("/usr/bin/python3", "{main}", "{args}"),
        run_limits=Limits(memory_bytes=10**12, wall_time_ms=5000),
        test=File(name="t.py", content="print('OK')"),
    )


def test_stage_limits_layer_policy_runtime_and_job() -> None:
    policy = Policy()
    rt = python_runtime()
    limits = stage_limits(policy, rt, Job(language="python", files=()), "run")
    assert limits.wall_time_ms == 5000  # the runtime's override
    assert limits.memory_bytes == policy.maxima.memory_bytes  # clamped to the maximum
    job = Job(language="python", files=(), run_limits=Limits(cpu_time_ms=100))
    assert stage_limits(policy, rt, job, "run").cpu_time_ms == 100
    too_much = Job(language="python", files=(), run_limits=Limits(cpu_time_ms=10**9))
    with pytest.raises(InvalidJob, match="cannot exceed the configured limit") as err:
        stage_limits(policy, rt, too_much, "run")
    assert err.value.field == "run_limits.cpu_time_ms"
    with pytest.raises(InvalidJob, match="positive"):
        stage_limits(
            policy, rt, Job(language="python", files=(), run_limits=Limits(cpu_time_ms=0)), "run"
        )


def box(**kw: object) -> BoxResult:
    base: dict[str, object] = {
        "exit_code": 0, "signal": None, "killed": None, "oom_killed": False,
        "stdout": b"", "stderr": b"", "output": "", "stdout_truncated": False,
        "stderr_truncated": False, "cpu_time_ms": 1, "wall_time_ms": 2, "memory_bytes": 3,
    }  # fmt: skip
    return BoxResult(**{**base, **kw})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "status", "sig"),
    [
        (box(), None, None),
        (box(exit_code=2), Status.RUNTIME_ERROR, None),
        (box(exit_code=None, signal=11), Status.SIGNALED, "SIGSEGV"),
        (box(exit_code=None, signal=9, oom_killed=True), Status.SIGNALED, "SIGKILL"),
        (box(exit_code=None, signal=9, killed=KillReason.WALL_TIME), Status.TIMEOUT, "SIGKILL"),
        (box(exit_code=None, signal=9, killed=KillReason.CPU_TIME), Status.TIMEOUT, "SIGKILL"),
        (box(exit_code=None, signal=9, killed=KillReason.STDOUT), Status.STDOUT_LIMIT, "SIGKILL"),
        (box(exit_code=None, signal=9, killed=KillReason.STDERR), Status.STDERR_LIMIT, "SIGKILL"),
        (box(error="boom"), Status.INTERNAL, None),
    ],
)
def test_stage_result_status(raw: BoxResult, status: Status | None, sig: str | None) -> None:
    r = stage_result(raw)
    assert (r.status, r.signal) == (status, sig)
    assert (r.message is None) == (status is None)


def test_signal_names() -> None:
    assert signal_number("SIGINT") == signal.SIGINT
    assert signal_number("term") == signal.SIGTERM
    assert signal_number("9") == signal.SIGKILL
    with pytest.raises(InvalidJob) as err:
        signal_number("SIGNOPE")
    assert err.value.field == "signal"
