"""Markdown to sanitized HTML, on the server, for every text path.

The browser never parses markdown and never receives raw HTML: every ``*_html`` field of the
protocol is produced here. Markdown is rendered by markdown-it-py (CommonMark plus tables and
strikethrough), then cleaned by nh3 (ammonia) with an allow-list of tags and attributes; links and
images keep only the http, https and mailto schemes (relative URLs pass). ``allow_html=True``
(Streamlit's ``unsafe_allow_html``) lets the author's HTML through the *same* sanitizer, so
scripts, event handlers, styles and ``javascript:`` URLs never survive either way.

Rendering is memoized: a script that reruns writes the same strings again and again.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import nh3
    from markdown_it import MarkdownIt

COLORS = (
    "red",
    "orange",
    "yellow",
    "green",
    "blue",
    "violet",
    "gray",
    "grey",
    "rainbow",
    "primary",
)

_TAGS = frozenset(
    [
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "details",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "u",
        "ul",
        "var",
    ]
)
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align", "colspan", "rowspan"},
    "th": {"align", "colspan", "rowspan"},
    "ol": {"start"},
    "abbr": {"title"},
    "details": {"open"},
}
_CLASSES = {
    "span": {f"bst-{c}" for c in COLORS}
    | {f"bst-{c}-background" for c in COLORS}
    | {f"bst-{c}-badge" for c in COLORS},
}
_COLOR_RE = re.compile(r":(" + "|".join(COLORS) + r")(-background|-badge)?\[([^\[\]]*)\]")


@functools.cache
def _cleaner() -> nh3.Cleaner:
    import nh3

    return nh3.Cleaner(
        tags=set(_TAGS),
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        clean_content_tags={"script", "style"},
        allowed_classes=_CLASSES,
        set_tag_attribute_values={"a": {"target": "_blank"}},
        strip_comments=True,
    )


@functools.cache
def _md(allow_html: bool) -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": allow_html, "linkify": False, "typographer": False})
    return md.enable(["table", "strikethrough"])


def _colorize(rendered: str) -> str:
    # `:red[text]`, `:blue-background[text]` and `:green-badge[text]` (Streamlit's directives)
    # become classed spans; the class names are the only ones the sanitizer lets through.
    if ":" not in rendered or "[" not in rendered:
        return rendered
    return _COLOR_RE.sub(
        lambda m: f'<span class="bst-{m[1]}{m[2] or ""}">{m[3]}</span>',
        rendered,
    )


@functools.lru_cache(maxsize=4096)
def markdown(text: str, allow_html: bool = False) -> str:
    """Render block markdown (paragraphs, lists, tables, code...) to sanitized HTML."""
    return sanitize(_colorize(_md(allow_html).render(text)))


@functools.lru_cache(maxsize=4096)
def inline(text: str, allow_html: bool = False) -> str:
    """Render one line of markdown (a label, a caption of an option) without a <p> wrapper."""
    if not any(c in text for c in "*_`[]<>&:~\\!"):
        return text  # plain words: nothing to render, nothing to escape
    return sanitize(_colorize(_md(allow_html).renderInline(text)))


def sanitize(fragment: str) -> str:
    """Clean an HTML fragment with the allow-list (for `st.html`-like paths and as a last step)."""
    return _cleaner().clean(fragment)


# MathML Core presentation elements and their presentational attributes: nothing that links,
# loads or styles. latex2mathml passes `\text{...}` through unescaped, so its output is only ever
# trusted after this allow-list, like any other HTML.
_MATH_TAGS = frozenset(
    [
        "math",
        "mrow",
        "mi",
        "mn",
        "mo",
        "ms",
        "mtext",
        "mspace",
        "msup",
        "msub",
        "msubsup",
        "mfrac",
        "msqrt",
        "mroot",
        "mover",
        "munder",
        "munderover",
        "mtable",
        "mtr",
        "mtd",
        "mstyle",
        "mpadded",
        "mphantom",
        "menclose",
        "semantics",
        "merror",
    ]
)
_MATH_ATTRIBUTES = {
    "math": {"display"},
    "mi": {"mathvariant"},
    "mo": {
        "stretchy",
        "fence",
        "separator",
        "lspace",
        "rspace",
        "largeop",
        "movablelimits",
        "form",
        "minsize",
        "maxsize",
        "accent",
    },
    "mstyle": {"displaystyle", "scriptlevel", "mathvariant"},
    "mtable": {"columnalign", "rowspacing", "columnspacing", "columnlines", "rowlines"},
    "mtd": {"columnalign", "columnspan", "rowspan"},
    "mfrac": {"linethickness"},
    "mspace": {"width"},
    "menclose": {"notation"},
    "mover": {"accent"},
    "munder": {"accentunder"},
    "mpadded": {"width", "height", "depth", "lspace", "voffset"},
}


@functools.cache
def _math_cleaner() -> nh3.Cleaner:
    import nh3

    return nh3.Cleaner(
        tags=set(_MATH_TAGS),
        attributes={k: set(v) for k, v in _MATH_ATTRIBUTES.items()},
        url_schemes=set(),
        clean_content_tags={"script", "style"},
        strip_comments=True,
    )


class LatexError(ValueError):
    """LaTeX that the converter cannot read; the message says where."""


@functools.lru_cache(maxsize=1024)
def latex(text: str) -> str:
    """Render a LaTeX math expression to sanitized MathML (display mode), on the server.

    Browsers render MathML natively, so no math library ships to the page and no client code
    interprets author input."""
    import latex2mathml.converter

    try:
        mathml = latex2mathml.converter.convert(text, display="block")
    except Exception as e:  # the converter raises many types for malformed input
        raise LatexError(f"{type(e).__name__}: {e}") from None
    return _math_cleaner().clean(mathml)
