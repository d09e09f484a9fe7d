"""st.image and st.logo: images become media URLs (never inline bytes in a message).

Accepted images: PIL images, numpy arrays (HW, HW1, HWC with 3 or 4 channels; RGB or BGR; floats in
[0, 1] or integers in [0, 255], clamped on request), bytes and file-like objects of a known image
format, file paths, ``http(s)`` URLs (passed to the browser as they are), and SVG markup. SVG is
served as ``image/svg+xml`` and only ever shown through ``<img>``, where it cannot run script; its
media URL carries a sandbox CSP should anyone open it directly. Pillow and numpy are imported only
when such an object is passed (the ``media`` extra).
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from typing import Any, Literal

from bastion.app import media
from bastion.app.container import SIDEBAR, _call_on, emit
from bastion.app.errors import InvalidArgument
from bastion.protocol.app import Image, ImageItem, Logo

Channels = Literal["RGB", "BGR"]
OutputFormat = Literal["auto", "PNG", "JPEG", "JPG"]

# Magic numbers of the formats browsers show in <img>.
_MAGIC: tuple[tuple[bytes, int, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"WEBP", 8, "image/webp"),
    (b"BM", 0, "image/bmp"),
    (b"\x00\x00\x01\x00", 0, "image/x-icon"),
    (b"ftypavif", 4, "image/avif"),
)
_SAFE_DATA_URL = ("data:image/png;", "data:image/jpeg;", "data:image/gif;", "data:image/webp;")


def sniff_image(data: bytes) -> str | None:
    for magic, offset, mimetype in _MAGIC:
        if data[offset : offset + len(magic)] == magic:
            return mimetype
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<svg", b"<?xml")) and b"<svg" in head:
        return "image/svg+xml"
    return None


def _is_svg_text(s: str) -> bool:
    head = s.lstrip()[:1024].lower()
    return head.startswith(("<svg", "<?xml")) and "<svg" in head


def image_url(
    what: str,
    image: object,
    *,
    clamp: bool = False,
    channels: str = "RGB",
    output_format: str = "auto",
) -> str:
    """The URL the browser loads `image` from (a media URL, or the script's http(s) URL)."""
    if isinstance(image, str):
        if image.startswith(("http://", "https://")):
            return image
        if image.startswith(_SAFE_DATA_URL):
            return image
        if _is_svg_text(image):
            return media.add(image.encode("utf-8"), "image/svg+xml")
        return _path_url(what, image)
    if isinstance(image, os.PathLike):
        return _path_url(what, image)
    if isinstance(image, bytes | bytearray | memoryview):
        return _bytes_url(what, bytes(image))
    if hasattr(image, "read") and callable(image.read):
        data = image.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        if not isinstance(data, bytes):
            raise InvalidArgument(what, "image", "a file opened in binary mode", image)
        return _bytes_url(what, data)
    module = type(image).__module__
    if module.startswith("PIL."):
        return _pil_url(image, output_format)
    if module.startswith("numpy") or hasattr(image, "__array_interface__"):
        return _pil_url(numpy_to_pil(what, image, clamp, channels), output_format)
    raise InvalidArgument(
        what,
        "image",
        "a PIL image, a numpy array, bytes, a file path, an http(s) URL or SVG markup",
        image,
    )


def _path_url(what: str, path: str | os.PathLike[str]) -> str:
    name = os.fspath(path)
    if name.lower().endswith(".svg"):
        return media.add(path, "image/svg+xml")
    try:
        with open(name, "rb") as f:
            head = f.read(64)
    except OSError:
        raise InvalidArgument(
            what, "image", "an existing image file (path relative to the working directory)", name
        ) from None
    mimetype = sniff_image(head)
    if mimetype is None:
        raise InvalidArgument(what, "image", "a PNG, JPEG, GIF, WebP, BMP, AVIF or SVG file", name)
    return media.add(path, mimetype)


def _bytes_url(what: str, data: bytes) -> str:
    mimetype = sniff_image(data)
    if mimetype is None:
        raise InvalidArgument(
            what, "image", "bytes of a PNG, JPEG, GIF, WebP, BMP, AVIF or SVG image", data[:16]
        )
    return media.add(data, mimetype)


def _pil_url(img: Any, output_format: str) -> str:
    fmt = output_format.upper()
    if fmt == "AUTO":
        fmt = "JPEG" if getattr(img, "format", None) == "JPEG" else "PNG"
    if fmt == "JPG":
        fmt = "JPEG"
    if fmt == "JPEG" and img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    buf = io.BytesIO()
    img.save(buf, format=fmt)
    return media.add(buf.getvalue(), "image/jpeg" if fmt == "JPEG" else "image/png")


def numpy_to_pil(what: str, image: object, clamp: bool, channels: str) -> Any:
    import numpy as np
    from PIL import Image as PILImage

    arr = np.asarray(image)
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] not in (3, 4)):
        raise InvalidArgument(
            what,
            "image",
            "an array of shape (H, W), (H, W, 1), (H, W, 3) or (H, W, 4)",
            f"an array of shape {arr.shape}",
        )
    if arr.dtype == np.bool_:
        arr = arr.astype(np.uint8) * 255
    elif arr.dtype.kind == "f":
        if clamp:
            arr = np.clip(arr, 0.0, 1.0)
        elif arr.size and (np.nanmin(arr) < 0.0 or np.nanmax(arr) > 1.0):
            raise InvalidArgument(
                what,
                "image",
                "float pixel values in [0.0, 1.0] (or pass clamp=True)",
                f"values in [{np.nanmin(arr)}, {np.nanmax(arr)}]",
            )
        arr = (np.nan_to_num(arr) * 255).round().astype(np.uint8)
    elif arr.dtype.kind in "iu":
        if clamp:
            arr = np.clip(arr, 0, 255)
        elif arr.size and (arr.min() < 0 or arr.max() > 255):
            raise InvalidArgument(
                what,
                "image",
                "pixel values in [0, 255] (or pass clamp=True)",
                f"values in [{arr.min()}, {arr.max()}]",
            )
        arr = arr.astype(np.uint8)
    else:
        raise InvalidArgument(what, "image", "a numeric array", f"dtype {arr.dtype}")
    if arr.ndim == 3 and channels == "BGR":
        arr = arr[:, :, [2, 1, 0, 3][: arr.shape[2]]]
    return PILImage.fromarray(np.ascontiguousarray(arr))


