"""st.html and st.components.v1: html(), iframe(), declare_component().

`st.html` is sanitized like markdown with `unsafe_allow_html` (no script, no handler, no style:
the CSP would block inline styles anyway). HTML that must run scripts goes through
`components.v1.html`, which shows it in a sandboxed iframe (scripts, but an opaque origin: no
access to the app, its cookies or its socket). Declared components are widgets: the value a
component sends is validated like any widget value (JSON of bounded depth and size).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import msgspec

from bastion.app import context, markup, widgets
from bastion.app.container import DeltaGenerator, emit
from bastion.app.errors import InvalidArgument
from bastion.app.frames import ComponentSource
from bastion.app.state import InvalidValue
from bastion.protocol.app import Frame, Html

FRAME_PREFIX = "_bastion/frame/"
COMPONENT_PREFIX = "_bastion/component/"
MAX_COMPONENT_VALUE = 1_000_000  # bytes of JSON a component may send as its value
MAX_ARGS = 4_000_000
_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,128}$")


def _dimension(func: str, param: str, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100_000:
        raise InvalidArgument(func, param, "a number of pixels (0..100000) or None", value)
    return value


def html(body: object, *, width: object = None) -> DeltaGenerator:
    """Insert HTML, sanitized: tags and attributes on the allow-list stay; scripts never run."""
    text: str
    if hasattr(body, "_repr_html_"):
        text = str(body._repr_html_())
    elif isinstance(body, os.PathLike) or (
        isinstance(body, str) and body.endswith((".html", ".htm")) and "\n" not in body
    ):
        path = Path(os.fspath(body))
        text = path.read_text(encoding="utf-8") if path.is_file() else str(body)
    elif isinstance(body, str):
        text = body
    else:
        raise InvalidArgument("html", "body", "a str, a path or an object with _repr_html_", body)
    return emit("html", Html(body_html=markup.sanitize(text)), text)


def _frame(
    func: str, src: str, width: object, height: object, scrolling: object, **kw: Any
) -> Frame:
    return Frame(
        src=src,
        width=_dimension(func, "width", width),
        height=_dimension(func, "height", height),
        scrolling=bool(scrolling),
        **kw,
    )


def components_html(
    html: str,
    width: int | None = None,
    height: int | None = None,
    scrolling: bool = False,
    *,
    tab_index: int | None = None,
) -> DeltaGenerator:
    """Run `html` (scripts included) in a sandboxed iframe, `height` pixels high (150 default)."""
    if not isinstance(html, str):
        raise InvalidArgument("components.v1.html", "html", "a str", html)
    ctx = context.get("components.v1.html")
    try:
        digest = ctx.session.runtime.frames.put_html(html)
    except ValueError as exc:
        raise InvalidArgument("components.v1.html", "html", "at most 8 MB", "…", str(exc)) from None
    frame = _frame(
        "components.v1.html",
        FRAME_PREFIX + digest,
        width,
        150 if height is None else height,
        scrolling,
        tab_index=tab_index,
        title="st.components.v1.html",
    )
    return emit("components.v1.html", frame, html)


def _check_url(func: str, param: str, url: object) -> str:
    if not isinstance(url, str):
        raise InvalidArgument(func, param, "an http or https URL", url)
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise InvalidArgument(
            func,
            param,
            "an http or https URL",
            url,
            "Other schemes (javascript:, data:, file:) are refused: they would run in the app.",
        )
    return url.strip()


def iframe(
    src: str,
    width: int | None = None,
    height: int | None = None,
    scrolling: bool = False,
    *,
    tab_index: int | None = None,
) -> DeltaGenerator:
    """Show the page at `src` (http/https only) in a sandboxed iframe."""
    url = _check_url("components.v1.iframe", "src", src)
    frame = _frame(
        "components.v1.iframe",
        url,
        width,
        150 if height is None else height,
        scrolling,
        tab_index=tab_index,
        title=url,
    )
    return emit("components.v1.iframe", frame, url)


def _check_value(value: object) -> Any:
    try:
        data = msgspec.json.encode(value)
    except (TypeError, msgspec.EncodeError):
        raise InvalidValue(f"a component value must be JSON, got {type(value).__name__}") from None
    if len(data) > MAX_COMPONENT_VALUE:
        raise InvalidValue(
            f"a component value of {len(data)} bytes exceeds {MAX_COMPONENT_VALUE} bytes"
        )
    return value


class ComponentFunc:
    """What `declare_component` returns: call it to render the component and get its value."""

    def __init__(self, source: ComponentSource) -> None:
        self.source = source
        self.name = source.name

    def __repr__(self) -> str:
        return f"ComponentFunc(name={self.name!r})"

    def __call__(
        self,
        *args: Any,
        default: Any = None,
        key: str | int | None = None,
        on_change: Callable[..., Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        func = self.name
        if args:
            raise InvalidArgument(
                func, "args", "keyword arguments only", args, "Call it as component(name=value)."
            )
        try:
            args_json = json.dumps(kwargs, sort_keys=True, default=str, allow_nan=False)
        except ValueError as exc:
            raise InvalidArgument(func, "kwargs", "JSON-compatible values", kwargs) from exc
        if len(args_json) > MAX_ARGS:
            raise InvalidArgument(func, "kwargs", f"at most {MAX_ARGS} bytes of JSON", "…")
        c = widgets.Common(func, self.name, key, None, on_change, None, None, False)
        ctx = c.ctx
        ctx.session.runtime.frames.register(self.source)
        w, value, _ = c.register((args_json,), default, _check_value, _check_value)
        src = self.source.url or f"{COMPONENT_PREFIX}{self.name}/index.html"
        frame = Frame(
            src=src,
            component=self.name,
            id=w.id,
            args_json=args_json,
            form_id=c.form_id,
            title=self.name,
        )
        c.emit(w, frame, kwargs)
        return value


def declare_component(
    name: str, path: str | os.PathLike[str] | None = None, url: str | None = None
) -> ComponentFunc:
    """A custom component, Streamlit's v1 API: built files in `path`, or a dev server at `url`."""
    func = "components.v1.declare_component"
    if not isinstance(name, str) or not name:
        raise InvalidArgument(func, "name", "a non-empty str", name)
    short = name.rsplit(".", 1)[-1] if "." in name and not _NAME.match(name) else name
    safe = re.sub(r"[^A-Za-z0-9_.\-]", "_", short)[:128]
    if (path is None) == (url is None):
        raise InvalidArgument(
            func,
            "path",
            "exactly one of path= and url=",
            (path, url),
            "Give the folder of the built component (path=) or its dev server (url=).",
        )
    if url is not None:
        return ComponentFunc(ComponentSource(safe, url=_check_url(func, "url", url)))
    folder = Path(os.fspath(path)).resolve()  # type: ignore[arg-type]
    if not folder.is_dir():
        raise InvalidArgument(
            func, "path", "an existing folder", str(path), "Build the component first."
        )
    return ComponentFunc(ComponentSource(safe, path=folder))


def __getattr__(name: str) -> Any:
    # `st.components` resolves here (bastion.app.api OTHERS): the `bastion.components` package.
    if name == "components":
        import importlib

        return importlib.import_module("bastion.components")
    raise AttributeError(name)
