"""`bastion run` / `bastion hello` argument handling (no server is started on these paths)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bastion.server.app_service import app_url
from bastion.server.cli import main
from bastion.server.options import OptionError, parse_dotted


@pytest.mark.parametrize(
    ("args", "options", "script_args"),
    [
        ([], {}, []),
        (["--server.port", "8502"], {"server.port": "8502"}, []),
        (
            ["--server.port=8502", "--theme.base", "dark"],
            {"server.port": "8502", "theme.base": "dark"},
            [],
        ),
        (
            ["--server.headless", "--server.port", "1"],
            {"server.headless": "true", "server.port": "1"},
            [],
        ),
        (["--server.port", "1", "--", "--x", "y"], {"server.port": "1"}, ["--x", "y"]),
        (["--", "a"], {}, ["a"]),
    ],
)
def test_dotted_options(args: list[str], options: dict[str, str], script_args: list[str]) -> None:
    assert parse_dotted(args) == (options, script_args)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["8502"], "after `--`"),
        (["--port", "8502"], "--section.name"),
        (["--server..port", "1"], "--section.name"),
    ],
)
def test_bad_dotted_options_say_how_to_fix(args: list[str], needle: str) -> None:
    with pytest.raises(OptionError, match=needle.replace(".", r"\.")):
        parse_dotted(args)


def test_run_rejects_an_unknown_option_naming_the_closest(tmp_path: Path) -> None:
    script = tmp_path / "app.py"
    script.write_text("import bastion as st\n")
    result = CliRunner().invoke(main, ["run", str(script), "--server.prot", "1"])
    assert result.exit_code == 2
    assert "server.port" in result.output


def test_run_rejects_a_bad_value(tmp_path: Path) -> None:
    script = tmp_path / "app.py"
    script.write_text("import bastion as st\n")
    result = CliRunner().invoke(main, ["run", str(script), "--server.port", "many"])
    assert result.exit_code == 2
    assert "port" in result.output


def test_run_needs_an_existing_python_script(tmp_path: Path) -> None:
    missing = CliRunner().invoke(main, ["run", str(tmp_path / "nope.py")])
    assert missing.exit_code == 2
    assert "no such app script" in missing.output
    text = tmp_path / "notes.txt"
    text.write_text("x")
    wrong = CliRunner().invoke(main, ["run", str(text)])
    assert wrong.exit_code == 2
    assert "not a Python file" in wrong.output


def test_a_busy_port_is_a_clear_error(tmp_path: Path) -> None:
    import socket

    script = tmp_path / "app.py"
    script.write_text("import bastion as st\n")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(main, ["run", str(script), "--server.port", str(port)])
    assert result.exit_code == 1
    assert "--server.port" in result.output


def test_app_url_shows_localhost_for_loopback() -> None:
    assert app_url("127.0.0.1", 8501) == "http://localhost:8501/"
    assert app_url("0.0.0.0", 80, "/apps/x/") == "http://0.0.0.0:80/apps/x/"
    assert app_url("::1", 1) == "http://localhost:1/"
    assert app_url("fe80::1", 1) == "http://[fe80::1]:1/"
