from __future__ import annotations

import email
import os
from datetime import datetime, timezone
from email import policy

import pytest

from crossborder_crm.outbox.backends import (
    FileTransport,
    TransientDeliveryError,
    Transport,
    make_transport,
)
from crossborder_crm.outbox.message_id import make_message_id
from crossborder_crm.outbox.mime import OutgoingEmail, build_message


def message(key: str = "k-1", subject: str = "Hello") -> bytes:
    return build_message(
        OutgoingEmail(
            from_addr="shop@seller.example",
            from_name="Seller",
            to_addr="buyer@example.jp",
            to_name="山田太郎",
            subject=subject,
            text="plain body\n",
            html="<p>html body</p>",
            message_id=make_message_id("acme", key, "seller.example"),
            date=datetime(2024, 5, 1, tzinfo=timezone.utc),
        )
    )


def eml_files(directory) -> list[str]:
    return sorted(n for n in os.listdir(directory) if n.endswith(".eml"))


def test_send_writes_an_eml_file_with_both_parts(tmp_path):
    with FileTransport(str(tmp_path)) as transport:
        transport.send("shop@seller.example", ["buyer@example.jp"], message())
    [name] = eml_files(tmp_path)
    with open(tmp_path / name, "rb") as fh:
        parsed = email.message_from_binary_file(fh, policy=policy.default)
    assert parsed.get_content_type() == "multipart/alternative"
    plain, html = parsed.iter_parts()
    assert plain.get_content().strip() == "plain body"
    assert html.get_content().strip() == "<p>html body</p>"
    assert parsed["To"].addresses[0].display_name == "山田太郎"


def test_file_holds_exactly_the_message_bytes(tmp_path):
    raw = message()
    transport = FileTransport(str(tmp_path))
    transport.send("shop@seller.example", ["buyer@example.jp"], raw)
    assert transport.path_for(raw).endswith(".eml")
    with open(transport.path_for(raw), "rb") as fh:
        assert fh.read() == raw


def test_mail_dir_is_created_when_missing(tmp_path):
    target = tmp_path / "deep" / "mail"
    with FileTransport(str(target)) as transport:
        transport.send("shop@seller.example", ["buyer@example.jp"], message())
    assert len(eml_files(target)) == 1


def test_resending_the_same_message_overwrites_instead_of_duplicating(tmp_path):
    with FileTransport(str(tmp_path)) as transport:
        transport.send("shop@seller.example", ["buyer@example.jp"], message("k-1", subject="first"))
        transport.send("shop@seller.example", ["buyer@example.jp"], message("k-1", subject="second try"))
    [name] = eml_files(tmp_path)
    with open(tmp_path / name, "rb") as fh:
        assert email.message_from_binary_file(fh, policy=policy.default)["Subject"] == "second try"


def test_different_messages_get_different_files(tmp_path):
    with FileTransport(str(tmp_path)) as transport:
        for i in range(5):
            transport.send("shop@seller.example", ["buyer@example.jp"], message(f"k-{i}"))
    assert len(eml_files(tmp_path)) == 5


def test_no_temporary_files_are_left_behind(tmp_path):
    with FileTransport(str(tmp_path)) as transport:
        for i in range(3):
            transport.send("shop@seller.example", ["buyer@example.jp"], message(f"k-{i}"))
    assert sorted(os.listdir(tmp_path)) == eml_files(tmp_path)


def test_message_without_message_id_is_still_written(tmp_path):
    raw = b"From: a@x.example\r\nTo: b@y.example\r\nSubject: hi\r\n\r\nbody\r\n"
    with FileTransport(str(tmp_path)) as transport:
        transport.send("a@x.example", ["b@y.example"], raw)
    assert len(eml_files(tmp_path)) == 1


def test_unwritable_mail_dir_raises_transient_error(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    transport = FileTransport(str(blocker / "mail"))
    with pytest.raises(TransientDeliveryError):
        transport.send("shop@seller.example", ["buyer@example.jp"], message())


def test_send_requires_at_least_one_recipient(tmp_path):
    with pytest.raises(ValueError):
        FileTransport(str(tmp_path)).send("shop@seller.example", [], message())


def test_make_transport_file_returns_a_file_transport(tmp_path):
    transport = make_transport("file", mail_dir=str(tmp_path), smtp_url=None)
    assert isinstance(transport, FileTransport)
    assert isinstance(transport, Transport)


def test_make_transport_file_without_mail_dir_is_an_error():
    with pytest.raises(ValueError):
        make_transport("file", mail_dir=None, smtp_url=None)


def test_make_transport_unknown_backend_is_an_error(tmp_path):
    with pytest.raises(ValueError):
        make_transport("carrier-pigeon", mail_dir=str(tmp_path), smtp_url=None)
