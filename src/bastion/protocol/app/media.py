"""Media and file elements: images, audio, video, uploads, downloads, links, the logo.

Media URLs (`url` fields) are relative to the app's base path (``_bastion/media/<id>.<ext>``) or,
for images only, absolute ``http(s)`` URLs the script named. Captions, names and file names are
plain text. An uploader's `upload_url` is a capability: an unguessable token bound to the session
and the widget; its value on the wire is the list of file ids the server returned for uploads.
"""

from __future__ import annotations

from typing import Literal

import msgspec

from bastion.protocol.app._base import LabelVisibility, _El

ButtonKind = Literal["primary", "secondary", "tertiary"]


class ImageItem(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    url: str
    caption: str | None = None  # plain text


class Image(_El, frozen=True, tag="image"):
    images: tuple[ImageItem, ...]
    width: int | None = None  # CSS pixels; None: natural size, capped at the container's
    use_container_width: bool = False


class Audio(_El, frozen=True, tag="audio"):
    url: str
    mimetype: str = ""
    start_time: float = 0
    end_time: float | None = None
    loop: bool = False
    autoplay: bool = False


class Subtitle(msgspec.Struct, frozen=True, kw_only=True):
    label: str  # plain text
    url: str  # a WebVTT file


class Video(_El, frozen=True, tag="video"):
    url: str
    mimetype: str = ""
    start_time: float = 0
    end_time: float | None = None
    loop: bool = False
    autoplay: bool = False
    muted: bool = False
    subtitles: tuple[Subtitle, ...] = ()


class UploadedFileInfo(msgspec.Struct, frozen=True, kw_only=True):
    file_id: str
    name: str  # plain text
    size: int
    type: str = ""


class FileUploader(_El, frozen=True, tag="file_uploader"):
    """Also `st.camera_input` (`camera=True`): the same upload path for a snapshot."""

    id: str
    label_html: str
    upload_url: str  # relative to the base path; POST a file's bytes, DELETE .../<file_id>
    files: tuple[UploadedFileInfo, ...] = ()
    accept: tuple[str, ...] = ()  # lower-case extensions with their dot; empty: any
    multiple: bool = False
    max_bytes: int = 0
    camera: bool = False
    audio: bool = False  # st.audio_input: record from the microphone, upload as a file
    sample_rate: int | None = None  # st.audio_input: WAV sample rate (None: the device's)
    form_id: str | None = None
    help_html: str | None = None
    disabled: bool = False
    label_visibility: LabelVisibility = "visible"
    key: str | None = None


class DownloadButton(_El, frozen=True, tag="download_button"):
    id: str
    label_html: str
    url: str
    file_name: str
    on_click: Literal["rerun", "ignore"] = "rerun"  # "ignore": the download only
    form_id: str | None = None  # always None: a download button cannot be in a form
    kind: ButtonKind = "secondary"
    icon: str | None = None
    help_html: str | None = None
    disabled: bool = False
    use_container_width: bool = False
    key: str | None = None


class LinkButton(_El, frozen=True, tag="link_button"):
    label_html: str
    url: str  # http, https or mailto only (checked by the server)
    kind: ButtonKind = "secondary"
    icon: str | None = None
    help_html: str | None = None
    disabled: bool = False
    use_container_width: bool = False


class Logo(_El, frozen=True, tag="logo"):
    """Shown at the top of the sidebar (the main header when there is no sidebar), not in
    the flow of elements."""

    url: str
    icon_url: str | None = None  # the collapsed-sidebar / small-screen variant
    link: str | None = None  # http or https only
    size: Literal["small", "medium", "large"] = "medium"
