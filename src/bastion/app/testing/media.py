"""AppTest wrappers for the media and file elements (`at.image`, `at.file_uploader`...)."""

from __future__ import annotations

from typing import Any

from bastion.app.testing.elements import Button, Element, Widget
from bastion.app.uploads import UploadedFile
from bastion.protocol import app as p


class Image(Element):
    type = "image"

    @property
    def urls(self) -> list[str]:
        return [i.url for i in self.proto.images]

    @property
    def captions(self) -> list[str | None]:
        return [i.caption for i in self.proto.images]


class Audio(Element):
    type = "audio"

    @property
    def url(self) -> str:
        return str(self.proto.url)


class Video(Audio):
    type = "video"


class LinkButton(Element):
    type = "link_button"

    @property
    def url(self) -> str:
        return str(self.proto.url)


class Logo(Element):
    type = "logo"


class DownloadButton(Button):
    type = "download_button"

    @property
    def url(self) -> str:
        return str(self.proto.url)

    @property
    def file_name(self) -> str:
        return str(self.proto.file_name)

    def data(self) -> bytes:
        """The bytes the browser would download."""
        session = self.root.session
        entry = session.runtime.media.get(self.url.rsplit("/", 1)[-1].split(".", 1)[0])
        if entry is None:
            raise LookupError(f"the download of {self.label!r} is no longer in the media store")
        if entry.data is not None:
            return entry.data
        return entry.path.read_bytes() if entry.path is not None else b""


class FileUploader(Widget):
    type = "file_uploader"

    @property
    def value(self) -> Any:
        pending = self.root._pending.get(self.id)
        ids = pending if pending is not None else self.root._state.value_of(self.id)
        records = self.root.session.runtime.uploads.files_for(
            self.root.session.id, self.id, list(ids)
        )
        files = [UploadedFile(r) for r in records]
        if self.proto.multiple:
            return files
        return files[0] if files else None

    def upload(self, name: str, data: bytes, type: str = "application/octet-stream") -> Any:
        """Upload a file as the browser would (same limits), then select it."""
        token = self.proto.upload_url.rsplit("/", 1)[-1]
        record = self.root.session.runtime.uploads.put(token, name, type, data)
        current = list(self.root._pending.get(self.id) or self.root._state.value_of(self.id))
        ids = [*current, record.file_id] if self.proto.multiple else [record.file_id]
        self.set_value(ids)
        return self

    def clear(self) -> Any:
        return self.set_value([])

    def wire_value(self, value: Any) -> Any:
        return list(value)


class CameraInput(FileUploader):
    type = "camera_input"


BY_ELEMENT: dict[type, type[Element]] = {
    p.Image: Image,
    p.Audio: Audio,
    p.Video: Video,
    p.LinkButton: LinkButton,
    p.Logo: Logo,
    p.DownloadButton: DownloadButton,
}
TYPES: dict[str, tuple[type[Element], ...]] = {
    cls.type: (cls,)
    for cls in (Image, Audio, Video, LinkButton, Logo, DownloadButton, FileUploader, CameraInput)
}
