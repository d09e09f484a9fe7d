"""Server-side markdown rendering and sanitizing: what survives and what never does."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from bastion.app import markup

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<a href='javascript:alert(1)'>x</a>",
    "<a href='JaVaScRiPt:alert(1)'>x</a>",
    "<a href='java&#x09;script:alert(1)'>x</a>",
    "<a href='data:text/html,<script>alert(1)</script>'>x</a>",
    "<iframe src='https://evil.example'></iframe>",
    "<div style='background:url(javascript:alert(1))'>x</div>",
    "<style>body{display:none}</style>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<form action='javascript:alert(1)'><button>x</button></form>",
    "<object data='x.swf'></object>",
    "<base href='https://evil.example/'>",
    "<meta http-equiv='refresh' content='0;url=https://evil.example'>",
]


class _Tags(HTMLParser):
    """Collects the real tags and attributes of an HTML fragment (escaped text is not a tag)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


ALLOWED_TAGS = markup._TAGS
URL_ATTRS = ("href", "src")


def assert_harmless(html: str) -> None:
    parser = _Tags()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS, (tag, html)
        for name, value in attrs.items():
            assert not name.startswith("on"), (name, html)
            assert name != "style", html
            if name in URL_ATTRS and value is not None:
                scheme = value.strip().lower().split(":", 1)
                assert len(scheme) == 1 or scheme[0] in ("http", "https", "mailto"), html


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("allow_html", [False, True])
def test_payloads_never_survive(payload: str, allow_html: bool) -> None:
    assert_harmless(markup.markdown(payload, allow_html))
    assert_harmless(markup.inline(payload, allow_html))


def test_without_allow_html_tags_are_text() -> None:
    html = markup.markdown("<b>x</b>")
    assert "<b>" not in html
    assert "&lt;b&gt;" in html


@pytest.mark.parametrize(
    "link",
    [
        "[x](javascript:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        "[x](data:text/html,hi)",
        "[x](vbscript:msgbox)",
        "<javascript:alert(1)>",
    ],
)
def test_markdown_links_limited_to_safe_schemes(link: str) -> None:
    assert "href" not in markup.markdown(link)


def test_safe_markdown_survives() -> None:
    html = markup.markdown(
        "# T\n\n**b** *i* ~~s~~ `c` [ok](https://example.com)\n\n| a |\n|---|\n| 1 |\n\n- l\n"
    )
    for tag in ("<h1>", "<strong>", "<em>", "<s>", "<code>", "<table>", "<li>"):
        assert tag in html
    assert 'href="https://example.com"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_unsafe_allow_html_keeps_harmless_html_only() -> None:
    html = markup.markdown("<b onclick='x()'>bold</b><span class='evil'>s</span>", True)
    assert "<b>bold</b>" in html
    assert "onclick" not in html
    assert "evil" not in html


def test_colour_directives() -> None:
    assert markup.inline(":red[alert]") == '<span class="bst-red">alert</span>'
    assert "bst-blue-background" in markup.inline(":blue-background[x]")


def test_plain_labels_pass_through_and_special_chars_are_escaped() -> None:
    assert markup.inline("Pick a number") == "Pick a number"
    assert markup.inline("a < b & c") == "a &lt; b &amp; c"
