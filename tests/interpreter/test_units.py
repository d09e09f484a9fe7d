"""Small pure parts: settings layering, output sanitising, token attribution, trimming, exports."""

from __future__ import annotations

from pathlib import Path

import pytest

import bastion.interpreter as api
from bastion.interpreter.context import TokenMeter, Usage, exchanges, select, to_wire
from bastion.interpreter.errors import ProfileError
from bastion.interpreter.prompt import frame_output, sanitize, truncate
from bastion.interpreter.settings import load_settings
from bastion.protocol.chat import Message


def test_public_api_is_exactly_all() -> None:
    public = {name for name in dir(api) if not name.startswith("_")}
    modules = {
        "context",
        "errors",
        "executor",
        "fences",
        "interpreter",
        "llm",
        "loop",
        "prompt",
        "settings",
        "terminal",
        "toolcall",
    }
    assert sorted(api.__all__) == api.__all__
    assert public - modules == set(api.__all__)


def test_settings_layers_flags_over_env_over_profile(tmp_path: Path) -> None:
    profile = tmp_path / "p.toml"
    profile.write_text('model = "from-profile"\ntemperature = 0.2\n[limits]\nmax_steps = 3\n')
    env = {"BASTION_MODEL": "from-env", "KEY": "sk-secret"}
    s = load_settings({"max_steps": 5, "api_key_env": "KEY"}, profile=profile, env=env)
    assert (s.model, s.temperature, s.limits.max_steps, s.api_key) == (
        "from-env",
        0.2,
        5,
        "sk-secret",
    )
    assert load_settings({"model": "flag"}, profile=profile, env=env).model == "flag"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('modle = "typo"\n', "modle"),
        ('auto_run = "yes"\n', "auto_run"),
        ("[limits]\nmax_steps = -\n", "not valid TOML"),
        ("system_message = \"{{ open('/etc/passwd').read() }}\"\n", "system_message"),
    ],
)
def test_bad_profiles_name_the_field(tmp_path: Path, content: str, message: str) -> None:
    profile = tmp_path / "p.toml"
    profile.write_text(content)
    with pytest.raises(ProfileError, match=message):
        load_settings(profile=profile, env={})


def test_missing_key_variable_is_an_error() -> None:
    with pytest.raises(ProfileError, match="NOPE"):
        load_settings({"api_key_env": "NOPE"}, env={})


def test_sanitize_removes_escapes_and_controls_but_keeps_text() -> None:
    dirty = (
        "a\x1b[31mred\x1b[0m b\x1b]0;title\x07c\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ "
        "\x07\x08d\r\ne\tf\x9b2Jg"
    )
    assert sanitize(dirty) == "ared bclink d\ne\tfg"


def test_truncate_keeps_head_and_tail_and_says_how_much_went() -> None:
    text = "H" * 1000 + "T" * 1000
    cut = truncate(text, 100)
    assert cut.startswith("H" * 40)
    assert cut.endswith("T" * 60)
    assert "1900 characters omitted" in cut


def test_frame_nonce_is_stable_per_call_and_unguessable_without_the_key() -> None:
    a = frame_output("c1", "python", "ok", "x", b"k" * 16)
    assert a == frame_output("c1", "python", "ok", "x", b"k" * 16)
    assert a.splitlines()[0] != frame_output("c1", "python", "ok", "x", b"j" * 16).splitlines()[0]


def test_usage_figures_are_attributed_exactly() -> None:
    meter = TokenMeter()
    sent = [Message(role="user", type="message", content="x" * 300)]
    reply = [Message(role="assistant", type="message", content="y" * 50)]
    meter.record("s" * 100, sent, reply, Usage(prompt_tokens=120, completion_tokens=17))
    assert meter.system_tokens is not None
    assert meter.system_tokens + (sent[0].tokens or 0) == 120
    assert reply[0].tokens == 17
    new = [*sent, *reply, Message(role="user", type="message", content="z" * 90)]
    meter.record("s" * 100, new, [], Usage(prompt_tokens=170, completion_tokens=0))
    assert new[2].tokens == 170 - 120 - 17  # only the new message was unknown


def _exchange(n: int) -> list[Message]:
    return [
        Message(role="user", type="message", content=f"q{n}" + "." * 400),
        Message(role="assistant", type="code", format="python", content="1", call_id=f"c{n}"),
        Message(
            role="computer",
            type="console",
            format="output",
            content="1",
            call_id=f"c{n}",
            status="ok",
        ),
        Message(role="assistant", type="message", content="a" * 400),
    ]


def test_trimming_drops_whole_exchanges_and_never_the_current_turn() -> None:
    messages = [m for n in range(5) for m in _exchange(n)]
    kept, omitted = select(messages, "system", TokenMeter(), budget=400)
    assert omitted > 0
    assert kept[0].role == "user"  # starts at an exchange boundary
    assert kept[0].content.startswith("q4")  # the current turn survives even over budget
    wire = to_wire(kept, "system", tools=True, key=b"k" * 16)
    calls = [m for m in wire if m.get("tool_calls")]
    results = [m for m in wire if m["role"] == "tool"]
    assert [c["tool_calls"][0]["id"] for c in calls] == [r["tool_call_id"] for r in results]
    assert len(exchanges(messages)) == 15
