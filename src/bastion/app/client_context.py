"""`st.context`: what the browser's connection says about the viewer, read-only.

The server adapter hands over the WebSocket handshake (`Handshake`: headers, peer address, scheme,
host) and the page adds its own report (`ClientInfo` in `Hello`: locale, time zone, URL, theme).
Our own secrets never reach the script: the `_bastion*` cookies (CSRF token, login identity and
flow) are removed from `cookies` and from the `Cookie` header, and `Authorization` headers are
dropped. Everything here is the viewer's claim, fine for display and formatting, never for
access decisions (use `st.user` for who someone is).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from bastion.app import context as _run
from bastion.protocol.app import ClientInfo

HIDDEN_COOKIE_PREFIXES = ("_bastion",)
HIDDEN_HEADERS = frozenset({"authorization", "proxy-authorization"})


@dataclass(frozen=True)
class Handshake:
    """What the server adapter knows of one connection (raw: filtered here)."""

    headers: Sequence[tuple[str, str]] = ()
    peer: str | None = None
    scheme: str = "http"
    host: str | None = None


def _hidden_cookie(name: str) -> bool:
    return name.startswith(HIDDEN_COOKIE_PREFIXES)


def parse_cookies(header: str) -> list[tuple[str, str]]:
    out = []
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name:
            out.append((name.strip(), value.strip()))
    return out


class Headers(Mapping[str, str]):
    """A case-insensitive, read-only multi-dict: `h["user-agent"]`, `h.get_all("accept")`."""

    __slots__ = ("_items",)

    def __init__(self, items: Sequence[tuple[str, str]]) -> None:
        self._items: dict[str, list[str]] = {}
        for name, value in items:
            self._items.setdefault(_title(name), []).append(value)

    def __getitem__(self, key: str) -> str:
        return self._items[_title(key)][-1]

    def get_all(self, key: str) -> list[str]:
        return list(self._items.get(_title(key), ()))

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and _title(key) in self._items

    def to_dict(self) -> dict[str, str]:
        return {k: v[-1] for k, v in self._items.items()}

    def __repr__(self) -> str:
        return f"Headers({self.to_dict()!r})"


def _title(name: str) -> str:
    return "-".join(p.capitalize() for p in name.split("-"))


@dataclass(frozen=True)
class Theme:
    type: str | None = None  # "light" or "dark", as the browser reported


@dataclass(frozen=True)
class ClientContext:
    headers: Headers = field(default_factory=lambda: Headers(()))
    cookies: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    ip_address: str | None = None
    url: str | None = None
    locale: str | None = None
    timezone: str | None = None
    timezone_offset: int | None = None
    theme: Theme = field(default_factory=Theme)

    @classmethod
    def build(cls, handshake: Handshake | None, info: ClientInfo | None) -> ClientContext:
        hs = handshake or Handshake()
        info = info or ClientInfo()
        kept_headers: list[tuple[str, str]] = []
        cookies: dict[str, str] = {}
        for name, value in hs.headers:
            low = name.lower()
            if low in HIDDEN_HEADERS:
                continue
            if low == "cookie":
                pairs = [(k, v) for k, v in parse_cookies(value) if not _hidden_cookie(k)]
                cookies.update(pairs)
                if pairs:
                    kept_headers.append((name, "; ".join(f"{k}={v}" for k, v in pairs)))
                continue
            kept_headers.append((name, value))
        return cls(
            headers=Headers(kept_headers),
            cookies=MappingProxyType(cookies),
            ip_address=_public_ip(hs.peer),
            url=_page_url(info.url, hs.scheme, hs.host),
            locale=info.locale,
            timezone=info.timezone,
            timezone_offset=info.timezone_offset,
            theme=Theme(info.theme),
        )


def _public_ip(peer: str | None) -> str | None:
    """The peer's address; None on loopback, as in Streamlit (a local viewer has no address)."""
    if not peer:
        return None
    try:
        if ipaddress.ip_address(peer).is_loopback:
            return None
    except ValueError:
        return None
    return peer


def _page_url(reported: str | None, scheme: str, host: str | None) -> str | None:
    """The page's URL as the browser reported it, if it is on this server's host; else the root."""
    base = None
    if host:
        base = f"{'https' if scheme in ('https', 'wss') else 'http'}://{host}/"
    if reported:
        parts = urlsplit(reported)
        if parts.scheme in ("http", "https") and host and parts.netloc.lower() == host.lower():
            return reported
    return base


class ContextProxy:
    """`st.context`: the running session's `ClientContext`, attribute by attribute."""

    __slots__ = ()

    @staticmethod
    def _get() -> ClientContext:
        ctx: ClientContext = _run.get("context").session.client_context
        return ctx

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._get(), name)

    def __repr__(self) -> str:
        return "st.context"


context = ContextProxy()
