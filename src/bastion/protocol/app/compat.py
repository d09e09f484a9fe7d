"""The newer `st.*` names: datetime_input, pdf, and what a browser reports about itself.

Wire values: datetime_input `"YYYY-MM-DDTHH:MM"` (or with `:SS`), naive local time, or null.
`ClientInfo` rides in `Hello` (optional, every field bounded): it feeds `st.context` and is never
trusted for anything but display (the script sees it as the user's claim).
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from bastion.protocol.app._base import LabelVisibility, _El

_Short = Annotated[str, msgspec.Meta(max_length=128)]
_Url = Annotated[str, msgspec.Meta(max_length=4096)]


class ClientInfo(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What the page knows about its browser: for `st.context` (locale, time zone, URL, theme)."""

    locale: _Short | None = None  # navigator.language, e.g. "en-US"
    timezone: _Short | None = None  # IANA name, e.g. "Europe/Berlin"
    timezone_offset: Annotated[int, msgspec.Meta(ge=-1440, le=1440)] | None = (
        None  # minutes, JS sign
    )
    url: _Url | None = None  # the page's URL (checked against the handshake's Host)
    theme: Literal["light", "dark"] | None = None


class DateTimeInput(_El, frozen=True, tag="datetime_input"):
    id: str
    label_html: str
    value: str | None  # "YYYY-MM-DDTHH:MM" or "YYYY-MM-DDTHH:MM:SS"
    min: str  # same form
    max: str
    step: int = 900  # seconds
    format: str = "YYYY/MM/DD"
    form_id: str | None = None
    help_html: str | None = None
    disabled: bool = False
    label_visibility: LabelVisibility = "visible"
    key: str | None = None


class Pdf(_El, frozen=True, tag="pdf"):
    """A PDF from the media store, shown in a frame of its own (the media route's sandbox CSP
    holds it: no script of the PDF can reach the app), with a download link as the fallback."""

    url: str
    height: int = 500  # CSS pixels
    name: str = "document.pdf"  # plain text


class GraphvizChart(_El, frozen=True, tag="graphviz_chart"):
    """A graph rendered to SVG on the server, shown only through `<img>` (SVG cannot run script
    there) from the media store."""

    url: str
    use_container_width: bool = False
