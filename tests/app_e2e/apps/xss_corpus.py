"""The XSS corpus and the table of text paths it is rendered through (issue 6).

`PAYLOADS` are hostile strings; every one of them, if it ever ran, would call `alert()` (or
`confirm`/`prompt`) or assign `window.__pwned`, both of which the e2e test hooks. `TEXT_PATHS` is
the table of every way an app shows text: a name and a function that renders all payloads through
that path at once (one page per path keeps the test fast). Other element families add their rows
here (`TEXT_PATHS["dataframe_cells"] = ...`) once they merge `guard`.
"""

from __future__ import annotations

import contextlib
import html
import urllib.parse
from collections.abc import Callable
from typing import Any

_ACTIONS = ("alert(1)", "window.__pwned=1", "confirm(1)", "top.__pwned=1", "prompt(1)")

_BASE = [
    # script tags
    "<script>alert(1)</script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<script src=data:text/javascript,alert(1)></script>",
    "<script>window.__pwned=1</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<script\x20type='text/javascript'>alert(1)</script>",
    "<script/xss>alert(1)</script>",
    '"><script>alert(1)</script>',
    "'><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "</style><script>alert(1)</script>",
    "<<script>alert(1);//<</script>",
    # event handlers
    "<img src=x onerror=alert(1)>",
    "<img src=x onerror='window.__pwned=1'>",
    '<img src="x" onerror="alert(1)">',
    "<IMG SRC=x OnErRoR=alert(1)>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<img/src=x/onerror=alert(1)>",
    "<img src=x onerror\x0b=alert(1)>",
    "<body onload=alert(1)>",
    "<div onmouseover=alert(1)>hover</div>",
    "<a onclick=alert(1)>click</a>",
    "<input autofocus onfocus=alert(1)>",
    "<select autofocus onfocus=alert(1)>",
    "<textarea autofocus onfocus=alert(1)>",
    "<keygen autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)>",
    "<audio src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<marquee onstart=alert(1)>",
    "<iframe onload=alert(1)>",
    "<object data=x onerror=alert(1)>",
    "<p onpointerenter=alert(1)>p</p>",
    "<span onanimationstart=alert(1) style=animation-name:x>",
    "<x contenteditable onblur=alert(1)>lose focus!",
    "<button popovertarget=x>b</button><p id=x popover onbeforetoggle=alert(1)>",
    # javascript:, data:, vbscript: URLs
    "<a href=javascript:alert(1)>x</a>",
    "<a href='JaVaScRiPt:alert(1)'>x</a>",
    "<a href=' javascript:alert(1)'>x</a>",
    "<a href='jav&#x09;ascript:alert(1)'>x</a>",
    "<a href='jav&#x0A;ascript:alert(1)'>x</a>",
    "<a href='&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)'>x</a>",
    "<a href='javascript&colon;alert(1)'>x</a>",
    "<a href='data:text/html,<script>alert(1)</script>'>x</a>",
    "<a href='data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=='>x</a>",
    "<a href='vbscript:msgbox(1)'>x</a>",
    "<iframe src=javascript:alert(1)>",
    "<iframe src='data:text/html,<script>top.__pwned=1</script>'>",
    "<iframe srcdoc='<script>top.__pwned=1</script>'>",
    "<embed src=javascript:alert(1)>",
    "<object data=javascript:alert(1)>",
    "<form action=javascript:alert(1)><button>x</button></form>",
    "<button formaction=javascript:alert(1)>x</button>",
    "<math><a xlink:href=javascript:alert(1)>x</a></math>",
    "<base href=javascript:alert(1)//>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(1)'>",
    "<link rel=import href=data:text/html,<script>alert(1)</script>>",
    # SVG
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<svg><a><animate attributeName=href values=javascript:alert(1) /><text y=20>x</text></a>",
    "<svg><set attributeName=onmouseover to=alert(1)>",
    "<svg><foreignObject><img src=x onerror=alert(1)></foreignObject></svg>",
    "<svg><use href='data:image/svg+xml,<svg id=x onload=alert(1)>#x'/></svg>",
    "<svg><image href=x onerror=alert(1)>",
    "<svg/onload=window.__pwned=1>",
    # MathML and namespace confusion
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<math><maction actiontype=statusline xlink:href=javascript:alert(1)>x</maction></math>",
    "<math><mi xlink:href='data:x,<script>alert(1)</script>'>x</mi></math>",
    # CSS
    "<style>@import 'javascript:alert(1)';</style>",
    "<style>*{background:url(javascript:alert(1))}</style>",
    "<div style='background:url(javascript:alert(1))'>x</div>",
    "<div style='x:expression(alert(1))'>x</div>",
    "<p style='behavior:url(x.htc)'>x</p>",
    "<link rel=stylesheet href=data:text/css,*{x:expression(alert(1))}>",
    "<style>body{display:none}</style>",
    # mutation XSS (the parser re-reads what the sanitizer wrote)
    "<noscript><p title='</noscript><img src=x onerror=alert(1)>'>",
    "<svg></p><style><a id='</style><img src=1 onerror=alert(1)>'>",
    "<math><mtext><table><mglyph><style><!--</style><img title='--&gt;&lt;/mglyph&gt;"
    "&lt;img src=1 onerror=alert(1)&gt;'>",
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    "<a href='x' title='&lt;/a&gt;&lt;img src=x onerror=alert(1)&gt;'>x</a>",
    "<listing>&lt;img src=x onerror=alert(1)&gt;</listing>",
    "<xmp><img src=x onerror=alert(1)></xmp>",
    "<template><img src=x onerror=alert(1)></template>",
    "<table><td><img src=x onerror=alert(1)></table>",
    "<!--><img src=x onerror=alert(1)>-->",
    "<![CDATA[><img src=x onerror=alert(1)>]]>",
    "<?xml-stylesheet href=javascript:alert(1)?>",
    # markdown link and image tricks
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](javascript&#58;alert(1))",
    "[click](<javascript:alert(1)>)",
    "[click](  javascript:alert(1)  )",
    "[click](data:text/html,<script>alert(1)</script>)",
    "[click](vbscript:msgbox(1))",
    "![img](javascript:alert(1))",
    '![img](x"onerror="alert(1))',
    '![img](x "onerror=alert(1)")',
    "[a](x 'onclick=alert(1)')",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    '[x](#"onmouseover="alert(1))',
    "[![img](x)](javascript:alert(1))",
    "**<img src=x onerror=alert(1)>**",
    "`<img src=x onerror=alert(1)>`",
    "```\n</code><img src=x onerror=alert(1)>\n```",
    "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
    ":red[<img src=x onerror=alert(1)>]",
    ":blue-background[</span><img src=x onerror=alert(1)>]",
    # broken tags and parser edge cases
    "<img src=x onerror=alert(1)//",
    "<img src=x onerror=alert(1) ",
    '<img """><script>alert(1)</script>">',
    '<a href="javascript:alert(1)"',
    "<div <img src=x onerror=alert(1)>>",
    "<img src=`x` onerror=alert(1)>",
    "<img src=x onerror=&#97;lert(1)>",
    "<img src=x onerror=\\u0061lert(1)>",
    "<</p>img src=x onerror=alert(1)>",
    "<img src=x\nonerror=alert(1)>",
    "<img src=x\x00onerror=alert(1)>",
    "<svg\x0conload=alert(1)>",
    "\u003cimg src=x onerror=alert(1)\u003e",
    "<\u017fcript>alert(1)</\u017fcript>",  # long s, which uppercases to S
    "<img src=x onerror=alert(1)>" * 3,
    "<a href=x target=_blank rel=opener>opener</a>",
    "<a id=__pwned name=__pwned>clobber</a>",
    "<form id=__pwned><input name=x></form>",
    "<img name=alert src=x>",
]


