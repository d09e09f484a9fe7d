"""Every text, data and status element, through AppTest (so through the real wire format)."""

from __future__ import annotations

import pytest
from apptest_frames import spy_frames

from bastion.app.errors import InvalidArgument
from bastion.testing import AppTest


def run(src: str) -> AppTest:
    return AppTest.from_string(src).run()


def test_headings_markdown_caption_text_code_divider() -> None:
    at = run(
        """
        import bastion as st
        st.title("The *title*")
        st.header("A header", divider="blue")
        st.subheader("Sub")
        st.markdown("Some **bold** text")
        st.caption("small print")
        st.text("  preformatted  ")
        st.code("x = 1", language="python")
        st.divider()
        """
    )
    assert at.title[0].value == "The *title*"
    assert at.title[0].proto.body_html == "The <em>title</em>"
    assert at.header[0].value == "A header"
    assert at.header[0].proto.divider == "blue"
    assert at.subheader[0].value == "Sub"
    assert at.markdown[0].value == "Some **bold** text"
    assert "<strong>bold</strong>" in at.markdown[0].proto.body_html
    assert at.caption[0].value == "small print"
    assert at.text[0].value == "  preformatted  "
    assert at.code[0].value == "x = 1"
    assert at.code[0].language == "python"
    assert len(at.divider) == 1
    assert not at.exception


def test_write_dispatches_by_type() -> None:
    at = run(
        """
        import bastion as st
        st.write("a", "b")
        st.write({"k": [1, 2]})
        st.write(ValueError("boom"))
        st.write(42)
        """
    )
    assert at.markdown.values == ["a b", "42"]
    assert at.json[0].value == '{"k": [1, 2]}'
    assert at.exception[0].value == "boom"


def test_json_metric_alerts() -> None:
    at = run(
        """
        import bastion as st
        st.json('{"a": 1}', expanded=False)
        st.metric("Temp", 21.5, -1.2)
        st.metric("Users", 10, "+3")
        st.success("yay", icon="✅")
        st.info("fyi")
        st.warning("careful")
        st.error("bad")
        """
    )
    assert at.json[0].value == '{"a": 1}'
    assert at.json[0].expanded is False
    assert at.metric[0].label == "Temp"
    assert at.metric[0].value == "21.5"
    assert at.metric[0].delta == "-1.2"
    assert at.metric[0].proto.delta_direction == "down"
    assert at.metric[1].proto.delta_direction == "up"
    assert at.success[0].value == "yay"
    assert at.success[0].icon == "✅"
    assert at.info[0].value == "fyi"
    assert at.warning[0].value == "careful"
    assert at.error[0].value == "bad"


def test_exception_element_and_uncaught_exception() -> None:
    at = run(
        """
        import bastion as st
        try:
            1 / 0
        except ZeroDivisionError as e:
            st.exception(e)
        st.write("after")
        raise KeyError("missing")
        """
    )
    assert at.exception[0].exc_type == "ZeroDivisionError"
    assert at.exception[0].stack_trace, "tracebacks are shown in development mode"
    assert all("bastion/app" not in line for line in at.exception[0].stack_trace)
    assert at.exception[1].exc_type == "KeyError"
    assert at.markdown.values == ["after"]
    assert at.run_status == "error"


def test_spinner_progress_balloons() -> None:
    at = run(
        """
        import bastion as st
        with st.spinner("working"):
            pass
        bar = st.progress(0, text="loading")
        bar.progress(0.5)
        st.progress(100)
        st.balloons()
        """
    )
    assert len(at.get("spinner")) == 0, "a finished spinner is replaced by an empty placeholder"
    assert len(at.get("empty")) == 1
    assert [p.value for p in at.get("progress")] == [50, 100]
    assert len(at.get("balloons")) == 1


def test_balloons_fly_again_on_every_run() -> None:
    at = run("import bastion as st\nst.balloons()")
    first = at.get("balloons")[0].proto.nonce
    at.run()
    assert at.get("balloons")[0].proto.nonce != first


