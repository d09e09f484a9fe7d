"""Multipage apps: the `pages/` folder, st.navigation, st.Page, st.switch_page, st.page_link.

Two ways to have pages, as in Streamlit:

- **A `pages/` folder** beside the main script. The main script is the first page; every other
  `*.py` in the folder (not starting with `_` or `.`) is a page, sorted by numeric prefix, then by
  name. In a file name the numeric prefix and separators are dropped, a leading emoji becomes the
  icon, underscores become spaces: `02_📈_Plot_demo.py` is "Plot demo", icon 📈, at `/Plot_demo`.
  Only the selected page's script runs.
- **`st.navigation(pages)`** in the main script (the entrypoint), which runs on every rerun as a
  frame around the page: `st.navigation` returns the selected page and `page.run()` runs it. An app
  whose main script calls `st.navigation` ignores its `pages/` folder.

A page is named on the wire by its URL path (`""` is the default page). The client says which
page its URL shows; the name is looked up among the app's pages and never used as a file path. An
unknown name runs the default page and tells the client (`PageNotFound`), as Streamlit does.

Widgets get the page in their identity (so one slider on two pages is two widgets), except in the
entrypoint, whose widgets are shared by all pages (a sidebar filter keeps its value). Switching
pages is a rerun: the widgets of a page no longer rendered are dropped at its end; user keys in
`st.session_state` stay.
"""

from __future__ import annotations

import ast
import os
import re
import threading
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from bastion.app import context, markup
from bastion.app.container import emit
from bastion.app.errors import AppError, InvalidArgument, RerunRequested
from bastion.app.script import Script
from bastion.protocol.app import Navigation, NavPage, PageLink, PageNotFound

if TYPE_CHECKING:
    from bastion.app.context import RunContext
    from bastion.app.session import AppSession

_NUMBER = re.compile(r"^([0-9]*)[_ -]*(.*)$")
_EXTERNAL = ("http://", "https://", "mailto:")


class PageError(AppError):
    """A page that does not exist, or a multipage call in the wrong place."""


def _is_emoji(ch: str) -> bool:
    return unicodedata.category(ch) == "So" or 0x1F000 <= ord(ch) <= 0x1FAFF


def _split_icon(name: str) -> tuple[str | None, str]:
    """A leading emoji (with its joiners and variation selectors) and the rest of the name."""
    i = 0
    while i < len(name) and (
        _is_emoji(name[i]) or name[i] in "\u200d\ufe0f\ufe0e" or 0x1F3FB <= ord(name[i]) <= 0x1F3FF
    ):
        i += 1
    if i == 0:
        return None, name
    return name[:i], name[i:].lstrip("_- ")


def name_from_file(stem: str) -> tuple[float, str | None, str]:
    """(sort number, icon, title) from a page file's stem, by Streamlit's rules."""
    match = _NUMBER.match(stem)
    number, rest = (match.group(1), match.group(2)) if match else ("", stem)
    icon, rest = _split_icon(rest)
    title = rest.replace("_", " ").strip() or stem
    return (float(number) if number else float("inf")), icon, title


def _url_from_title(title: str) -> str:
    return re.sub(r"\s+", "_", title.strip())


def _check_url_path(url_path: str) -> str:
    cleaned = url_path.strip("/")
    if "/" in cleaned or any(c in cleaned for c in "?#\\") or cleaned in (".", ".."):
        raise InvalidArgument(
            "Page",
            "url_path",
            "a single path segment (no '/', '?', '#' or '\\')",
            url_path,
            "Nested URL paths are not supported.",
        )
    return cleaned


