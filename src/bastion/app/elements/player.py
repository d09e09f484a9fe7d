"""st.audio and st.video: media served by URL with byte ranges, so players can seek.

Data: bytes, file-like objects, file paths (streamed from disk), ``http(s)`` URLs (passed as
they are), and for audio a numpy array with `sample_rate` (encoded as 16-bit WAV). Times are
seconds (int, float), `datetime.timedelta`, or strings such as ``"1m30s"`` or ``"90s"``.
Subtitles (video): WebVTT or SRT text, bytes or a file, or a dict ``{label: subtitles}``.
"""

from __future__ import annotations

import datetime
import io
import mimetypes
import os
import re
import wave
from collections.abc import Mapping
from typing import Any

from bastion.app import media
from bastion.app.container import emit
from bastion.app.errors import InvalidArgument
from bastion.protocol.app import Audio, Subtitle, Video

_TIME_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(h|m|s|ms)?", re.IGNORECASE)
_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001, None: 1.0}


def parse_time(what: str, param: str, value: object, allow_none: bool) -> float | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool):
        raise InvalidArgument(what, param, "seconds (int, float, timedelta or '1m30s')", value)
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, datetime.timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, str) and value.strip():
        text = value.strip().lower().replace(" ", "")
        pos, seconds = 0, 0.0
        for m in _TIME_PART.finditer(text):
            if m.start() != pos:
                break
            seconds += float(m[1]) * _UNITS[m[2]]
            pos = m.end()
        if pos != len(text):
            raise InvalidArgument(what, param, "a duration such as '90s', '1m30s' or '2h'", value)
    else:
        raise InvalidArgument(what, param, "seconds (int, float, timedelta or '1m30s')", value)
    if not seconds >= 0 or seconds == float("inf"):
        raise InvalidArgument(what, param, "a finite number of seconds >= 0", value)
    return seconds


def media_url(what: str, data: object, mimetype: str | None) -> tuple[str, str]:
    """(URL, mimetype) for audio or video data."""
    if isinstance(data, str) and data.startswith(("http://", "https://")):
        return data, mimetype or ""
    if isinstance(data, str | os.PathLike):
        # A file's own type wins over the `format` default (an .mp3 is not audio/wav).
        mt = mimetypes.guess_type(os.fspath(data))[0] or mimetype
        return media.add(data, mt), mt or ""
    if isinstance(data, bytes | bytearray | memoryview):
        mt = mimetype or "application/octet-stream"
        return media.add(bytes(data), mt), mt
    if hasattr(data, "read") and callable(data.read):
        raw = data.read()
        if not isinstance(raw, bytes):
            raise InvalidArgument(what, "data", "a file opened in binary mode", data)
        mt = mimetype or "application/octet-stream"
        return media.add(raw, mt), mt
    raise InvalidArgument(what, "data", "bytes, a file-like object, a file path or a URL", data)


def wav_bytes(samples: Any, sample_rate: int) -> bytes:
    """16-bit PCM WAV of a numpy array: (n,) mono or (channels, n)."""
    import numpy as np

    arr = np.asarray(samples, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[np.newaxis, :]
    if arr.ndim != 2 or arr.shape[0] > 16:
        raise InvalidArgument(
            "audio", "data", "a 1-D array or a (channels, samples) array", f"shape {arr.shape}"
        )
    peak = float(np.max(np.abs(arr))) if arr.size else 0.0
    scaled = arr / peak if peak > 0 else arr
    pcm = (scaled.T * 32767).astype("<i2").tobytes()
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(arr.shape[0])
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm)
    return buf.getvalue()


def audio(
    data: Any,
    format: str = "audio/wav",
    start_time: Any = 0,
    *,
    sample_rate: int | None = None,
    end_time: Any = None,
    loop: bool = False,
    autoplay: bool = False,
) -> Any:
    start = parse_time("audio", "start_time", start_time, False) or 0.0
    end = parse_time("audio", "end_time", end_time, True)
    if type(data).__module__.startswith("numpy") or (
        isinstance(data, list) and sample_rate is not None
    ):
        if not isinstance(sample_rate, int) or isinstance(sample_rate, bool) or sample_rate <= 0:
            raise InvalidArgument(
                "audio", "sample_rate", "a positive int when data is an array", sample_rate
            )
        data, format = wav_bytes(data, sample_rate), "audio/wav"
    if not isinstance(format, str):
        raise InvalidArgument("audio", "format", "a mimetype such as 'audio/wav'", format)
    url, mimetype = media_url("audio", data, format)
    element = Audio(
        url=url,
        mimetype=mimetype,
        start_time=start,
        end_time=end,
        loop=bool(loop),
        autoplay=bool(autoplay),
    )
    return emit("audio", element, url)


def _vtt(text: str) -> str:
    """SRT to WebVTT (the only subtitle format browsers read); VTT is kept as it is."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    if text.startswith("WEBVTT"):
        return text
    body = re.sub(r"(\d\d:\d\d:\d\d),(\d\d\d)", r"\1.\2", text)
    return "WEBVTT\n\n" + body


def _subtitle_text(data: object) -> str:
    if isinstance(data, os.PathLike) or (
        isinstance(data, str) and "\n" not in data and os.path.isfile(data)
    ):
        with open(os.fspath(data), encoding="utf-8") as f:
            return f.read()
    if isinstance(data, bytes):
        return data.decode("utf-8")
    if hasattr(data, "read") and callable(data.read):
        raw = data.read()
        return raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
    if isinstance(data, str):
        return data
    raise InvalidArgument("video", "subtitles", "text, bytes, a file or a path", data)


def _subtitles(subtitles: object) -> tuple[Subtitle, ...]:
    if subtitles is None:
        return ()
    items = subtitles.items() if isinstance(subtitles, Mapping) else [("default", subtitles)]
    out = []
    for label, data in items:
        vtt = _vtt(_subtitle_text(data)).encode("utf-8")
        out.append(Subtitle(label=str(label), url=media.add(vtt, "text/vtt")))
    return tuple(out)


def video(
    data: Any,
    format: str = "video/mp4",
    start_time: Any = 0,
    *,
    subtitles: Any = None,
    end_time: Any = None,
    loop: bool = False,
    autoplay: bool = False,
    muted: bool = False,
) -> Any:
    start = parse_time("video", "start_time", start_time, False) or 0.0
    end = parse_time("video", "end_time", end_time, True)
    if not isinstance(format, str):
        raise InvalidArgument("video", "format", "a mimetype such as 'video/mp4'", format)
    url, mimetype = media_url("video", data, format)
    element = Video(
        url=url,
        mimetype=mimetype,
        start_time=start,
        end_time=end,
        loop=bool(loop),
        autoplay=bool(autoplay),
        muted=bool(muted),
        subtitles=_subtitles(subtitles),
    )
    return emit("video", element, url)