@pytest.mark.parametrize(
    ("call", "needle"),
    [
        ("st.progress(150)", "`value` must be an int in [0, 100]"),
        ("st.progress('half')", "`value` must be"),
        ("st.metric('m', object())", "`value` must be an int, float, str or None"),
        ("st.metric(3, 1)", "`label` must be a str"),
        ("st.header('h', divider='pink')", "`divider` must be"),
        ("st.code('x', language=3)", "`language` must be a str or None"),
        ("st.json({}, expanded='yes')", "`expanded` must be"),
        ("st.success('ok', icon=5)", "`icon` must be"),
        ("st.columns(0)", "`spec` must be a positive int"),
        ("st.columns([1, -1])", "`spec` must be"),
        ("st.tabs('abc')", "`tabs` must be a non-empty list"),
        ("st.container(height=-1)", "`height` must be"),
        ("st.set_page_config(layout='huge')", "`layout` must be"),
        ("st.echo('left')", "`code_location` must be"),
        ("st.spinner(5)", "`text` must be a str"),
    ],
)
def test_bad_arguments_name_the_parameter(call: str, needle: str) -> None:
    at = run(f"import bastion as st\n{call}")
    assert at.exception, f"{call} should fail"
    assert needle in at.exception[0].value
    assert at.exception[0].exc_type == "InvalidArgument"


def test_invalid_argument_message_has_expected_actual_and_fix() -> None:
    err = InvalidArgument("slider", "step", "a positive number", -1, "Use step=1.")
    assert str(err) == "st.slider(): `step` must be a positive number, got -1 (int). Use step=1."


def test_echo_shows_the_block_code_then_runs_it() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        with st.echo():
            x = 1 + 1
            st.write(x)
        st.write("done")
        """
    ).run()
    assert at.code[0].value == "x = 1 + 1\nst.write(x)"
    assert at.markdown.values == ["2", "done"]


def test_page_config_and_query_params() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        st.set_page_config(page_title="My app", page_icon="🚀", layout="wide")
        st.write(st.query_params.get("q", "none"))
        if st.button("set"):
            st.query_params["q"] = "new"
            st.query_params.tags = ["a", "b"]
        """
    )
    at.query_params["q"] = "hello"
    at.run()
    assert at.page_config.title == "My app"
    assert at.page_config.layout == "wide"
    assert at.markdown.values == ["hello"]
    at.button[0].click().run()
    assert at.query_params == {"q": "new", "tags": ["a", "b"]}
    at.run()
    assert at.markdown.values == ["new"]


def test_secrets_from_apptest_and_never_in_frames() -> None:
    at = AppTest.from_string(
        """
        import bastion as st
        password = st.secrets["db"]["password"]
        st.write("connected" if password == "hunter2" else "wrong")
        st.write(st.secrets.db.user)
        """
    )
    at.secrets["db"] = {"password": "hunter2", "user": "alice"}
    frames = spy_frames(at)
    at.run()
    assert at.markdown.values == ["connected", "alice"]
    assert not any(b"hunter2" in f for f in frames)


def test_missing_secret_error_names_the_file() -> None:
    at = AppTest.from_string("import bastion as st\nst.secrets['nope']")
    at.secrets["other"] = "x"
    at.run()
    assert "secrets.toml" in at.exception[0].value


def test_production_mode_shows_an_error_id_not_the_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from bastion.app.config import AppConfig, ClientConfig
    from bastion.app.script import Script

    at = AppTest(
        Script(source="def f():\n    raise ValueError('bad input')\nf()\n", name="<prod>"),
        config=AppConfig(client=ClientConfig(show_error_details=False)),
    ).run()
    shown = at.exception[0]
    assert "bad input" not in shown.message  # the exception's text may hold data: log only
    assert "server log" in shown.message
    assert shown.stack_trace == []
    error_id = shown.proto.error_id
    assert error_id
    assert error_id in caplog.text
    assert "raise ValueError" in caplog.text


def test_secrets_set_after_the_first_run_apply_to_the_next() -> None:
    at = AppTest.from_string("import bastion as st\nst.write(st.secrets.get('k', 'none'))")
    at.secrets["k"] = "one"
    at.run()
    at.secrets["k"] = "two"
    at.run()
    assert at.markdown.values == ["two"]


def test_an_oversized_element_becomes_a_size_error() -> None:
    from bastion.app.config import AppConfig, ServerConfig
    from bastion.app.script import Script

    at = AppTest(
        Script(
            source="import bastion as st\nst.text('x' * 2_000_000)\nst.write('ok')", name="<big>"
        ),
        config=AppConfig(server=ServerConfig(max_message_size=1)),
    ).run()
    assert at.exception[0].exc_type == "MessageSizeError"
    assert "server.maxMessageSize" in at.exception[0].value
    assert at.markdown.values == ["ok"]