class StreamlitPage:
    """`st.Page`: one page of a multipage app, from a script file or a function."""

    def __init__(
        self,
        page: str | os.PathLike[str] | Callable[[], Any],
        *,
        title: str | None = None,
        icon: str | None = None,
        url_path: str | None = None,
        default: bool = False,
    ) -> None:
        self._path: Path | None = None
        self._func: Callable[[], Any] | None = None
        inferred_icon: str | None = None
        if callable(page) and not isinstance(page, str | os.PathLike):
            self._func = page
            inferred = str(getattr(page, "__name__", "page")).replace("_", " ").strip()
        elif isinstance(page, str | os.PathLike):
            path = Path(page)
            if not path.is_absolute():
                path = _entry_dir() / path
            path = path.resolve()
            if not path.is_file():
                raise PageError(
                    f"st.Page(): no page script at {os.fspath(page)!r} (looked for {path}). "
                    "Give a path relative to the main script's folder, or a function."
                )
            self._path = path
            _, inferred_icon, inferred = name_from_file(path.stem)
        else:
            raise InvalidArgument("Page", "page", "a script path or a function", page)
        if title is not None and not isinstance(title, str):
            raise InvalidArgument("Page", "title", "a str or None", title)
        if icon is not None and (not isinstance(icon, str) or len(icon) > 64):
            raise InvalidArgument("Page", "icon", "an emoji or a short str", icon)
        self.title: str = title if title else inferred
        self.icon: str | None = icon if icon is not None else inferred_icon
        if url_path is not None and not isinstance(url_path, str):
            raise InvalidArgument("Page", "url_path", "a str or None", url_path)
        self._url_path = _check_url_path(url_path) if url_path is not None else None
        if url_path is not None and not self._url_path and not default:
            raise InvalidArgument(
                "Page", "url_path", "a non-empty path", url_path, "Only the default page is at '/'."
            )
        self.default = bool(default)
        self._inferred_url = _url_from_title(inferred)

    @property
    def url_path(self) -> str:
        """The page's path under the app's URL ("" for the default page, as Streamlit reports)."""
        if self.default:
            return ""
        return self._url_path if self._url_path is not None else self._inferred_url

    @property
    def _route(self) -> str:
        # The name a non-default page would have; the default page is also reachable by it.
        return self._url_path if self._url_path else self._inferred_url

    @property
    def script_path(self) -> Path | None:
        return self._path

    def __repr__(self) -> str:
        return f"StreamlitPage(title={self.title!r}, url_path={self.url_path!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StreamlitPage):
            return NotImplemented
        return (self._path, self._func, self._route) == (other._path, other._func, other._route)

    def __hash__(self) -> int:
        return hash((self._path, self._route))

    def run(self) -> None:
        """Run this page (call it on the page `st.navigation` returned)."""
        ctx = context.get("Page.run")
        previous = ctx.page_salt
        ctx.page_salt = self._route or "\x00default"
        try:
            if self._func is not None:
                self._func()
            elif self._path is not None:
                run_script(ctx.session, ctx.session.runtime.pages.script(self._path))
        finally:
            ctx.page_salt = previous


Page = StreamlitPage


def _entry_dir() -> Path:
    ctx = context.peek()
    if ctx is not None:
        return Path(ctx.session.script.directory)
    return Path.cwd()


def run_script(session: AppSession, script: Script) -> None:
    from bastion.app.runner import ScriptRunner

    ScriptRunner.exec_script(script, session)


# --- the runtime's view: discovery and the page table ------------------------------------------


@dataclass(frozen=True, slots=True)
class FolderPage:
    url_path: str  # "" for the main script
    title: str
    icon: str | None
    script: Script


class AppPages:
    """A runtime's pages: the `pages/` folder (rescanned when it changes) and compiled pages."""

    def __init__(self, main: Script) -> None:
        self._main = main
        self._lock = threading.Lock()
        self._scripts: dict[Path, Script] = {}
        self._folder_stamp: int | None = None
        self._folder: tuple[FolderPage, ...] = ()
        self._nav_stamp: object = None
        self._nav_source = False
        self.navigation_seen = False

    def script(self, path: Path) -> Script:
        with self._lock:
            script = self._scripts.get(path)
            if script is None:
                script = self._scripts[path] = Script(path=path, magic=self._main.magic)
            return script

    def uses_navigation(self) -> bool:
        """The main script calls `st.navigation` (seen in a run, or named in its source)."""
        if self.navigation_seen:
            return True
        stamp = self._main.stamp()
        if stamp != self._nav_stamp:
            self._nav_source = _calls_navigation(self._main.source_text())
            self._nav_stamp = stamp
        return self._nav_source

    def folder(self) -> tuple[FolderPage, ...]:
        """The pages of the `pages/` folder beside the main script, main script first; () if
        there is no such folder (a single-page app)."""
        if self._main.path is None:
            return ()
        folder = Path(self._main.directory) / "pages"
        try:
            stamp = folder.stat().st_mtime_ns
        except OSError:
            return ()
        if stamp == self._folder_stamp:
            return self._folder
        found: list[tuple[float, str, Path, str | None]] = []
        for entry in os.scandir(folder):
            name = entry.name
            if not name.endswith(".py") or name.startswith(("_", ".")) or not entry.is_file():
                continue
            number, icon, title = name_from_file(name[:-3])
            found.append((number, title, Path(entry.path).resolve(), icon))
        found.sort(key=lambda f: (f[0], f[1].lower()))
        _, main_icon, main_title = name_from_file(Path(self._main.path).stem)
        pages = [FolderPage("", main_title, main_icon, self._main)]
        seen = {""}
        for _, title, path, icon in found:
            url = _url_from_title(title)
            if url in seen:
                continue  # two files with one name: the first in order wins, as in Streamlit
            seen.add(url)
            pages.append(FolderPage(url, title, icon, self.script(path)))
        with self._lock:
            self._folder, self._folder_stamp = tuple(pages), stamp
        return self._folder


