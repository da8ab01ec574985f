"""SMTPUTF8 (RFC 6531): an address with a non-ASCII local part goes out where the relay offers it,
and fails permanently, with that reason, where it does not."""
from __future__ import annotations

import email
from datetime import datetime, timezone
from email import policy

import pytest

from crossborder_crm.outbox.backends import FileTransport, PermanentDeliveryError, SmtpTransport
from crossborder_crm.outbox.message_id import make_message_id
from crossborder_crm.outbox.mime import OutgoingEmail, build_message
from crossborder_crm.outbox.models import Message
from crossborder_crm.validation import check_email
from tests.outbox.helpers import at, dispatch, new_buyer, schedule, smtp_services, with_mail

FROM = "shop@seller.example"
UTF8_TO = "josé.müller@exämple.de"
WIRE_TO = "josé.müller@xn--exmple-cua.de"


def message(to: str, key: str = "k-1") -> bytes:
    return build_message(OutgoingEmail(
        from_addr=FROM, from_name="Seller", to_addr=to, to_name="José", subject="Hola",
        text="hello\n", html="<p>hello</p>", message_id=make_message_id("acme", key, "seller.example"),
        date=datetime(2024, 5, 1, tzinfo=timezone.utc)))


def parse(raw: bytes):
    """The message as a UTF-8 aware reader sees it (RFC 6532)."""
    return email.message_from_string(raw.decode("utf-8"), policy=policy.SMTPUTF8)


def test_a_non_ascii_local_part_is_accepted_by_the_email_check():
    assert check_email(UTF8_TO) == WIRE_TO


def test_the_to_header_carries_the_utf8_address_as_is():
    raw = message(WIRE_TO)
    assert f"<{WIRE_TO}>".encode() in raw.split(b"\r\n\r\n")[0]
    assert parse(raw)["To"].addresses[0].addr_spec == WIRE_TO


@pytest.mark.parametrize("pipelining", [True, False], ids=["pipelining", "one-command-at-a-time"])
def test_a_relay_offering_smtputf8_gets_mail_from_with_smtputf8_and_the_utf8_message(make_sink, pipelining):
    sink = make_sink(pipelining=pipelining)
    raw = message(WIRE_TO)
    with SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}", timeout=5) as t:
        t.send(FROM, [WIRE_TO], raw)
    [(_, rcpts, received)] = sink.messages
    assert rcpts == [WIRE_TO]
    assert received.replace(b"\r\n", b"\n").rstrip(b"\n") == raw.replace(b"\r\n", b"\n").rstrip(b"\n")


def test_the_envelope_declares_smtputf8(make_sink):
    options = []
    sink = make_sink()
    sink.refuse = lambda rcpt: options.append(rcpt) or None
    with SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}", timeout=5) as t:
        t.send(FROM, [WIRE_TO], message(WIRE_TO))
    # aiosmtpd only accepts a UTF-8 RCPT after MAIL FROM ... SMTPUTF8: the address arrived intact
    assert options == [WIRE_TO]


@pytest.mark.parametrize("pipelining", [True, False], ids=["pipelining", "one-command-at-a-time"])
def test_a_relay_without_smtputf8_fails_that_message_permanently_and_sends_the_next(make_sink, pipelining):
    sink = make_sink(pipelining=pipelining, smtputf8=False)
    with SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}", timeout=5) as t:
        with pytest.raises(PermanentDeliveryError) as info:
            t.send(FROM, [WIRE_TO], message(WIRE_TO, "k-1"))
        t.send(FROM, ["buyer@example.jp"], message("buyer@example.jp", "k-2"))
    assert str(info.value) == "the relay does not offer SMTPUTF8, needed for j***@xn--exmple-cua.de"
    assert info.value.hard_bounce is False
    assert [rcpts for _, rcpts, _ in sink.messages] == [["buyer@example.jp"]]
    assert sink.connections == 1


def test_the_file_backend_writes_a_utf8_message(tmp_path):
    raw = message(WIRE_TO)
    with FileTransport(tmp_path) as t:
        t.send(FROM, [WIRE_TO], raw)
    [written] = list(tmp_path.glob("*.eml"))
    assert parse(written.read_bytes())["To"].addresses[0].addr_spec == WIRE_TO


def _row(services, message_id: int) -> Message:
    with services.db.reading() as s:
        return s.get(Message, message_id)


def test_a_buyer_with_a_utf8_address_is_mailed_through_a_relay_offering_smtputf8(api_a, services, clock, sink):
    buyer = new_buyer(api_a, email=UTF8_TO)
    assert buyer["email"] == WIRE_TO
    msg = schedule(api_a, buyer["id"])
    at(clock, msg["scheduled_at"])
    assert dispatch(smtp_services(services, sink)).sent == 1
    assert sink.messages[0][1] == [WIRE_TO]


def test_without_smtputf8_only_the_utf8_buyers_message_fails_with_the_reason(api_a, services, clock, make_sink):
    sink = make_sink(smtputf8=False)
    msgs = [schedule(api_a, new_buyer(api_a, email=email)["id"])
            for email in ("ana@example.es", UTF8_TO, "luis@example.es")]
    at(clock, max(m["scheduled_at"] for m in msgs))
    result = dispatch(smtp_services(services, sink))
    assert (result.sent, result.failed) == (2, 1)
    assert sorted(r for _, [r], _ in sink.messages) == ["ana@example.es", "luis@example.es"]
    failed = _row(services, msgs[1]["id"])
    assert failed.status == "failed"
    assert "the relay does not offer SMTPUTF8, needed for j***@xn--exmple-cua.de" in failed.last_error


def test_the_file_backend_writes_the_utf8_buyers_message(api_a, services, clock, tmp_path):
    msg = schedule(api_a, new_buyer(api_a, email=UTF8_TO)["id"])
    at(clock, msg["scheduled_at"])
    assert dispatch(with_mail(services, MAIL_BACKEND="file", MAIL_DIR=str(tmp_path))).sent == 1
    [written] = list(tmp_path.glob("*.eml"))
    assert parse(written.read_bytes())["To"].addresses[0].addr_spec == WIRE_TO
