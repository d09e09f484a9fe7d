"""Multipage and login messages: the navigation menu, page links, page-not-found, auth redirects.

A page is named on the wire by its URL path (`""` for the default page), never by a file path:
the client says which page it shows (`Hello.page`, `Rerun.page`) and the server checks the name
against the pages it knows.
"""

from __future__ import annotations

from typing import Annotated, Final, Literal

import msgspec

from bastion.protocol.app._base import _El, _Msg

MAX_PAGE_NAME: Final = 256
PageName = Annotated[str, msgspec.Meta(max_length=MAX_PAGE_NAME)]


class NavPage(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """One entry of the navigation menu. `title` and `icon` are plain text."""

    url_path: str  # "" for the default page
    title: str
    icon: str | None = None
    section: str | None = None  # the heading this page is listed under (st.navigation's dict keys)


class Navigation(_Msg, frozen=True, tag="navigation"):
    """The app's pages and which one this run shows (sent at the start of every multipage run).

    The client shows the menu, sets the tab title from the current page (unless
    `st.set_page_config(page_title=)` gave one), and puts `current` in its URL: a change the
    client did not ask for (`st.switch_page`) becomes a new history entry.
    """

    pages: tuple[NavPage, ...]
    current: str
    position: Literal["sidebar", "hidden", "top"] = "sidebar"
    expanded: bool = False


class PageNotFound(_Msg, frozen=True, tag="page_not_found"):
    """The client asked for a page the app does not have; the server shows the default page."""

    page: str


class AuthRedirect(_Msg, frozen=True, tag="auth_redirect"):
    """`st.login()`, `st.logout()`: the browser goes to this same-origin path, never a full URL."""

    path: str


class PageLink(_El, frozen=True, tag="page_link"):
    """`st.page_link`: to one of the app's pages (`url_path`) or to an external `href`."""

    label_html: str
    url_path: str | None = None  # an app page: the client switches pages without a reload
    href: str | None = None  # an external link: http, https or mailto only (checked server-side)
    icon: str | None = None
    help_html: str | None = None
    disabled: bool = False
    use_container_width: bool = False
