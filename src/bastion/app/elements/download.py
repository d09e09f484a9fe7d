"""st.download_button and st.link_button.

A download's data goes into the media store as an attachment, so the browser fetches it from
the media route with ``Content-Disposition: attachment`` (never inline in a message). `on_click`
is as in current Streamlit: ``"rerun"`` (default: the click reruns the script and the button is
True for that run), ``"ignore"`` (download only, no rerun), or a callable (a callback, then the
rerun). A link button accepts ``http``, ``https`` and ``mailto`` URLs only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from bastion.app import markup, media, widgets
from bastion.app.container import emit
from bastion.app.errors import FormError, InvalidArgument
from bastion.protocol.app import DownloadButton, LinkButton

ButtonKind = Literal["primary", "secondary", "tertiary"]
LINK_SCHEMES = ("http", "https", "mailto")


def _check_kind(kind: str, value: object) -> Any:
    if value not in ("primary", "secondary", "tertiary"):
        raise InvalidArgument(kind, "type", "'primary', 'secondary' or 'tertiary'", value)
    return value


def _check_icon(kind: str, icon: object) -> str | None:
    if icon is not None and (not isinstance(icon, str) or len(icon) > 64):
        raise InvalidArgument(kind, "icon", "a short str (an emoji) or None", icon)
    return icon


def _data(data: object, mime: str | None) -> tuple[bytes, str]:
    if isinstance(data, str):
        return data.encode("utf-8"), mime or "text/plain; charset=utf-8"
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data), mime or "application/octet-stream"
    if hasattr(data, "read") and callable(data.read):
        raw = data.read()
        if isinstance(raw, str):
            return raw.encode("utf-8"), mime or "text/plain; charset=utf-8"
        if isinstance(raw, bytes):
            return raw, mime or "application/octet-stream"
    raise InvalidArgument(
        "download_button",
        "data",
        "str, bytes or a file-like object",
        data,
        "Convert other objects first, e.g. df.to_csv().encode().",
    )


def _check_trigger(value: object) -> bool:
    return bool(value)


def download_button(
    label: str,
    data: Any,
    file_name: str | None = None,
    mime: str | None = None,
    key: str | int | None = None,
    help: str | None = None,
    on_click: Callable[..., Any] | Literal["rerun", "ignore"] | None = "rerun",
    args: tuple[Any, ...] | list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    *,
    type: ButtonKind = "secondary",
    icon: str | None = None,
    disabled: bool = False,
    use_container_width: bool = False,
) -> bool:
    mode: Literal["rerun", "ignore"] = "rerun"
    callback: object = None
    if on_click == "ignore":
        mode = "ignore"
    elif on_click is None or on_click == "rerun":
        pass
    elif callable(on_click):
        callback = on_click
    else:
        raise InvalidArgument(
            "download_button", "on_click", "'rerun', 'ignore', a callable or None", on_click
        )
    c = widgets.Common(
        "download_button",
        label,
        key,
        help,
        callback,
        args,
        kwargs,
        disabled,
        callback_param="on_click",
    )
    if c.form_id is not None:
        raise FormError(
            f"st.download_button() cannot be used inside form {c.form_id!r}: a form only "
            "reruns the script when it is submitted. Put the download button outside the form."
        )
    kind = _check_kind(c.kind, type)
    icon = _check_icon(c.kind, icon)
    if file_name is not None and not isinstance(file_name, str):
        raise InvalidArgument(c.kind, "file_name", "a str or None", file_name)
    blob, mimetype = _data(data, mime)
    name = file_name or ("download.txt" if mimetype.startswith("text/plain") else "download")
    url = media.add(blob, mimetype, filename=name, attachment=True)
    w, value, _ = c.register(
        (kind, icon, file_name, mimetype, mode),
        False,
        widgets.parse_bool,
        _check_trigger,
        trigger=True,
    )
    element = DownloadButton(
        **c.fields(w, visibility=False),
        url=url,
        file_name=name,
        on_click=mode,
        kind=kind,
        icon=icon,
        use_container_width=bool(use_container_width),
    )
    c.emit(w, element)
    return bool(value) and mode == "rerun"


def check_link(kind: str, url: object) -> str:
    if not isinstance(url, str) or not url or not url.isprintable() or url != url.strip():
        raise InvalidArgument(kind, "url", "an http://, https:// or mailto: URL", url)
    scheme, sep, _ = url.partition(":")
    if not sep or scheme.lower() not in LINK_SCHEMES:
        raise InvalidArgument(
            kind,
            "url",
            "an http://, https:// or mailto: URL",
            url,
            "Other schemes (javascript:, data:, file:...) are refused: they can run code or "
            "read local files.",
        )
    return url


def link_button(
    label: str,
    url: str,
    *,
    help: str | None = None,
    type: ButtonKind = "secondary",
    icon: str | None = None,
    disabled: bool = False,
    use_container_width: bool = False,
) -> Any:
    label = widgets.check_label("link_button", label)
    kind = _check_kind("link_button", type)
    element = LinkButton(
        label_html=markup.inline(label),
        url=check_link("link_button", url),
        kind=kind,
        icon=_check_icon("link_button", icon),
        help_html=widgets.help_html(help, "link_button"),
        disabled=bool(disabled),
        use_container_width=bool(use_container_width),
    )
    return emit("link_button", element, url)
