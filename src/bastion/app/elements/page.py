"""st.set_page_config and st.query_params."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import Any, Literal

from bastion.app import context
from bastion.app.errors import InvalidArgument
from bastion.protocol.app import PageConfig


def set_page_config(
    page_title: str | None = None,
    page_icon: str | None = None,
    layout: Literal["centered", "wide"] | None = None,
    initial_sidebar_state: Literal["auto", "expanded", "collapsed"] | None = None,
    menu_items: Mapping[str, str | None] | None = None,
) -> None:
    ctx = context.get("set_page_config")
    if page_title is not None and not isinstance(page_title, str):
        raise InvalidArgument("set_page_config", "page_title", "a str or None", page_title)
    if page_icon is not None and (not isinstance(page_icon, str) or len(page_icon) > 64):
        raise InvalidArgument(
            "set_page_config",
            "page_icon",
            "an emoji or a short str",
            page_icon,
            "Image icons are not supported yet.",
        )
    if layout not in (None, "centered", "wide"):
        raise InvalidArgument("set_page_config", "layout", "'centered' or 'wide'", layout)
    if initial_sidebar_state not in (None, "auto", "expanded", "collapsed"):
        raise InvalidArgument(
            "set_page_config",
            "initial_sidebar_state",
            "'auto', 'expanded' or 'collapsed'",
            initial_sidebar_state,
        )
    ctx.session.push_event(
        PageConfig(
            title=page_title,
            icon=page_icon,
            layout=layout,
            initial_sidebar_state=initial_sidebar_state,
        )
    )


class QueryParams(MutableMapping[str, str]):
    """`st.query_params`: the page URL's query string, read and written as a dict of str.

    A key given several times reads as its last value (`get_all` gives them all). Writes update
    the browser's URL without a reload.
    """

    def _pairs(self) -> list[tuple[str, str]]:
        return context.get("query_params").session.query

    def _set(self, pairs: list[tuple[str, str]]) -> None:
        context.get("query_params").session.set_query(pairs)

    def __getitem__(self, key: str) -> str:
        values = [v for k, v in self._pairs() if k == key]
        if not values:
            raise KeyError(key)
        return values[-1]

    def __getattr__(self, key: str) -> str:
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            return self[key]
        except KeyError:
            raise AttributeError(f"st.query_params has no key {key!r}") from None

    def __setitem__(self, key: str, value: Any) -> None:
        if not isinstance(key, str):
            raise InvalidArgument("query_params", "key", "a str", key)
        pairs = [(k, v) for k, v in self._pairs() if k != key]
        if isinstance(value, Iterable) and not isinstance(value, str):
            pairs.extend((key, str(v)) for v in value)
        else:
            pairs.append((key, str(value)))
        self._set(pairs)

    def __setattr__(self, key: str, value: Any) -> None:
        self[key] = value

    def __delitem__(self, key: str) -> None:
        pairs = self._pairs()
        if not any(k == key for k, _ in pairs):
            raise KeyError(key)
        self._set([(k, v) for k, v in pairs if k != key])

    def __delattr__(self, key: str) -> None:
        try:
            del self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys(k for k, _ in self._pairs()))

    def __len__(self) -> int:
        return len(dict.fromkeys(k for k, _ in self._pairs()))

    def __repr__(self) -> str:
        return f"QueryParams({self.to_dict()!r})"

    def get_all(self, key: str) -> list[str]:
        return [v for k, v in self._pairs() if k == key]

    def to_dict(self) -> dict[str, str]:
        return {k: v for k, v in self._pairs()}

    def from_dict(self, params: Mapping[str, Any]) -> None:
        pairs: list[tuple[str, str]] = []
        for k, value in params.items():
            if isinstance(value, Iterable) and not isinstance(value, str):
                pairs.extend((str(k), str(v)) for v in value)
            else:
                pairs.append((str(k), str(value)))
        self._set(pairs)

    def clear(self) -> None:
        self._set([])