def _calls_navigation(source: str) -> bool:
    """Whether the source calls something named `navigation` (comments and strings do not count).

    Decided before the first run, so that a deep link to a declared page runs the entrypoint
    rather than a file of a `pages/` folder the app does not use."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False  # the run reports the error
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name == "navigation":
                return True
    return False


def script_for_run(session: AppSession, ctx: RunContext) -> Script:
    """The script this run executes: the main script, or (with a `pages/` folder and no
    `st.navigation`) the selected page's script."""
    app = session.runtime.pages
    if app.uses_navigation():
        return session.script
    folder = app.folder()
    if not folder:
        return session.script
    wanted = session.page
    page = next((p for p in folder if p.url_path == wanted), None)
    if page is None:
        page = folder[0]
        session.push_event(PageNotFound(page=wanted))
    session.page = page.url_path
    ctx.page_salt = page.url_path or "\x00default"
    show = session.runtime.config.client.show_sidebar_navigation
    session.push_event(
        Navigation(
            pages=tuple(NavPage(url_path=p.url_path, title=p.title, icon=p.icon) for p in folder),
            current=page.url_path,
            position="sidebar" if show else "hidden",
        )
    )
    session.page_table = {p.url_path: (p.title, p.icon, p.script.path) for p in folder}
    return page.script


# --- st.navigation, st.switch_page, st.page_link -----------------------------------------------

PageSpec = StreamlitPage | str | os.PathLike[str]


def _as_page(item: object) -> StreamlitPage:
    if isinstance(item, StreamlitPage):
        return item
    if isinstance(item, str | os.PathLike):
        return StreamlitPage(item)
    raise InvalidArgument(
        "navigation", "pages", "st.Page objects or script paths", item, "Wrap functions in st.Page."
    )


def navigation(
    pages: Sequence[PageSpec] | Mapping[str, Sequence[PageSpec]],
    *,
    position: Literal["sidebar", "hidden", "top"] = "sidebar",
    expanded: bool = False,
) -> StreamlitPage:
    """Declare the app's pages; return the one to show (call `.run()` on it)."""
    ctx = context.get("navigation")
    if position not in ("sidebar", "hidden", "top"):
        raise InvalidArgument("navigation", "position", "'sidebar', 'hidden' or 'top'", position)
    sections: list[tuple[str | None, list[StreamlitPage]]] = []
    if isinstance(pages, Mapping):
        for name, items in pages.items():
            if isinstance(items, str | os.PathLike) or not isinstance(items, Sequence):
                raise InvalidArgument("navigation", "pages", "a list of pages per section", items)
            sections.append((str(name) if name else None, [_as_page(i) for i in items]))
    elif isinstance(pages, Sequence) and not isinstance(pages, str):
        sections.append((None, [_as_page(i) for i in pages]))
    else:
        raise InvalidArgument("navigation", "pages", "a list of pages or a dict of lists", pages)
    flat = [(section, page) for section, items in sections for page in items]
    if not flat:
        raise PageError("st.navigation() needs at least one page.")
    defaults = [page for _, page in flat if page.default]
    if len(defaults) > 1:
        raise PageError("st.navigation(): more than one page has default=True; mark only one.")
    default = defaults[0] if defaults else flat[0][1]
    table: dict[str, StreamlitPage] = {}
    nav: list[NavPage] = []
    for section, page in flat:
        url = "" if page is default else page._route
        if url in table:
            raise PageError(
                f"st.navigation(): two pages have the URL path {url!r}; give one of them "
                "another title or a url_path."
            )
        table[url] = page
        nav.append(NavPage(url_path=url, title=page.title, icon=page.icon, section=section))
    session = ctx.session
    session.runtime.pages.navigation_seen = True
    wanted = session.page
    chosen = table.get(wanted)
    if chosen is None and wanted == default._route:
        chosen = default
    if chosen is None:
        session.push_event(PageNotFound(page=wanted))
        chosen = default
    current = next(url for url, page in table.items() if page is chosen)
    session.page = current
    session.page_table = {
        url: (page.title, page.icon, str(page.script_path) if page.script_path else None)
        for url, page in table.items()
    }
    session.nav_pages = table
    session.push_event(
        Navigation(pages=tuple(nav), current=current, position=position, expanded=bool(expanded))
    )
    return chosen


