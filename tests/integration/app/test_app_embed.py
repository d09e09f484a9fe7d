"""st.html and st.components.v1 through AppTest, and the redaction of secrets from errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bastion.app.config import AppConfig, ServerConfig
from bastion.app.script import Script
from bastion.testing import AppTest


def test_st_html_is_sanitized_on_the_server() -> None:
    at = AppTest.from_string(
        "import bastion as st\n"
        'st.html(\'<b onclick=alert(1) style="color:red">bold</b><script>alert(1)</script>'
        '<a href="javascript:alert(1)">x</a>\')\n'
    ).run()
    html = at.html[0].value
    assert "<b>bold</b>" in html
    for bad in ("onclick", "script", "javascript", "style"):
        assert bad not in html


def test_components_html_goes_to_a_frame_by_content_hash() -> None:
    at = AppTest.from_string(
        "import bastion as st\nst.components.v1.html('<script>go()</script>', height=99)\n"
    ).run()
    frame = at.iframe[0]
    assert frame.src.startswith("_bastion/frame/")
    assert frame.proto.height == 99
    digest = frame.src.rsplit("/", 1)[1]
    assert at._session.runtime.frames.document(digest) == b"<script>go()</script>"


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "//evil", "vbscript:x"]
)
def test_iframe_takes_only_http_and_https(url: str) -> None:
    at = AppTest.from_string(f"import bastion as st\nst.components.v1.iframe({url!r})\n").run()
    assert "http or https URL" in at.exception[0].value
    assert len(at.iframe) == 0


def test_a_declared_component_is_a_widget_with_validated_values(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<p>c</p>")
    script = (
        "import bastion.components.v1 as components\nimport bastion as st\n"
        f"c = components.declare_component('my_comp', path={str(tmp_path)!r})\n"
        "v = c(label='x', key='k', default=0)\nst.write(f'value={v!r}')\n"
    )
    at = AppTest.from_string(script).run()
    comp = at.custom_component[0]
    assert comp.args == {"label": "x"}
    assert comp.proto.src == "_bastion/component/my_comp/index.html"
    assert at.markdown[0].value == "value=0"
    comp.set_value({"a": [1, 2]}).run()
    assert at.markdown[0].value == "value={'a': [1, 2]}"
    # A value past the size bound is refused and the last valid value stays.
    at.custom_component[0].set_value("x" * 2_000_000).run()
    assert at.markdown[0].value == "value={'a': [1, 2]}"


def test_declare_component_needs_exactly_one_source() -> None:
    at = AppTest.from_string("import bastion.components.v1 as c\nc.declare_component('x')\n").run()
    assert "exactly one of path= and url=" in at.exception[0].value


def test_secrets_are_redacted_from_errors_in_the_browser_and_the_log(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAYMENT_API_KEY", "sk-live-0123456789")
    source = (
        "import bastion as st, os\n"
        "raise RuntimeError(f\"connect failed with {st.secrets['db_password']} and "
        "{os.environ['PAYMENT_API_KEY']}\")\n"
    )
    for server in (ServerConfig(), ServerConfig(mode="production")):
        at = AppTest(Script(source=source, name="<redact>"), config=AppConfig(server=server))
        at.secrets["db_password"] = "hunter2-very-secret"
        at.run()
        shown = at.exception[0]
        text = shown.value + "".join(shown.stack_trace)
        assert "hunter2-very-secret" not in text
        assert "sk-live-0123456789" not in text
        if server.mode == "production":
            assert shown.proto.error_id
            assert shown.proto.error_id in caplog.text
            assert "[redacted]" in caplog.text
        else:
            assert "[redacted]" in shown.value
    assert "hunter2-very-secret" not in caplog.text
    assert "sk-live-0123456789" not in caplog.text