def _check_width(width: object) -> tuple[int | None, bool]:
    if width is None or width == "content":
        return None, False
    if width == "stretch":
        return None, True
    if isinstance(width, bool) or not isinstance(width, int) or width <= 0:
        raise InvalidArgument("image", "width", "a positive int, 'content' or 'stretch'", width)
    return width, False


def image(
    image: Any,
    caption: str | Sequence[str] | None = None,
    width: int | Literal["content", "stretch"] | None = None,
    use_column_width: bool | Literal["auto", "always", "never"] | None = None,
    clamp: bool = False,
    channels: Channels = "RGB",
    output_format: OutputFormat = "auto",
    *,
    use_container_width: bool = False,
) -> Any:
    if channels not in ("RGB", "BGR"):
        raise InvalidArgument("image", "channels", "'RGB' or 'BGR'", channels)
    if not isinstance(output_format, str) or output_format.upper() not in (
        "AUTO",
        "PNG",
        "JPEG",
        "JPG",
    ):
        raise InvalidArgument("image", "output_format", "'auto', 'PNG' or 'JPEG'", output_format)
    px, stretch = _check_width(width)
    if use_column_width in (True, "always"):
        stretch = True
    images = list(image) if isinstance(image, list | tuple) else [image]
    if not images:
        raise InvalidArgument("image", "image", "an image or a non-empty list of images", image)
    if caption is None:
        captions: list[str | None] = [None] * len(images)
    elif isinstance(caption, str):
        captions = [caption] * len(images)
    else:
        captions = [None if c is None else str(c) for c in caption]
        if len(captions) != len(images):
            raise InvalidArgument(
                "image",
                "caption",
                f"one caption per image ({len(images)})",
                f"{len(captions)} captions",
            )
    items = tuple(
        ImageItem(
            url=image_url(
                "image", img, clamp=bool(clamp), channels=channels, output_format=output_format
            ),
            caption=cap,
        )
        for img, cap in zip(images, captions, strict=True)
    )
    element = Image(
        images=items, width=px, use_container_width=bool(use_container_width) or stretch
    )
    return emit("image", element, [i.url for i in items])


def logo(
    image: Any,
    *,
    size: Literal["small", "medium", "large"] = "medium",
    link: str | None = None,
    icon_image: Any = None,
) -> None:
    """The app's logo, at the top of the sidebar. `link` (http or https) makes it a link."""
    if size not in ("small", "medium", "large"):
        raise InvalidArgument("logo", "size", "'small', 'medium' or 'large'", size)
    if link is not None and (
        not isinstance(link, str) or not link.lower().startswith(("http://", "https://"))
    ):
        raise InvalidArgument("logo", "link", "an http:// or https:// URL", link)
    url = image_url("logo", image)
    icon = image_url("logo", icon_image) if icon_image is not None else None
    _call_on(SIDEBAR, _emit_logo, Logo(url=url, icon_url=icon, link=link, size=size))


def _emit_logo(element: Logo) -> None:
    emit("logo", element, element.url)
