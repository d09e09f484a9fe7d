"""The app wire schema: round trips, and validation of everything a client can send."""

from __future__ import annotations

import pytest

from bastion.protocol import app as p


def test_server_batch_round_trips() -> None:
    batch = p.Batch(
        events=(
            p.RunStarted(run=3),
            p.NewBlock(path=(0, 0), block=p.Columns(gap="large")),
            p.NewElement(path=(0, 0, 0, 0), element=p.Markdown(body_html="<p>hi</p>")),
            p.Same(path=(1, 0)),
            p.RunFinished(run=3, status="ok"),
        )
    )
    assert p.decode_server(p.encode(batch)) == batch


def test_same_marker_is_a_few_bytes() -> None:
    assert len(p.encode(p.Same(path=(0, 12)))) < 40


def test_defaults_are_omitted_from_elements() -> None:
    assert p.encode(p.Divider()) == b'{"type":"divider"}'


@pytest.mark.parametrize(
    ("frame", "needle"),
    [
        (b"not json", "malformed"),
        (b'{"type":"reboot"}', "$.type"),
        (b'{"type":"hello"}', "protocol"),
        (b'{"type":"stop","extra":1}', "unknown field"),
        (b'{"type":"rerun","widgets":{"w":{"a":{"b":{"c":{"d":1}}}}}}', "$.widgets"),
        (b'{"type":"rerun","widgets":{"w":[[[[1]]]]}}', "$.widgets"),
        (b'{"type":"rerun","widgets":{"":1}}', "$.widgets"),
        (b'{"type":"hello","protocol":1,"resume_token":"' + b"x" * 600 + b'"}', "resume_token"),
        (b'{"type":"submit","form":"f","widgets":{}}', "button"),
    ],
)
def test_invalid_client_frames_are_rejected_with_the_field(frame: bytes, needle: str) -> None:
    with pytest.raises(p.ProtocolError, match=None) as info:
        p.decode_client(frame)
    assert needle in str(info.value)


def test_oversized_widget_text_is_rejected() -> None:
    frame = b'{"type":"rerun","widgets":{"w":"' + b"a" * (p.MAX_TEXT_VALUE + 1) + b'"}}'
    with pytest.raises(p.ProtocolError):
        p.decode_client(frame)


def test_valid_client_messages_decode() -> None:
    msg = p.decode_client(b'{"type":"rerun","widgets":{"a":[1,2.5],"b":true,"c":null,"d":"x"}}')
    assert msg == p.Rerun(widgets={"a": [1, 2.5], "b": True, "c": None, "d": "x"})
    assert p.decode_client(b'{"type":"hello","protocol":1}') == p.Hello(protocol=1)


def test_json_schema_names_every_message() -> None:
    schema = p.json_schema()
    defs = schema["$defs"]
    assert isinstance(defs, dict)
    for name in ("Hello", "Rerun", "Submit", "Stop", "Welcome", "Batch", "Slider", "Tabs"):
        assert name in defs
