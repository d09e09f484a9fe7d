"""Media and file elements through AppTest: image, audio, video, uploads, downloads, links, logo."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bastion.protocol.app import Rerun
from bastion.testing import AppTest

PNG_1PX = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


def app(src: str) -> AppTest:
    # Generous: the first script to import numpy and Pillow pays for it, slowly on a busy machine.
    return AppTest.from_string(src, default_timeout=30).run()


def media_bytes(at: AppTest, url: str) -> bytes:
    entry = at.session.runtime.media.get(url.rsplit("/", 1)[-1].split(".", 1)[0])
    assert entry is not None, url
    if entry.data is not None:
        return entry.data
    assert entry.path is not None
    return entry.path.read_bytes()


def test_image_sources_become_media_urls(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(PNG_1PX)
    at = app(
        f"""
        import numpy as np
        from PIL import Image
        import bastion as st
        st.image({PNG_1PX!r}, caption="bytes")
        st.image({str(tmp_path / "a.png")!r}, width=100)
        st.image(np.zeros((4, 5, 3), dtype=np.uint8), channels="BGR")
        st.image(np.full((2, 2), 1.5), clamp=True)
        st.image(Image.new("RGB", (3, 3), "red"), output_format="JPEG")
        st.image("https://example.com/x.png", use_container_width=True)
        st.image("<svg xmlns='http://www.w3.org/2000/svg'><circle r='4'/></svg>")
        st.image([{PNG_1PX!r}, {PNG_1PX!r}], caption=["one", "two"])
        """
    )
    assert not at.exception
    imgs = at.image
    assert len(imgs) == 8
    assert imgs[0].captions == ["bytes"]
    assert media_bytes(at, imgs[0].urls[0]) == PNG_1PX
    assert imgs[0].urls[0].startswith("_bastion/media/")
    assert imgs[0].urls[0].endswith(".png")
    assert imgs[1].proto.width == 100
    assert media_bytes(at, imgs[1].urls[0]) == PNG_1PX
    assert media_bytes(at, imgs[2].urls[0]).startswith(b"\x89PNG")
    assert media_bytes(at, imgs[4].urls[0]).startswith(b"\xff\xd8\xff")
    assert imgs[5].urls == ["https://example.com/x.png"]
    assert imgs[5].proto.use_container_width
    assert imgs[6].urls[0].endswith(".svg")
    assert imgs[7].captions == ["one", "two"]
    assert imgs[7].urls[0] == imgs[7].urls[1] == imgs[0].urls[0]  # same content, same URL


def test_same_image_keeps_its_url_across_reruns_and_old_ones_expire() -> None:
    at = app(
        f"""
        import bastion as st
        st.image({PNG_1PX!r})
        if st.checkbox("more"):
            st.image(b"GIF89a" + b"0" * 20)
        """
    )
    first = at.image[0].urls[0]
    at.checkbox[0].check().run()
    assert at.image[0].urls[0] == first
    gif = at.image[1].urls[0]
    assert gif.endswith(".gif")
    at.checkbox[0].uncheck().run()
    media = at.session.runtime.media
    entry = media.get(gif.rsplit("/", 1)[-1].split(".")[0])
    assert entry is not None
    assert entry.expires is not None  # in its grace period: no longer shown


@pytest.mark.parametrize(
    ("call", "message"),
    [
        ("st.image(b'not an image')", "bytes of a PNG"),
        ("st.image(np.zeros((2, 2, 2)))", "shape"),
        ("st.image(np.full((2, 2), 300))", "clamp=True"),
        ("st.image('missing.png')", "existing image file"),
        ("st.image(42)", "PIL image"),
        ("st.image(b'\\x89PNG\\r\\n\\x1a\\n', width=-1)", "positive int"),
        ("st.image([b'x'], caption=['a', 'b'])", "one caption per image"),
        ("st.link_button('x', 'javascript:alert(1)')", "http://, https:// or mailto"),
        ("st.link_button('x', ' https://a')", "http://, https:// or mailto"),
        ("st.logo(" + repr(PNG_1PX) + ", link='javascript:x')", "http:// or https://"),
        ("st.audio(np.zeros(10))", "sample_rate"),
        ("st.video(b'x', start_time='soon')", "'1m30s'"),
        ("st.download_button('d', object())", "str, bytes or a file-like"),
        ("st.file_uploader('f', type=['../x'])", "file extensions"),
    ],
)
def test_bad_arguments_name_the_field(call: str, message: str) -> None:
    at = app(f"import numpy as np\nimport bastion as st\n{call}")
    assert at.exception
    assert message in at.exception[0].message


def test_audio_and_video(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00" * 64)
    (tmp_path / "subs.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\nHello\n")
    at = app(
        f"""
        import datetime
        import numpy as np
        import bastion as st
        st.audio(np.sin(np.linspace(0, 100, 800)), sample_rate=8000, loop=True)
        st.audio(b"ID3xxxx", format="audio/mpeg", start_time="1m30s", end_time=100)
        st.video({str(clip)!r}, start_time=datetime.timedelta(seconds=3), muted=True,
                 autoplay=True, subtitles={{"English": {str(tmp_path / "subs.srt")!r}}})
        """
    )
    assert not at.exception
    wav, mp3 = at.audio
    assert media_bytes(at, wav.url)[:4] == b"RIFF"
    assert wav.proto.loop
    assert mp3.proto.start_time == 90
    assert mp3.proto.end_time == 100
    assert mp3.proto.mimetype == "audio/mpeg"
    video = at.video[0]
    assert video.proto.start_time == 3
    assert video.proto.muted
    assert video.proto.autoplay
    assert media_bytes(at, video.url) == b"\x00" * 64
    sub = video.proto.subtitles[0]
    assert sub.label == "English"
    vtt = media_bytes(at, sub.url).decode()
    assert vtt.startswith("WEBVTT")
    assert "00:00:01.000 --> 00:00:02.000" in vtt


def test_file_uploader_round_trip_and_callbacks() -> None:
    at = app(
        """
        import bastion as st
        st.session_state.setdefault("changes", 0)
        def changed():
            st.session_state.changes += 1
        f = st.file_uploader("CSV", type="csv", on_change=changed)
        if f is not None:
            st.write(f"{f.name} {f.type} {f.size} {f.getvalue().decode()}")
        many = st.file_uploader("Many", accept_multiple_files=True, key="many")
        st.write(f"many={[m.name for m in many]} changes={st.session_state.changes}")
        """
    )
    assert at.file_uploader[0].value is None
    assert at.file_uploader[1].value == []
    at.file_uploader[0].upload("data.csv", b"a,b\n1,2", "text/csv").run()
    assert at.markdown.values[0] == "data.csv text/csv 7 a,b\n1,2"
    assert "changes=1" in at.markdown.values[1]
    assert at.file_uploader[0].proto.files[0].name == "data.csv"
    up = at.file_uploader[1]
    up.upload("x.bin", b"1").upload("y.bin", b"22").run()
    assert "many=['x.bin', 'y.bin']" in at.markdown.values[-1]
    at.file_uploader[1].clear().run()
    assert "many=[]" in at.markdown.values[-1]


def test_uploader_refuses_wrong_types_and_forged_ids() -> None:
    at = app(
        """
        import bastion as st
        f = st.file_uploader("Image", type=["png", "jpg"])
        st.write(repr(f))
        g = st.file_uploader("Other")
        """
    )
    uploads = at.session.runtime.uploads
    from bastion.app.uploads import UploadRefused

    token = at.file_uploader[0].proto.upload_url.rsplit("/", 1)[-1]
    with pytest.raises(UploadRefused) as e:
        uploads.put(token, "evil.exe", "application/x-msdownload", b"MZ")
    assert e.value.status == 415
    assert at.file_uploader[0].proto.accept == (".png", ".jpg", ".jpeg")
    # A file uploaded through another widget, and an invented id, are not this widget's value.
    other = at.file_uploader[1].upload("o.txt", b"o")
    other_id = at._pending[other.id][0]
    session = at.session
    for forged in ([other_id], ["A" * 22], "x", [1], [other_id, other_id]):
        session.handle(Rerun(widgets={at.file_uploader[0].id: forged}))
        session.wait_idle(3)
        at._absorb()
        assert at.markdown.values[0] == "None"


def test_uploads_end_with_the_session() -> None:
    at = app("import bastion as st\nst.file_uploader('f')")
    at.file_uploader[0].upload("a.txt", b"abc").run()
    runtime = at.session.runtime
    folder = runtime.uploads.session_dir(at.session.id)
    assert folder is not None
    assert folder.is_dir()
    runtime.close_session(at.session)
    assert not folder.exists()


def test_session_state_cannot_set_an_uploader() -> None:
    at = app(
        """
        import bastion as st
        st.session_state["f"] = ["forged"]
        st.file_uploader("f", key="f")
        """
    )
    assert at.exception
    assert "is not a file uploaded through this widget" in at.exception[0].message


def test_camera_input_takes_one_image() -> None:
    at = app("import bastion as st\npic = st.camera_input('Smile')\nst.write(repr(pic))")
    cam = at.camera_input[0]
    assert cam.proto.camera
    cam.upload("snap.jpg", b"\xff\xd8\xff", "image/jpeg").run()
    assert at.camera_input[0].value.name == "snap.jpg"


def test_download_button_modes() -> None:
    at = app(
        """
        import io
        import bastion as st
        st.session_state.setdefault("n", 0)
        def bump():
            st.session_state.n += 1
        a = st.download_button("Text", "héllo", file_name="h.txt")
        b = st.download_button("Bytes", io.BytesIO(b"\\x00\\x01"), mime="application/x-thing",
                               on_click="ignore")
        c = st.download_button("Call", b"x", on_click=bump)
        st.write(f"{a} {b} {c} {st.session_state.n}")
        """
    )
    a, b, _ = at.download_button
    assert a.data() == "héllo".encode()
    assert a.file_name == "h.txt"
    assert b.data() == b"\x00\x01"
    assert b.proto.on_click == "ignore"
    entry = at.session.runtime.media.get(a.url.rsplit("/", 1)[-1].split(".")[0])
    assert entry is not None
    assert entry.attachment
    a.click().run()
    assert at.markdown.values == ["True False False 0"]
    at.download_button[2].click().run()
    assert at.markdown.values == ["False False True 1"]


def test_link_button_and_logo() -> None:
    at = app(
        f"""
        import bastion as st
        st.link_button("Docs", "https://example.com/docs", type="primary")
        st.link_button("Mail", "mailto:a@example.com")
        st.logo({PNG_1PX!r}, link="https://example.com", icon_image={PNG_1PX!r})
        st.write("main")
        """
    )
    assert not at.exception
    assert [b.url for b in at.link_button] == ["https://example.com/docs", "mailto:a@example.com"]
    logo = at.sidebar.children[0] if hasattr(at.sidebar, "children") else None
    found = at.logo
    assert len(found) == 1
    assert found[0].proto.link == "https://example.com"
    assert found[0].proto.icon_url == found[0].proto.url
    del logo


def test_uploaded_file_is_a_bytesio() -> None:
    from bastion.app.uploads import UploadedFile, UploadRecord

    rec_path = Path(__file__)
    f = UploadedFile(UploadRecord("id", "w", "t.py", "text/x-python", 5, rec_path))
    assert isinstance(f, io.BytesIO)
    assert f.read(3) == rec_path.read_bytes()[:3]
    assert f == UploadedFile(UploadRecord("id", "w", "x", "", 0, rec_path))


def test_gallery_page() -> None:
    import bastion.server.hello

    page = Path(bastion.server.hello.__file__).parent / "pages" / "media.py"
    at = AppTest.from_file(page, default_timeout=30).run()
    assert not at.exception
    assert len(at.image[0].urls) == 2
    assert media_bytes(at, at.audio[0].url)[:4] == b"RIFF"
    at.file_uploader[0].upload("notes.txt", b"hello\nworld", "text/plain").run()
    assert at.download_button[0].data() == b"HELLO\nWORLD"
    assert at.download_button[0].file_name == "upper-notes.txt"
