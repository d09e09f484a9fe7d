"""st.file_uploader and st.camera_input: files arrive over HTTP, the widget holds their ids.

The element carries an upload URL with the widget's token (see `bastion.app.uploads`); the
browser POSTs each file there (the server streams it to disk and enforces the limits) and sends
the returned file ids as the widget's value. The value is checked against the files this session
uploaded through this widget, so a forged or foreign id is ignored like any invalid value. The
script gets `UploadedFile` objects (BytesIO with name, type, size, file_id), read afresh each run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

from bastion.app import widgets
from bastion.app.errors import InvalidArgument
from bastion.app.state import InvalidValue
from bastion.app.uploads import UploadedFile, UploadRecord, UploadSpec
from bastion.protocol.app import FileUploader, UploadedFileInfo

Visibility = Literal["visible", "hidden", "collapsed"]
UPLOAD_ROUTE = "_bastion/upload/"
CAMERA_TYPES = (".jpg", ".jpeg", ".png", ".webp")
AUDIO_TYPES = (".wav", ".webm", ".ogg")
SAMPLE_RATES = (8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000)


def normalize_types(kind: str, type: object) -> tuple[str, ...]:
    if type is None:
        return ()
    items = [type] if isinstance(type, str) else type
    if not isinstance(items, Sequence) or not all(isinstance(t, str) and t for t in items):
        raise InvalidArgument(kind, "type", "an extension or a list of extensions ('csv')", type)
    out: list[str] = []
    for t in items:
        ext = "." + t.strip().lower().lstrip(".")
        if len(ext) < 2 or "/" in ext or "\\" in ext or not ext[1:].replace(".", "").isalnum():
            raise InvalidArgument(kind, "type", "file extensions such as 'csv' or '.png'", t)
        out.append(ext)
        if ext == ".jpg":
            out.append(".jpeg")  # as Streamlit: jpg and jpeg are one type
    return tuple(dict.fromkeys(out))


def _make(
    c: widgets.Common,
    accept: tuple[str, ...],
    multiple: bool,
    camera: bool,
    audio: bool = False,
    sample_rate: int | None = None,
) -> tuple[UploadedFile, ...]:
    session = c.ctx.session
    store = session.runtime.uploads
    identity = (accept, multiple)
    wid = widgets.widget_id(c.kind, c.key, c.form_id, (c.label, c.help, *identity))
    max_one = not multiple

    def parse(raw: object) -> tuple[str, ...]:
        if not isinstance(raw, list):
            raise InvalidValue(f"expected a list of file ids, got {raw!r}")
        return check(raw)

    def check(value: object) -> tuple[str, ...]:
        if not isinstance(value, list | tuple):
            raise InvalidValue(
                f"st.{c.kind} values cannot be set through st.session_state (got {value!r}): "
                "only the browser uploads files"
            )
        if max_one and len(value) > 1:
            raise InvalidValue("this uploader takes one file")
        try:
            records = store.files_for(session.id, wid, value)
        except ValueError as e:
            raise InvalidValue(str(e)) from None
        return tuple(r.file_id for r in records)

    spec = UploadSpec(accept=accept, multiple=multiple, max_bytes=store.max_file_bytes)
    token = store.token_for(session.id, wid, spec)
    w, value, shown = c.register(identity, (), parse, check)
    records: tuple[UploadRecord, ...] = ()
    shown_records: tuple[UploadRecord, ...] = ()
    try:
        records = store.files_for(session.id, wid, list(value))
        shown_records = store.files_for(session.id, wid, list(shown))
    except ValueError:
        pass  # removed since: shows and returns nothing
    element = FileUploader(
        **c.fields(w),
        upload_url=UPLOAD_ROUTE + token,
        files=tuple(
            UploadedFileInfo(file_id=r.file_id, name=r.name, size=r.size, type=r.type)
            for r in shown_records
        ),
        accept=accept,
        multiple=multiple,
        max_bytes=store.max_file_bytes,
        camera=camera,
        audio=audio,
        sample_rate=sample_rate,
    )
    c.emit(w, element, (w, records))
    return tuple(UploadedFile(r) for r in records)


def file_uploader(
    label: str,
    type: str | Sequence[str] | None = None,
    accept_multiple_files: bool = False,
    key: str | int | None = None,
    help: str | None = None,
    on_change: Callable[..., Any] | None = None,
    args: tuple[Any, ...] | list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    *,
    disabled: bool = False,
    label_visibility: Visibility = "visible",
) -> Any:
    c = widgets.Common(
        "file_uploader", label, key, help, on_change, args, kwargs, disabled, label_visibility
    )
    accept = normalize_types("file_uploader", type)
    if not isinstance(accept_multiple_files, bool):
        raise InvalidArgument(
            "file_uploader", "accept_multiple_files", "True or False", accept_multiple_files
        )
    files = _make(c, accept, accept_multiple_files, camera=False)
    if accept_multiple_files:
        return list(files)
    return files[0] if files else None


def camera_input(
    label: str,
    key: str | int | None = None,
    help: str | None = None,
    on_change: Callable[..., Any] | None = None,
    args: tuple[Any, ...] | list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    *,
    disabled: bool = False,
    label_visibility: Visibility = "visible",
) -> UploadedFile | None:
    c = widgets.Common(
        "camera_input", label, key, help, on_change, args, kwargs, disabled, label_visibility
    )
    files = _make(c, CAMERA_TYPES, False, camera=True)
    return files[0] if files else None


def audio_input(
    label: str,
    key: str | int | None = None,
    help: str | None = None,
    on_change: Callable[..., Any] | None = None,
    args: tuple[Any, ...] | list[Any] | None = None,
    kwargs: dict[str, Any] | None = None,
    *,
    disabled: bool = False,
    label_visibility: Visibility = "visible",
    sample_rate: int | None = 16000,
) -> UploadedFile | None:
    """A microphone recording (WAV, or WebM when the browser cannot decode its own recording),
    uploaded through the same checked path as st.file_uploader."""
    c = widgets.Common(
        "audio_input", label, key, help, on_change, args, kwargs, disabled, label_visibility
    )
    if sample_rate is not None and (
        isinstance(sample_rate, bool) or sample_rate not in SAMPLE_RATES
    ):
        raise InvalidArgument(
            "audio_input", "sample_rate", f"None or one of {SAMPLE_RATES}", sample_rate
        )
    files = _make(c, AUDIO_TYPES, False, camera=False, audio=True, sample_rate=sample_rate)
    return files[0] if files else None


experimental_audio_input = audio_input