def _variants(p: str) -> list[str]:
    """Encoded forms of one payload: entity, percent, and unicode escapes, and case mixing."""
    return [
        html.escape(p),  # must show as text, never run
        urllib.parse.quote(p),
        "".join(f"&#{ord(c)};" for c in p[:60]),
        "".join(f"&#x{ord(c):x};" for c in p[:60]),
        p.encode("unicode_escape").decode("ascii"),
        p.swapcase(),
    ]


def _build() -> list[str]:
    seen: dict[str, None] = {}
    for p in _BASE:
        seen[p] = None
    for p in _BASE[:40]:
        for v in _variants(p):
            seen[v] = None
    for i, action in enumerate(_ACTIONS):
        seen[f"<img src=x{i} onerror={action}>"] = None
        seen[f"[x{i}](javascript:{action})"] = None
    return list(seen)


PAYLOADS: list[str] = _build()


class _Repr:
    """An object whose repr is a payload: st.write(obj) must show it as text."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


Render = Callable[[Any, list[str]], None]


def _each(name: str, **kw: Any) -> Render:
    def render(st: Any, payloads: list[str]) -> None:
        fn = getattr(st, name)
        for p in payloads:
            fn(p, **kw)

    return render


def _widgets(name: str, **kw: Any) -> Render:
    def render(st: Any, payloads: list[str]) -> None:
        fn = getattr(st, name)
        for i, p in enumerate(payloads):
            fn(p, key=f"{name}{i}", help=p, **kw)

    return render


def _options(name: str) -> Render:
    def render(st: Any, payloads: list[str]) -> None:
        fn = getattr(st, name)
        if name == "radio":
            fn(payloads[0], payloads, captions=payloads, key=f"o-{name}", help=payloads[1])
        elif name == "multiselect":
            fn(payloads[0], payloads, default=payloads, key=f"o-{name}", help=payloads[1])
        elif name == "select_slider":
            fn(payloads[0], options=payloads, value=payloads[3], key=f"o-{name}")
        else:
            fn(payloads[0], payloads, key=f"o-{name}", help=payloads[1])

    return render


def _expanders(st: Any, payloads: list[str]) -> None:
    for p in payloads:
        with st.expander(p, expanded=True):
            st.write(p)


def _tabs(st: Any, payloads: list[str]) -> None:
    for tab, p in zip(st.tabs(payloads), payloads, strict=True):
        tab.write(p)


def _forms(st: Any, payloads: list[str]) -> None:
    for i, p in enumerate(payloads):
        with st.form(f"form{i}"):
            st.text_input(p, key=f"ft{i}")
            st.form_submit_button(p)


def _metric(st: Any, payloads: list[str]) -> None:
    for p in payloads:
        st.metric(p, p, delta=p, help=p)


def _json(st: Any, payloads: list[str]) -> None:
    st.json({p: [p, {"k": p}] for p in payloads}, expanded=True)


def _write_dict(st: Any, payloads: list[str]) -> None:
    st.write({p: p for p in payloads})


def _write_objects(st: Any, payloads: list[str]) -> None:
    for p in payloads:
        st.write(_Repr(p))


def _exceptions(st: Any, payloads: list[str]) -> None:
    for p in payloads:
        st.exception(ValueError(p))


def _uncaught(st: Any, payloads: list[str]) -> None:
    raise ValueError("\n".join(payloads))


def _status(st: Any, payloads: list[str]) -> None:
    for p in payloads:
        st.progress(50, text=p)
        with st.spinner(p):
            pass


def _page_title(st: Any, payloads: list[str]) -> None:
    st.set_page_config(page_title=payloads[0], page_icon=payloads[13])
    for p in payloads:
        st.text(p)


def _code(st: Any, payloads: list[str]) -> None:
    for p in payloads:
        st.code(p, language="html")


def _components_html(st: Any, payloads: list[str]) -> None:
    # Scripts run here by design, inside the sandbox: the payloads' `top.__pwned=1` and `alert()`
    # must not reach the app. The marker proves the frame's scripts did run.
    doc = "<script>window.__ran = 1</script>" + "\n".join(payloads)
    st.components.v1.html(doc, height=200, scrolling=True)


_SVG = (
    "<svg xmlns='http://www.w3.org/2000/svg' width='8' height='8' onload='top.__pwned=1'>"
    "<script>top.__pwned=1;alert(1)</script><rect width='8' height='8'/></svg>"
)


def _images(st: Any, payloads: list[str]) -> None:
    # Captions as plain text, and a scripted SVG that must stay inert inside <img>.
    st.image([_SVG] * len(payloads), caption=payloads)


def _downloads(st: Any, payloads: list[str]) -> None:
    for i, p in enumerate(payloads):
        st.download_button(p, p, file_name=p, key=f"dl{i}", help=p)


def _links(st: Any, payloads: list[str]) -> None:
    for i, p in enumerate(payloads):
        st.link_button(p, f"https://example.com/{i}", help=p)


def _video_subtitles(st: Any, payloads: list[str]) -> None:
    vtt = "WEBVTT\n\n00:00.000 --> 00:01.000\n" + "\n".join(payloads[:20])
    st.video(b"\x00" * 16, subtitles={p: vtt for p in payloads[:20]})


def _popovers(st: Any, payloads: list[str]) -> None:
    for p in payloads:
        with st.popover(p, help=p):
            st.write(p)


def _statuses(st: Any, payloads: list[str]) -> None:
    for i, p in enumerate(payloads):
        with st.status(p, expanded=True) as s:
            st.write(p)
        if i % 2:
            s.update(label=p, state="error")


def _toasts(st: Any, payloads: list[str]) -> None:
    for p in payloads:
        st.toast(p, icon="!", duration="infinite")
    st.toast("x").toast(payloads[0])


def _dialog(st: Any, payloads: list[str]) -> None:
    @st.dialog(" ".join(payloads[:40]))
    def box() -> None:
        for p in payloads:
            st.write(p)

    box()


def pages(size: int = 5) -> list[list[str]]:
    """The table cut into pages of `size` paths (one browser page each, to keep the test fast);
    a path that ends the run (an uncaught exception) gets a page of its own, last."""
    names = [n for n in TEXT_PATHS if n not in ENDS_RUN]
    return [names[i : i + size] for i in range(0, len(names), size)] + [[n] for n in ENDS_RUN]


ENDS_RUN = ("uncaught_exception",)

TEXT_PATHS: dict[str, Render] = {
    "markdown": _each("markdown"),
    "markdown_unsafe_allow_html": _each("markdown", unsafe_allow_html=True),
    "markdown_help": _each("markdown", help="<img src=x onerror=alert(1)>"),
    "title": _each("title"),
    "header": _each("header"),
    "subheader": _each("subheader"),
    "caption": _each("caption"),
    "caption_unsafe_allow_html": _each("caption", unsafe_allow_html=True),
    "text": _each("text"),
    "code": _code,
    "json": _json,
    "write_str": _each("write"),
    "write_unsafe_allow_html": _each("write", unsafe_allow_html=True),
    "write_dict": _write_dict,
    "write_objects": _write_objects,
    "success": _each("success"),
    "info": _each("info"),
    "warning": _each("warning"),
    "error": _each("error"),
    "exception": _exceptions,
    "uncaught_exception": _uncaught,
    "metric": _metric,
    "progress_spinner": _status,
    "page_config_and_text": _page_title,
    "expander_labels": _expanders,
    "tab_labels": _tabs,
    "form_labels": _forms,
    "button": _widgets("button"),
    "checkbox": _widgets("checkbox"),
    "toggle": _widgets("toggle"),
    "text_input": _widgets("text_input", value="<img src=x onerror=alert(1)>"),
    "text_area": _widgets("text_area", placeholder="<img src=x onerror=alert(1)>"),
    "number_input": _widgets("number_input"),
    "slider": _widgets("slider"),
    "radio_options_captions": _options("radio"),
    "selectbox_options": _options("selectbox"),
    "multiselect_options": _options("multiselect"),
    "select_slider_options": _options("select_slider"),
    "html": _each("html"),
    "components_html": _components_html,
    "image_captions_svg": _images,
    "download_button": _downloads,
    "link_button": _links,
    "file_uploader": _widgets("file_uploader"),
    "camera_input": _widgets("camera_input"),
    "video_subtitle_labels": _video_subtitles,
    "popover_labels": _popovers,
    "status_labels": _statuses,
    "toast_bodies": _toasts,
    "dialog_title_and_body": _dialog,
}


def _chat(st: Any, payloads: list[str]) -> None:
    # Names (and the initial drawn as avatar), short emoji-like avatars, message bodies and
    # placeholders, pinned and inline.
    for i, p in enumerate(payloads):
        avatar = p[:4] if "/" not in p[:4] and "." not in p[:4] and p[:4] else None
        with st.chat_message(p[:200], avatar=avatar if i % 2 else None):
            st.write(p)
    with st.container():
        st.chat_input(payloads[0], key="chat-inline")
    st.chat_input(payloads[1], key="chat-pinned")


def _write_stream(st: Any, payloads: list[str]) -> None:
    st.write_stream(iter(payloads))  # one element, redrawn as it grows

    async def agen() -> Any:
        for p in payloads:
            yield p
            yield {"k": p}

    st.write_stream(agen())


TEXT_PATHS["chat_message_and_input"] = _chat
TEXT_PATHS["write_stream"] = _write_stream


def _dataframes(st: Any, payloads: list[str]) -> None:
    # Cells, column names and the index as text; a link column keeps only safe schemes.
    import pandas as pd

    frame = pd.DataFrame({p[:60] + str(i): [p] * 3 for i, p in enumerate(payloads[:40])})
    st.dataframe(frame)
    st.table(pd.DataFrame({"cell": payloads[:40]}, index=payloads[40:80]))
    links = pd.DataFrame(
        {"link": ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>"]}
    )
    st.dataframe(
        links, column_config={"link": st.column_config.LinkColumn(display_text=payloads[0])}
    )
    st.data_editor(pd.DataFrame({"edit": payloads[:20]}), key="xss-editor")


def _charts(st: Any, payloads: list[str]) -> None:
    # Titles, axis and legend labels, tooltips: Vega draws them as SVG text, never as markup.
    import pandas as pd

    data = pd.DataFrame(
        {"x": range(5), **{p[:40] + str(i): range(5) for i, p in enumerate(payloads[:6])}}
    )
    st.line_chart(data, x="x", x_label=payloads[0], y_label=payloads[1])
    st.vega_lite_chart(
        pd.DataFrame({"a": payloads[:10], "b": range(10)}),
        {
            "title": payloads[2],
            "mark": {"type": "bar", "tooltip": True},
            "encoding": {
                "x": {"field": "a", "type": "nominal"},
                "y": {"field": "b", "type": "quantitative"},
            },
        },
    )


def _inputs(st: Any, payloads: list[str]) -> None:
    for i, p in enumerate(payloads[:60]):
        st.date_input(p, key=f"d{i}", help=p)
        st.time_input(p, key=f"t{i}")
        st.color_picker(p, key=f"c{i}")
    st.pills(payloads[0], payloads[:40], key="pills")
    st.segmented_control(payloads[1], payloads[:40], key="segmented")
    st.feedback("stars", key="feedback")


def _extras(st: Any, payloads: list[str]) -> None:
    from bastion.app.errors import InvalidArgument

    for p in payloads:
        st.badge(p.replace("[", "(").replace("]", ")"))
        # LaTeX that does not parse (a `%` comments the rest out) is refused, not shown.
        with contextlib.suppress(InvalidArgument):
            st.latex(r"\text{" + p.replace("{", "(").replace("}", ")").replace("\\", "/") + "}")
    st.help(_Shown(payloads[0]))


class _Shown:
    """An object whose repr and docstring are payloads, for st.help."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.__doc__ = text


TEXT_PATHS["dataframe_cells_and_columns"] = _dataframes
TEXT_PATHS["chart_titles_labels_tooltips"] = _charts
TEXT_PATHS["date_time_color_pills_labels"] = _inputs
TEXT_PATHS["badge_latex_help"] = _extras
