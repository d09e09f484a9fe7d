"""The newer st.* names: datetime_input (with forged values), audio_input, pdf, graphviz_chart,
st.bottom and st.context through AppTest."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from bastion.app.client_context import ClientContext, Handshake
from bastion.app.elements.graphviz import GraphvizError, render_svg
from bastion.protocol.app import ClientInfo, Rerun
from bastion.testing import AppTest

DT = datetime.datetime


def app(src: str) -> AppTest:
    return AppTest.from_string(src).run()


def forge(at: AppTest, widget: Any, raw: Any) -> AppTest:
    return at._send(Rerun(widgets={widget.id: raw}))


def test_datetime_input_value_bounds_and_forgery() -> None:
    at = app(
        """
        import bastion as st, datetime
        DT = datetime.datetime
        d = st.datetime_input("When", DT(2024, 5, 1, 9, 30), min_value=DT(2024, 1, 1),
                              max_value=DT(2024, 12, 31, 18), step=60)
        st.write(repr(d))
        """
    )
    w = at.datetime_input[0]
    assert w.value == DT(2024, 5, 1, 9, 30)
    assert w.proto.value == "2024-05-01T09:30"
    assert (w.min, w.max, w.step) == (DT(2024, 1, 1), DT(2024, 12, 31, 18), 60)
    w.set_value(DT(2024, 7, 4, 12, 15, 5)).run()
    assert at.markdown[0].value == "datetime.datetime(2024, 7, 4, 12, 15, 5)"
    for raw in [
        "2025-01-01T00:00",  # above max
        "2024-12-31T18:00:01",  # a second above max
        "2023-12-31T23:59",  # below min
        "2024-02-30T10:00",  # no such day
        "2024-07-04 12:15",  # a space, not T
        "2024-07-04T24:00",
        "2024-07-04T12:15:05.5",
        "2024-07-04T12:15+02:00",
        20240704,
        ["2024-07-04T12:15"],
        {"v": 1},
    ]:
        forge(at, at.datetime_input[0], raw)
        assert at.datetime_input[0].value == DT(2024, 7, 4, 12, 15, 5), raw
    forge(at, at.datetime_input[0], None)
    assert at.datetime_input[0].value is None
    assert at.markdown[0].value == "None"


def test_datetime_input_defaults_state_and_errors() -> None:
    at = app(
        """
        import bastion as st, datetime
        a = st.datetime_input("A", None, key="a")
        b = st.datetime_input("B", datetime.date(2024, 3, 1))
        st.write(repr(a)); st.write(repr(b))
        """
    )
    assert at.datetime_input[0].value is None
    assert at.datetime_input[1].value == DT(2024, 3, 1)
    at.session_state["a"] = DT(2020, 1, 2, 3, 4)
    at.run()
    assert at.markdown[0].value == "datetime.datetime(2020, 1, 2, 3, 4)"
    bad = [
        "st.datetime_input('x', 'yesterday')",
        "st.datetime_input('x', step=30)",
        "st.datetime_input('x', format='YY')",
        "import datetime as d; st.datetime_input('x', d.datetime(2030, 1, 1), "
        "max_value=d.datetime(2029, 1, 1))",
    ]
    for line in bad:
        t = app("import bastion as st\n" + line)
        assert t.exception, line


def test_datetime_input_session_state_write_checked() -> None:
    at = app(
        """
        import bastion as st, datetime
        st.datetime_input("A", datetime.datetime(2024, 1, 1), key="a",
                          max_value=datetime.datetime(2024, 6, 1))
        """
    )
    at.session_state["a"] = "2024-02-01T00:00"  # not a datetime
    at.run()
    assert at.exception


def test_audio_input_and_alias() -> None:
    at = app(
        "import bastion as st\n"
        "a = st.audio_input('Say it')\nb = st.experimental_audio_input('Again')\n"
        "st.write(repr(a and (a.name, a.type, a.read())))"
    )
    assert len(at.audio_input) == 2
    rec = at.audio_input[0]
    assert rec.proto.audio
    assert not rec.proto.camera
    assert rec.proto.accept == (".wav", ".webm", ".ogg")
    assert rec.proto.sample_rate == 16000  # Streamlit's default
    assert app("import bastion as st\nst.audio_input('x', sample_rate=12345)").exception
    rec.upload("recording.wav", b"RIFF....WAVE", "audio/wav").run()
    assert at.markdown[0].value == "('recording.wav', 'audio/wav', b'RIFF....WAVE')"
    with pytest.raises(Exception, match="type"):
        at.audio_input[1].upload("x.exe", b"MZ", "application/octet-stream")
    forge(at, at.audio_input[0], ["not-a-file-id"])
    assert at.markdown[0].value == "('recording.wav', 'audio/wav', b'RIFF....WAVE')"


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_pdf_through_media_store() -> None:
    at = app(f"import bastion as st, io\nst.pdf({PDF!r}, height=300)\nst.pdf(io.BytesIO({PDF!r}))")
    assert [p.height for p in at.pdf] == [300, 500]
    url = at.pdf[0].url
    assert url.startswith("_bastion/media/")
    assert url.endswith(".pdf")
    entry = at.session.runtime.media.get(url.rsplit("/", 1)[-1].split(".")[0])
    assert entry is not None
    assert entry.mimetype == "application/pdf"
    for bad in ["b'<html>'", "'https://example.com/x.pdf'", "b'%PDF-', height=5"]:
        assert app(f"import bastion as st\nst.pdf({bad})").exception, bad


def test_graphviz_chart_renders_svg() -> None:
    at = app(
        "import bastion as st\n"
        "class G:\n    source = 'digraph { a -> b }'\n"
        "st.graphviz_chart('digraph { hello -> world }')\nst.graphviz_chart(G(), width='stretch')"
    )
    charts = at.graphviz_chart
    assert len(charts) == 2
    assert charts[1].proto.use_container_width
    entry = at.session.runtime.media.get(charts[0].url.rsplit("/", 1)[-1].split(".")[0])
    assert entry is not None
    assert entry.mimetype == "image/svg+xml"
    assert entry.data is not None
    assert b"<svg" in entry.data
    assert b"world" in entry.data
    bad = app("import bastion as st\nst.graphviz_chart('digraph { a -> ')")
    assert bad.exception
    assert "could not render" in bad.exception[0].value


def test_graphviz_limits(tmp_path: Any) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    svg = render_svg(f'digraph {{ a [image="{secret}"] }}')
    assert str(secret).encode() not in svg  # GV_FILE_PATH: no file outside its empty directory
    big = "digraph {" + " ".join(f"n{i} -> n{i + 1};" for i in range(20000)) + "}"
    with pytest.raises(GraphvizError, match="longer than"):
        render_svg(big, timeout=0.2)
    with pytest.raises(GraphvizError, match="at most"):
        render_svg("x" * 1_000_001)


def test_graphviz_missing_dot_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    with pytest.raises(GraphvizError, match="apt-get install graphviz"):
        render_svg("digraph { a }")


def test_bottom_container() -> None:
    at = app(
        "import bastion as st\nst.write('top')\nst.bottom.write('pinned')\n"
        "with st.bottom:\n    if st.button('Go'):\n        st.write('clicked')"
    )
    assert [m.value for m in at.bottom.markdown] == ["pinned"]
    assert len(at.bottom.button) == 1
    assert len(at.main.button) == 0


def test_context_filters_our_cookies_and_authorization() -> None:
    ctx = ClientContext.build(
        Handshake(
            headers=[
                ("host", "example.test:8501"),
                ("user-agent", "UA/1"),
                ("accept", "a"),
                ("accept", "b"),
                ("authorization", "Bearer s3cret"),
                ("cookie", "theme=dark; _bastion_csrf=tok; _bastion_user=me; lang=de"),
            ],
            peer="203.0.113.9",
            host="example.test:8501",
        ),
        ClientInfo(
            locale="de-DE",
            timezone="Europe/Berlin",
            timezone_offset=-60,
            theme="dark",
            url="http://example.test:8501/page?x=1",
        ),
    )
    assert ctx.headers["User-Agent"] == ctx.headers["user-agent"] == "UA/1"
    assert ctx.headers.get_all("ACCEPT") == ["a", "b"]
    assert "Authorization" not in ctx.headers
    assert ctx.headers["cookie"] == "theme=dark; lang=de"
    assert dict(ctx.cookies) == {"theme": "dark", "lang": "de"}
    with pytest.raises(TypeError):
        ctx.cookies["x"] = "y"  # type: ignore[index]
    assert ctx.ip_address == "203.0.113.9"
    assert (ctx.locale, ctx.timezone, ctx.timezone_offset) == ("de-DE", "Europe/Berlin", -60)
    assert ctx.theme.type == "dark"
    assert ctx.url == "http://example.test:8501/page?x=1"
    other = ClientContext.build(
        Handshake(peer="127.0.0.1", host="a.test"), ClientInfo(url="https://evil.test/")
    )
    assert other.ip_address is None
    assert other.url == "http://a.test/"


def test_context_in_a_script() -> None:
    at = AppTest.from_string(
        "import bastion as st\nst.write(repr((st.context.locale, dict(st.context.cookies), "
        "st.context.ip_address, st.context.theme.type)))"
    )
    at.run()
    assert at.markdown[0].value == "(None, {}, None, None)"
