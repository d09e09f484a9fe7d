"""The deployment files only use options the CLI really has, and the CLI manages keys."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from click.testing import CliRunner

from bastion.protocol.errors import SandboxUnavailable
from bastion.server.cli import main

from .live import unique_prefix

ROOT = Path(__file__).resolve().parents[2]


def test_deploy_files_use_real_serve_options() -> None:
    help_text = CliRunner().invoke(main, ["exec", "serve", "--help"]).output
    used = set()
    for path in (ROOT / "deploy" / "Dockerfile", ROOT / "deploy" / "k8s" / "exec.yaml"):
        text = path.read_text()
        for args in re.findall(r"(?:CMD|args:)\s*\[([^\]]*)\]", text):
            used |= set(re.findall(r'"(--[a-z-]+)"', args))
    assert used >= {"--host", "--port", "--keys-db"}
    missing = {flag for flag in used if flag not in help_text}
    assert not missing


def test_keys_cli_create_list_revoke(tmp_path: Path) -> None:
    runner = CliRunner()
    created = runner.invoke(
        main, ["exec", "keys", "create", "--name", "bot", "--state-dir", str(tmp_path)]
    )
    assert created.exit_code == 0, created.output
    key = created.stdout.strip().splitlines()[0]
    assert key.startswith("bst_")
    key_id = key.split("_")[1]
    listed = runner.invoke(main, ["exec", "keys", "list", "--state-dir", str(tmp_path)])
    assert key_id in listed.output
    assert "bot" in listed.output
    assert key.split("_")[2] not in listed.output
    revoked = runner.invoke(main, ["exec", "keys", "revoke", key_id, "--state-dir", str(tmp_path)])
    assert revoked.exit_code == 0
    again = runner.invoke(main, ["exec", "keys", "revoke", key_id, "--state-dir", str(tmp_path)])
    assert again.exit_code != 0
    assert "no active key" in again.output


@pytest.mark.sandbox
@pytest.mark.parametrize(
    ("host", "extra", "required"),
    [
        ("127.0.0.1", [], False),
        ("0.0.0.0", [], True),
        ("::", [], True),
        ("127.0.0.1", ["--require-keys"], True),
    ],
)
def test_serve_requires_keys_on_any_public_bind(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, host: str, extra: list[str], required: bool
) -> None:
    """What `serve` hands uvicorn: the real app, with keys on unless the bind is loopback.
    uvicorn.run is replaced so nothing listens on a public address during the test."""
    served: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.append((app, kw)))
    args = ["exec", "serve", "--host", host, "--port", "2999", "--state-dir", str(tmp_path),
            "--cgroup-prefix", unique_prefix("cli"), *extra]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    ((app, kw),) = served
    try:
        assert kw["host"] == host
        assert app.state.exec.config.require_keys is required
        if required:
            assert "no active API key" in result.output
    finally:
        app.state.exec.sandbox.pipeline.close(remove_cgroup_root=True)


def test_serve_fails_closed_with_the_fix_when_the_host_cannot_isolate(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import bastion.server.exec_wiring as wiring

    def unavailable(*args: object, **kwargs: object) -> None:
        raise SandboxUnavailable(
            ["bwrap: /usr/bin/bwrap not found (fix: apt-get install bubblewrap)"]
        )

    monkeypatch.setattr(wiring, "build_app", unavailable)
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("must not serve"))
    result = CliRunner().invoke(main, ["exec", "serve", "--state-dir", str(tmp_path)])
    assert result.exit_code != 0
    assert "apt-get install bubblewrap" in result.output
    assert "nothing will run" in result.output