def _resolve(session: AppSession, page: object, what: str) -> str:
    """The URL path of `page` (an st.Page, a script path, or a URL path) among the app's pages."""
    table = session.page_table
    if not table:
        raise PageError(
            f"st.{what}() needs a multipage app: add a pages/ folder beside the main script, or "
            "declare the pages with st.navigation()."
        )
    if isinstance(page, StreamlitPage):
        for url, known in (session.nav_pages or {}).items():
            if known == page:
                return url
        if page.script_path is not None:
            page = page.script_path
        else:
            raise PageError(f"st.{what}(): {page!r} is not one of the app's pages.")
    if not isinstance(page, str | os.PathLike):
        raise InvalidArgument(what, "page", "an st.Page or the path of a page script", page)
    text = os.fspath(page)
    if text.strip("/") in table:
        return text.strip("/")
    candidate = Path(text)
    if not candidate.is_absolute():
        candidate = Path(session.script.directory) / candidate
    resolved = str(candidate.resolve())
    for url, (_, _, path) in table.items():
        if path is not None and str(path) == resolved:
            return url
    titles = ", ".join(repr(entry[0]) for entry in table.values())
    raise PageError(
        f"st.{what}(): no page {text!r} in this app. Pass an st.Page or the path of a page script "
        f"relative to the main script (pages: {titles})."
    )


def switch_page(page: StreamlitPage | str | os.PathLike[str]) -> None:
    """Go to another page of the app now: the script stops and the new page runs."""
    ctx = context.get("switch_page")
    ctx.session.page = _resolve(ctx.session, page, "switch_page")
    raise RerunRequested


def page_link(
    page: StreamlitPage | str | os.PathLike[str],
    *,
    label: str | None = None,
    icon: str | None = None,
    help: str | None = None,
    disabled: bool = False,
    use_container_width: bool | None = None,
) -> None:
    """A link to a page of the app, or to an external http(s) or mailto URL."""
    ctx = context.get("page_link")
    if label is not None and not isinstance(label, str):
        raise InvalidArgument("page_link", "label", "a str or None", label)
    if icon is not None and (not isinstance(icon, str) or len(icon) > 64):
        raise InvalidArgument("page_link", "icon", "an emoji or a short str", icon)
    help_html = None
    if help is not None:
        if not isinstance(help, str):
            raise InvalidArgument("page_link", "help", "a str or None", help)
        help_html = markup.markdown(help)
    url_path: str | None = None
    href: str | None = None
    if isinstance(page, str) and ":" in page.split("/", 1)[0]:
        if not page.lower().startswith(_EXTERNAL):
            raise InvalidArgument(
                "page_link", "page", "an app page, or an http, https or mailto URL", page
            )
        if not label:
            raise InvalidArgument("page_link", "label", "a label for an external link", label)
        href = page
        shown = label
    else:
        url_path = _resolve(ctx.session, page, "page_link")
        title, page_icon, _ = ctx.session.page_table[url_path]
        shown = label or title
        icon = icon if icon is not None else page_icon
    element = PageLink(
        label_html=markup.inline(shown),
        url_path=url_path,
        href=href,
        icon=icon,
        help_html=help_html,
        disabled=bool(disabled),
        use_container_width=bool(use_container_width),
    )
    emit("page_link", element, shown)


def page_for_test(session: AppSession, page: str) -> str:
    """AppTest: the URL path of `page` (a script path relative to the main script, a URL path)."""
    if not session.page_table:
        folder = session.runtime.pages.folder()
        session.page_table = {p.url_path: (p.title, p.icon, p.script.path) for p in folder}
    return _resolve(session, page, "switch_page")
