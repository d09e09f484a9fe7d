"""The Python API against a fake OpenAI-compatible server over real HTTP (streamed SSE)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, Reply, ToolCall
from scripted_sandbox import ScriptedSandbox

from bastion.interpreter import (
    Approval,
    CodeRequest,
    ConversationError,
    Interpreter,
    NoModelConfigured,
)

RUN = Approval(action="run")


def interp(llm: FakeOpenAI, sandbox: ScriptedSandbox, **kw: object) -> Interpreter:
    kw.setdefault("approve", lambda r: RUN)
    return Interpreter(sandbox=sandbox, model="fake", base_url=llm.base_url, **kw)  # type: ignore[arg-type]


def test_tool_path_streams_runs_and_returns_the_new_messages(llm: FakeOpenAI) -> None:
    llm.script(
        Reply(
            chunks=["Computing."], tool_calls=[ToolCall.execute("python", "x = 6 * 7", pieces=5)]
        ),
        Reply.text("x is 42."),
    )
    sandbox = ScriptedSandbox()
    with interp(llm, sandbox) as it:
        new = it.chat("what is 6*7?")
    assert sandbox.executed == [("python", "x = 6 * 7")]
    assert [(m.role, m.type) for m in new] == [
        ("user", "message"),
        ("assistant", "message"),
        ("assistant", "code"),
        ("computer", "console"),
        ("assistant", "message"),
    ]
    body = llm.requests[1]
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert body["tools"][0]["function"]["name"] == "execute"
    assert body["messages"][-1]["role"] == "tool"


def test_markdown_path_with_chunks_split_inside_fences_and_tags(llm: FakeOpenAI) -> None:
    reply = "Two steps.\n```py\nlang = 'python'\n```\nthen\n```bash\necho python\n```\nok"
    pieces = [
        "Two steps.\n`",
        "``p",
        "y\nlang = 'pyt",
        "hon'\n``",
        "`\nthen\n```ba",
        "sh\necho ",
        "python\n`",
        "``\nok",
    ]
    assert "".join(pieces) == reply
    llm.script(Reply(chunks=pieces), Reply.text("Both ran."))
    sandbox = ScriptedSandbox()
    with interp(llm, sandbox, tools="off") as it:
        it.chat("go")
    assert sandbox.executed == [("python", "lang = 'python'"), ("shell", "echo python")]
    assert "tools" not in llm.requests[0]
    assert "fenced markdown code block" in llm.requests[0]["messages"][0]["content"]
    roles = [m["role"] for m in llm.requests[1]["messages"]]
    assert roles == ["system", "user", "assistant"]


def test_endpoint_refusing_tools_falls_back_to_code_blocks(llm: FakeOpenAI) -> None:
    llm.script(
        Reply(status=400, error="this model does not support tools"),
        Reply.text("```python\nprint(1)\n```\n"),
        Reply.text("done"),
    )
    sandbox = ScriptedSandbox()
    with interp(llm, sandbox) as it:
        it.chat("go")
    assert sandbox.executed == [("python", "print(1)")]
    assert "tools" in llm.requests[0]
    assert "tools" not in llm.requests[1]


def test_retries_before_the_first_token_never_duplicate_output(llm: FakeOpenAI) -> None:
    llm.script(Reply(status=503), Reply(status=500), Reply.text("hello once"))
    with interp(llm, ScriptedSandbox(), retries=2) as it:
        chunks = list(it.chat("hi", stream=True))
    text = "".join(c.content for c in chunks if c.role == "assistant")
    assert text == "hello once"
    assert len(llm.requests) == 3


def test_a_stream_broken_midway_is_not_replayed_and_its_code_does_not_run(llm: FakeOpenAI) -> None:
    llm.script(
        Reply(chunks=["Partial ", "answer ", "```python\n", "import os\n"], break_after=3),
        Reply.text("should never be requested"),
    )
    sandbox = ScriptedSandbox()
    with interp(llm, sandbox, tools="off") as it:
        chunks = list(it.chat("hi", stream=True))
    assert len(llm.requests) == 1
    assert sandbox.executed == []
    text = "".join(c.content for c in chunks if c.role == "assistant")
    assert text.count("Partial") == 1
    assert any("broke off" in c.content for c in chunks if c.role == "computer")


def test_no_model_configured_says_how_to_fix_it(llm: FakeOpenAI) -> None:
    with Interpreter(sandbox=ScriptedSandbox()) as it, pytest.raises(NoModelConfigured) as err:
        it.chat("hi")
    assert "--base-url http://localhost:11434/v1" in str(err.value)
    assert "OPENAI_API_KEY" in str(err.value)


def test_an_unreachable_endpoint_fails_fast_with_a_hint() -> None:
    start = time.monotonic()
    with Interpreter(
        sandbox=ScriptedSandbox(), model="m", base_url="http://127.0.0.1:9/v1", retries=0
    ) as it:
        new = it.chat("hi")
    assert time.monotonic() - start < 10
    assert "Cannot reach the model endpoint" in new[-1].content


def test_no_platform_headers_no_user_name_no_host_details(llm: FakeOpenAI) -> None:
    import getpass

    llm.script(Reply.text("hi"))
    with interp(llm, ScriptedSandbox()) as it:
        it.chat("hello")
    headers = llm.headers[0]
    assert not [
        h
        for h in headers
        if h.startswith("x-stainless-") and h.endswith(("os", "arch", "runtime", "runtime-version"))
    ]
    system = llm.requests[0]["messages"][0]["content"]
    assert getpass.getuser() not in system.split()
    assert str(Path.home()) not in system


def test_python_api_runs_nothing_without_approval(llm: FakeOpenAI) -> None:
    llm.script(Reply(tool_calls=[ToolCall.execute("shell", "touch pwned")]), Reply.text("ok"))
    sandbox = ScriptedSandbox()
    with Interpreter(sandbox=sandbox, model="fake", base_url=llm.base_url) as it:
        new = it.chat("go")
    assert sandbox.executed == []
    assert any("nobody approved" in m.content for m in new)


def test_approval_callback_sees_the_exact_code_and_can_refuse(llm: FakeOpenAI) -> None:
    llm.script(
        Reply(tool_calls=[ToolCall.execute("shell", "curl http://169.254.169.254/")]),
    )
    seen: list[CodeRequest] = []

    def approve(request: CodeRequest) -> Approval:
        seen.append(request)
        return Approval(action="skip")

    sandbox = ScriptedSandbox()
    with interp(llm, sandbox, approve=approve) as it:
        it.chat("go")
    assert [(r.language, r.code) for r in seen] == [("shell", "curl http://169.254.169.254/")]
    assert sandbox.executed == []


def test_a_callback_returning_anything_else_fails_closed(llm: FakeOpenAI) -> None:
    llm.script(Reply(tool_calls=[ToolCall.execute("python", "1")]))
    sandbox = ScriptedSandbox()
    with interp(llm, sandbox, approve=lambda r: True) as it:
        it.chat("go")
    assert sandbox.executed == []


@pytest.mark.anyio
async def test_async_api_and_async_approver(llm: FakeOpenAI) -> None:
    llm.script(Reply(tool_calls=[ToolCall.execute("python", "1")]), Reply.text("ok"))

    async def approve(request: CodeRequest) -> Approval:
        return RUN

    sandbox = ScriptedSandbox()
    it = interp(llm, sandbox, approve=approve)
    chunks = [c async for c in it.achat("go")]
    await it.aclose()
    assert sandbox.executed == [("python", "1")]
    assert chunks[-1].end


def test_stop_from_another_thread_interrupts_the_block(llm: FakeOpenAI) -> None:
    llm.script(Reply(tool_calls=[ToolCall.execute("python", "SLEEP")]))
    sandbox = ScriptedSandbox()
    with interp(llm, sandbox) as it:

        def stop_soon() -> None:
            while not it._executing:
                time.sleep(0.01)
            it.stop()

        threading.Thread(target=stop_soon).start()
        new = it.chat("go")
        assert new[-1].content == "Stopped by the user."
        assert [m.status for m in new if m.type == "console" and m.call_id] == ["interrupted"]
        assert len(llm.requests) == 1
        llm.script(Reply.text("still alive"))
        assert it.chat("next")[-1].content == "still alive"


def test_wall_time_limit_stops_a_slow_model(llm: FakeOpenAI) -> None:
    llm.script(Reply(chunks=["slow"] * 50, delay_s=0.1))
    with interp(llm, ScriptedSandbox(), max_turn_seconds=0.5) as it:
        start = time.monotonic()
        new = it.chat("go")
    assert time.monotonic() - start < 3
    assert "time limit" in new[-1].content


def test_block_limits_reach_the_sandbox(llm: FakeOpenAI, tmp_path: Path) -> None:
    llm.script(Reply(tool_calls=[ToolCall.execute("python", "1")]), Reply.text("ok"))
    sandbox = ScriptedSandbox()
    with interp(llm, sandbox, block_seconds=7, block_memory_mb=64, workdir=str(tmp_path)) as it:
        it.chat("go")
    session = sandbox.sessions[0]
    assert session.limits[-1].wall_time_ms == 7000
    assert session.limits[-1].memory_bytes == 64 * 2**20
    assert session.spec.workdir == str(tmp_path)
    assert session.spec.network is False


def test_rich_outputs_are_saved_as_files_outside_the_work_dir(
    llm: FakeOpenAI, tmp_path: Path
) -> None:
    llm.script(Reply(tool_calls=[ToolCall.execute("python", "IMAGE")]), Reply.text("ok"))
    work = tmp_path / "work"
    work.mkdir()
    with interp(llm, ScriptedSandbox(), workdir=str(work)) as it:
        new = it.chat("plot")
    image = next(m for m in new if m.type == "image")
    path = Path(image.content)
    assert image.format == "image/png"
    assert path.read_bytes() == b"\x89PNG fake"
    assert not path.is_relative_to(work)
    assert "output saved to" in llm.requests[1]["messages"][-1]["content"]


def test_usage_figures_count_tokens_and_trimming_drops_old_exchanges(llm: FakeOpenAI) -> None:
    llm.default = Reply.text("x" * 400, usage=(0, 0))
    with interp(llm, ScriptedSandbox(), context_window=1000, max_output_tokens=200) as it:
        llm.script(Reply.text("first answer", usage=(300, 5)))
        it.chat("first question " * 10)
        report = it.token_report()
        assert report["measured_by_endpoint"]
        assert report["last_prompt_tokens"] == 300
        for n in range(6):
            llm.script(Reply.text("y" * 600, usage=(700, 200)))
            it.chat(f"question {n} " + "z" * 600)
    last = llm.requests[-1]["messages"]
    assert "left out to fit the context window" in last[0]["content"]
    assert last[-1]["content"].startswith("question 5")
    assert not any("first question" in str(m["content"]) for m in last)


def test_save_and_resume_a_conversation(llm: FakeOpenAI, tmp_path: Path) -> None:
    llm.script(Reply(tool_calls=[ToolCall.execute("python", "a = 1")]), Reply.text("set a"))
    with interp(llm, ScriptedSandbox()) as it:
        it.chat("set a to 1")
        saved = it.save(tmp_path / "conv.json")
    data = json.loads(saved.read_text())
    assert saved.stat().st_mode & 0o077 == 0  # private to the user
    assert data["schema_version"] == 1
    assert "api_key" not in saved.read_text()
    sandbox = ScriptedSandbox()
    with interp(llm, sandbox) as again:
        llm.script(Reply(tool_calls=[ToolCall.execute("python", "b = 2")]), Reply.text("ok"))
        again.chat("set b")
        llm.script(Reply.text("a was 1"))
        again.load(saved)
        assert sandbox.sessions[0].closed  # loading starts a fresh sandbox session
        again.chat("what was a?")
    resumed = llm.requests[-1]["messages"]
    assert [m["role"] for m in resumed] == [
        "system",
        "user",
        "assistant",
        "tool",
        "assistant",
        "user",
    ]
    (tmp_path / "bad.json").write_text('{"messages": [{"role": "root"}]}')
    with (
        interp(llm, ScriptedSandbox()) as it,
        pytest.raises(ConversationError, match="not a saved"),
    ):
        it.load(tmp_path / "bad.json")


def test_undo_and_reset(llm: FakeOpenAI) -> None:
    llm.script(Reply.text("one"), Reply.text("two"))
    sandbox = ScriptedSandbox()
    with interp(llm, sandbox) as it:
        it.chat("1")
        it.chat("2")
        assert it.undo() == 2
        assert [m.content for m in it.messages] == ["1", "one"]
        it.reset()
        assert it.messages == []


def test_stop_before_a_block_starts_means_it_never_runs(llm: FakeOpenAI) -> None:
    llm.script(Reply(tool_calls=[ToolCall.execute("python", "print('ran')")]))
    sandbox = ScriptedSandbox()
    with interp(llm, sandbox) as it:

        def approve_then_stop(request: CodeRequest) -> Approval:
            it.stop()  # Ctrl-C pressed while the approval prompt was open
            return RUN

        it.approve = approve_then_stop
        new = it.chat("go")
    assert sandbox.executed == []
    assert new[-1].content == "Stopped by the user."


def test_the_kernel_warms_up_with_pass_while_the_model_writes(llm: FakeOpenAI) -> None:
    llm.script(Reply(tool_calls=[ToolCall.execute("python", "x = 1")]), Reply.text("ok"))
    sandbox = ScriptedSandbox()
    with interp(llm, sandbox) as it:
        it.chat("go")
    assert sandbox.sessions[0].executed == [("python", "pass"), ("python", "x = 1")]


def test_keyboard_interrupt_in_the_python_api_stops_the_block_and_cleans_up(
    llm: FakeOpenAI,
) -> None:
    llm.script(Reply(tool_calls=[ToolCall.execute("python", "SLEEP")]), Reply.text("later"))
    sandbox = ScriptedSandbox()
    with interp(llm, sandbox) as it:
        chunks = it.chat("go", stream=True)
        for chunk in chunks:
            if chunk.role == "computer" and chunk.content == "started\n":
                break  # the consumer walks away mid-block (what Ctrl-C does to a for loop)
        chunks.close()  # type: ignore[attr-defined]
        assert sandbox.sessions[0].interrupted.is_set()
        assert it.chat("again")[-1].content == "later"


def test_a_warmed_but_unused_session_is_closed_too(llm: FakeOpenAI) -> None:
    llm.script(Reply.text("no code needed"))
    sandbox = ScriptedSandbox()
    with interp(llm, sandbox) as it:
        it.chat("hello")
    assert len(sandbox.sessions) == 1
    assert sandbox.sessions[0].closed


def test_an_endpoint_context_error_is_recognised_and_retried_trimmed(llm: FakeOpenAI) -> None:
    llm.script(
        Reply.text("first", usage=(1500, 5)),
        Reply(status=400, error="This model's maximum context length is 8192 tokens."),
        Reply.text("second"),
    )
    with interp(llm, ScriptedSandbox(), context_window=200_000) as it:
        it.chat("one " + "a" * 4000)
        new = it.chat("two")
    assert new[-1].content == "second"
    assert any("context window is smaller" in m.content for m in new)
    assert len(llm.requests) == 3
