"""`bastion chat`: the approval prompt, magic commands, Ctrl-C, errors (fake LLM over HTTP)."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

from click.testing import CliRunner, Result
from fake_openai import FakeOpenAI, Reply, ToolCall
from scripted_sandbox import ScriptedSandbox

from bastion.server.cli import main


def chat(llm: FakeOpenAI, sandbox: ScriptedSandbox, lines: list[str], *args: str) -> Result:
    return CliRunner().invoke(
        main,
        ["chat", "--model", "fake", "--base-url", llm.base_url, *args],
        input="\n".join(lines) + "\n",
        obj={"sandbox": sandbox},
    )


def test_run_shows_the_code_first_then_its_output(llm: FakeOpenAI) -> None:
    llm.script(
        Reply(tool_calls=[ToolCall.execute("python", "print('hi')")]), Reply.text("**Done**")
    )
    sandbox = ScriptedSandbox()
    result = chat(llm, sandbox, ["say hi", "r"])
    assert result.exit_code == 0, result.output
    assert sandbox.executed == [("python", "print('hi')")]
    out = result.output
    assert out.index("print('hi')") < out.index("Run it?") < out.index("ran python")
    assert "Done" in out
    assert "**Done**" not in out


def test_skip_runs_nothing(llm: FakeOpenAI) -> None:
    llm.script(Reply(tool_calls=[ToolCall.execute("shell", "rm -rf ~")]))
    sandbox = ScriptedSandbox()
    result = chat(llm, sandbox, ["clean up", "s"])
    assert result.exit_code == 0, result.output
    assert sandbox.executed == []
    assert "chose not to run" in result.output


def test_edit_runs_the_edited_code(llm: FakeOpenAI) -> None:
    llm.script(Reply(tool_calls=[ToolCall.execute("shell", "rm -rf data")]), Reply.text("ok"))
    sandbox = ScriptedSandbox()
    result = chat(llm, sandbox, ["tidy", "e", "ls data", "."])
    assert result.exit_code == 0, result.output
    assert sandbox.executed == [("shell", "ls data")]


def test_always_asks_once_per_session(llm: FakeOpenAI) -> None:
    llm.script(
        Reply(tool_calls=[ToolCall.execute("python", "1")]),
        Reply(tool_calls=[ToolCall.execute("python", "2")]),
        Reply.text("ok"),
    )
    sandbox = ScriptedSandbox()
    result = chat(llm, sandbox, ["go", "a"])
    assert result.exit_code == 0, result.output
    assert result.output.count("Run it?") == 1
    assert [code for _, code in sandbox.executed] == ["1", "2"]


def test_end_of_input_at_the_approval_prompt_skips(llm: FakeOpenAI) -> None:
    llm.script(Reply(tool_calls=[ToolCall.execute("python", "1")]))
    sandbox = ScriptedSandbox()
    result = chat(llm, sandbox, ["go"])
    assert result.exit_code == 0, result.output
    assert sandbox.executed == []


def test_auto_run_flag_runs_without_asking(llm: FakeOpenAI) -> None:
    llm.script(Reply(tool_calls=[ToolCall.execute("python", "1")]), Reply.text("ok"))
    sandbox = ScriptedSandbox()
    result = chat(llm, sandbox, ["go"], "-y")
    assert "Run it?" not in result.output
    assert sandbox.executed == [("python", "1")]


def test_program_output_cannot_drive_the_terminal(llm: FakeOpenAI) -> None:
    evil = "\x1b]0;pwned-title\x07\x1b[2J\x1b]8;;http://evil.example\x07click\x1b]8;;\x07 done"

    def script(language: str, code: str) -> object:
        from scripted_sandbox import CellResult, stage

        return CellResult(stage=stage(evil))

    llm.script(Reply(tool_calls=[ToolCall.execute("python", "x")]), Reply.text("ok"))
    result = chat(llm, ScriptedSandbox(script), ["go", "r"])  # type: ignore[arg-type]
    assert "\x1b]" not in result.output
    assert "\x1b[2J" not in result.output
    assert "click done" in result.output


def test_magic_commands(llm: FakeOpenAI, tmp_path: Path) -> None:
    llm.script(Reply.text("one", usage=(123, 4)), Reply.text("two"), Reply.text("three"))
    saved = tmp_path / "c.json"
    result = chat(
        llm,
        ScriptedSandbox(),
        [
            "%help",
            "first",
            "%tokens",
            f"%save {saved}",
            "second",
            "%undo",
            "%reset",
            f"%load {saved}",
            "third",
            "%bogus",
            "%exit",
            "never sent",
        ],
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "%reset" in out
    assert "%tokens" in out
    assert '"last_prompt_tokens": 123' in out
    assert json.loads(saved.read_text())["messages"][0]["content"] == "first"
    assert "Removed 2 messages." in out
    assert "Conversation reset" in out
    assert "Loaded 2 messages" in out
    assert "Unknown command '%bogus'" in out
    assert [m["content"] for m in llm.requests[2]["messages"][1:]] == ["first", "one", "third"]
    assert len(llm.requests) == 3


def test_conversations_are_saved_and_resumable(llm: FakeOpenAI, tmp_path: Path) -> None:
    llm.script(Reply.text("remembered"))
    assert chat(llm, ScriptedSandbox(), ["note this"]).exit_code == 0
    files = list((tmp_path / "data" / "bastion" / "conversations").glob("*.json"))
    assert len(files) == 1
    llm.script(Reply.text("yes"))
    result = chat(llm, ScriptedSandbox(), ["again"], "--resume", str(files[0]))
    assert result.exit_code == 0, result.output
    assert [m["content"] for m in llm.requests[-1]["messages"][1:]] == [
        "note this",
        "remembered",
        "again",
    ]


def test_without_a_model_it_says_how_to_configure_one() -> None:
    result = CliRunner().invoke(main, ["chat"], input="hi\n", obj={"sandbox": ScriptedSandbox()})
    assert result.exit_code == 2
    assert "No model is configured" in result.output
    assert "http://localhost:11434/v1" in result.output


def test_profiles_are_local_data_and_urls_are_refused(llm: FakeOpenAI, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["chat", "--profile", "https://example.com/p.toml"],
        obj={"sandbox": ScriptedSandbox()},
    )
    assert result.exit_code == 2
    assert "URL" in result.output
    profile = tmp_path / "p.toml"
    profile.write_text(f'model = "fake"\nbase_url = "{llm.base_url}"\n[limits]\nmax_steps = 1\n')
    llm.script(
        Reply(tool_calls=[ToolCall.execute("python", "1"), ToolCall.execute("python", "2")]),
    )
    sandbox = ScriptedSandbox()
    result = CliRunner().invoke(
        main, ["chat", "--profile", str(profile), "-y"], input="go\n", obj={"sandbox": sandbox}
    )
    assert result.exit_code == 0, result.output
    assert sandbox.executed == [("python", "1")]
    assert "step limit" in result.output


def test_server_options_need_web_and_bad_ones_are_named() -> None:
    obj = {"sandbox": ScriptedSandbox()}
    result = CliRunner().invoke(main, ["chat", "--server.port", "0"], obj=obj)
    assert result.exit_code == 2
    assert "need --web" in result.output
    result = CliRunner().invoke(main, ["chat", "--web", "--server.nosuch", "1"], obj=obj)
    assert result.exit_code == 2
    assert "nosuch" in result.output


def test_ctrl_c_stops_the_block_not_the_program(llm: FakeOpenAI) -> None:
    llm.script(Reply(tool_calls=[ToolCall.execute("python", "SLEEP")]), Reply.text("still here"))
    sandbox = ScriptedSandbox()

    def press_ctrl_c() -> None:
        deadline = time.monotonic() + 20
        while not sandbox.executed:  # the block itself, not the kernel warm-up
            if time.monotonic() > deadline:
                return
            time.sleep(0.01)
        os.kill(os.getpid(), signal.SIGINT)

    presser = threading.Thread(target=press_ctrl_c)
    presser.start()
    result = chat(llm, sandbox, ["long job", "next question"], "-y")
    presser.join()
    assert result.exit_code == 0, result.output
    assert "Stopped by the user" in result.output
    assert "still here" in result.output


def test_a_work_dir_the_sandbox_cannot_write_is_reported(llm: FakeOpenAI, tmp_path: Path) -> None:
    from bastion.sandbox.policy import Policy

    sandbox = ScriptedSandbox()
    sandbox.policy = Policy()  # type: ignore[attr-defined]
    tmp_path.chmod(0o755)
    result = chat(llm, sandbox, [], "-w", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "cannot write to" in result.output
    assert "setfacl -m u:61000" in result.output
    os.chown(tmp_path, 61000, 61000)
    result = chat(llm, sandbox, [], "-w", str(tmp_path))
    assert "cannot write to" not in result.output
