from __future__ import annotations

import socket
import time
from datetime import datetime, timezone

import pytest

from crossborder_crm.outbox.backends import (
    PermanentDeliveryError,
    SmtpTransport,
    TransientDeliveryError,
    Transport,
    make_transport,
)
from crossborder_crm.outbox.message_id import make_message_id
from crossborder_crm.outbox.mime import OutgoingEmail, build_message

FROM = "shop@seller.example"
TO = "buyer@example.jp"


def message(key: str = "k-1") -> bytes:
    return build_message(
        OutgoingEmail(
            from_addr=FROM,
            from_name="Seller",
            to_addr=TO,
            to_name="Zoë Ünal",
            subject=f"Message {key}",
            text="line one\n.\nline after a lone dot\n",
            html="<p>html</p>",
            message_id=make_message_id("acme", key, "seller.example"),
            date=datetime(2024, 5, 1, tzinfo=timezone.utc),
        )
    )


def mid(key: str) -> str:
    return make_message_id("acme", key, "seller.example")


def refuse_by_prefix(rcpt: str) -> str | None:
    if rcpt.startswith("gone"):
        return "550 5.1.1 No such user"
    if rcpt.startswith("grey"):
        return "451 4.7.1 Greylisted, try again later"
    if rcpt.startswith("busy"):
        return "421 4.3.2 Service shutting down"
    return None


@pytest.fixture(params=[True, False], ids=["pipelining", "one-command-at-a-time"])
def make_sink(request, make_sink):
    """Every test here runs against a server that offers PIPELINING and one that does not."""

    def factory(**kwargs):
        kwargs.setdefault("pipelining", request.param)
        return make_sink(**kwargs)

    factory.pipelining = request.param
    return factory


@pytest.fixture
def sink(make_sink):
    """A plain SMTP sink on 127.0.0.1, with or without PIPELINING."""
    return make_sink()


# ------------------------------------------------------------ URL parsing


def test_url_plain_defaults_to_port_25():
    t = SmtpTransport.from_url("smtp://mail.example.com")
    assert (t.host, t.port, t.security, t.username) == ("mail.example.com", 25, "plain", None)


def test_url_smtps_is_implicit_tls_on_port_465():
    t = SmtpTransport.from_url("smtps://mail.example.com")
    assert (t.port, t.security) == (465, "tls")


def test_url_starttls_flag():
    t = SmtpTransport.from_url("smtp://mail.example.com:587?starttls=1")
    assert (t.port, t.security) == (587, "starttls")


def test_url_credentials_are_percent_decoded():
    t = SmtpTransport.from_url("smtp://user%40shop.example:p%3Ass%2Fw%40rd@mail.example.com:2525")
    assert t.username == "user@shop.example"
    assert t.settings.password == "p:ss/w@rd"
    assert t.port == 2525


def test_url_verify_is_on_by_default_and_can_be_disabled():
    assert SmtpTransport.from_url("smtps://mail.example.com").verify is True
    assert SmtpTransport.from_url("smtps://mail.example.com?verify=0").verify is False


def test_url_timeout_is_passed_through():
    assert SmtpTransport.from_url("smtp://mail.example.com", timeout=7.5).timeout == 7.5


@pytest.mark.parametrize(
    "url",
    [
        "http://mail.example.com",
        "smtp://",
        "smtps://mail.example.com?starttls=1",
        "smtp://mail.example.com?tls=1",
        "smtp://mail.example.com?starttls=maybe",
        "smtp://mail.example.com:notaport",
    ],
)
def test_invalid_url_is_rejected(url):
    with pytest.raises(ValueError):
        SmtpTransport.from_url(url)


def test_repr_does_not_leak_the_password():
    t = SmtpTransport.from_url("smtp://user:hunter2@mail.example.com")
    assert "hunter2" not in repr(t)


def test_make_transport_smtp_builds_from_url():
    t = make_transport("smtp", mail_dir=None, smtp_url="smtps://u:p@mail.example.com:2465", timeout=5)
    assert isinstance(t, SmtpTransport)
    assert isinstance(t, Transport)
    assert (t.host, t.port, t.security, t.timeout) == ("mail.example.com", 2465, "tls", 5)


def test_make_transport_smtp_without_url_is_an_error():
    with pytest.raises(ValueError):
        make_transport("smtp", mail_dir=None, smtp_url=None)


# ------------------------------------------------------------ delivery


def test_plain_smtp_delivers_the_exact_bytes(sink):
    raw = message()
    with SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}") as t:
        t.send(FROM, [TO], raw)
    assert sink.messages == [(FROM, [TO], raw)]
    assert sink.message_ids() == [mid("k-1")]


def test_send_opens_the_connection_lazily(sink):
    t = SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}")
    try:
        t.send(FROM, [TO], message())
    finally:
        t.close()
    assert len(sink.messages) == 1


def test_starttls_delivery(make_sink, server_tls_context):
    sink = make_sink(tls_context=server_tls_context, require_starttls=True)
    with SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}?starttls=1&verify=0") as t:
        t.send(FROM, [TO], message())
    assert sink.message_ids() == [mid("k-1")]


def test_plain_client_refused_by_a_server_requiring_starttls_is_transient(make_sink, server_tls_context):
    sink = make_sink(tls_context=server_tls_context, require_starttls=True)
    with SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}") as t:
        with pytest.raises(TransientDeliveryError) as info:
            t.send(FROM, [TO], message())
    assert info.value.code == 530
    assert sink.messages == []


def test_starttls_requested_but_not_offered_is_transient(sink):
    t = SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}?starttls=1&verify=0")
    with pytest.raises(TransientDeliveryError):
        t.open()


def test_implicit_tls_delivery(make_sink, server_tls_context):
    sink = make_sink(tls_context=server_tls_context, implicit_tls=True)
    with SmtpTransport.from_url(f"smtps://127.0.0.1:{sink.port}?verify=0") as t:
        t.send(FROM, [TO], message())
    assert sink.message_ids() == [mid("k-1")]


def test_self_signed_certificate_is_rejected_when_verify_is_on(make_sink, server_tls_context):
    sink = make_sink(tls_context=server_tls_context, implicit_tls=True)
    t = SmtpTransport.from_url(f"smtps://127.0.0.1:{sink.port}")
    with pytest.raises(TransientDeliveryError):
        t.open()
    assert sink.messages == []


def test_auth_plain_over_starttls(make_sink, server_tls_context):
    sink = make_sink(tls_context=server_tls_context, auth={"crm": "s3cret"}, auth_exclude_mechanism=("LOGIN",))
    with SmtpTransport.from_url(f"smtp://crm:s3cret@127.0.0.1:{sink.port}?starttls=1&verify=0") as t:
        t.send(FROM, [TO], message())
    assert sink.logins == [("PLAIN", "crm")]
    assert len(sink.messages) == 1


def test_auth_login_over_implicit_tls(make_sink, server_tls_context):
    sink = make_sink(
        tls_context=server_tls_context, implicit_tls=True, auth={"crm": "pä:ss"}, auth_exclude_mechanism=("PLAIN",)
    )
    with SmtpTransport.from_url(f"smtps://crm:p%C3%A4%3Ass@127.0.0.1:{sink.port}?verify=0") as t:
        t.send(FROM, [TO], message())
    assert sink.logins == [("LOGIN", "crm")]
    assert len(sink.messages) == 1


def test_wrong_password_is_a_transient_error_with_the_smtp_code(make_sink, server_tls_context):
    sink = make_sink(tls_context=server_tls_context, implicit_tls=True, auth={"crm": "s3cret"})
    t = SmtpTransport.from_url(f"smtps://crm:wrong@127.0.0.1:{sink.port}?verify=0")
    with pytest.raises(TransientDeliveryError) as info:
        t.open()
    assert info.value.code == 535
    assert sink.logins == []


def test_missing_credentials_for_a_server_requiring_auth_is_transient(make_sink):
    sink = make_sink(auth={"crm": "s3cret"})
    with SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}") as t:
        with pytest.raises(TransientDeliveryError) as info:
            t.send(FROM, [TO], message())
    assert info.value.code == 530
    assert sink.messages == []


# ------------------------------------------------------ connection handling


def test_one_connection_is_reused_for_many_messages(sink):
    with SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}") as t:
        for i in range(50):
            t.send(FROM, [TO], message(f"k-{i}"))
    assert sink.connections == 1
    assert sink.message_ids() == [mid(f"k-{i}") for i in range(50)]


def test_open_is_idempotent(sink):
    with SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}") as t:
        t.open()
        t.open()
        t.send(FROM, [TO], message())
    assert sink.connections == 1


def test_transport_reconnects_after_the_server_closed_the_connection(sink):
    with SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}") as t:
        t.send(FROM, [TO], message("k-1"))
        sink.disconnect_all()
        t.send(FROM, [TO], message("k-2"))
    assert sink.message_ids() == [mid("k-1"), mid("k-2")]
    assert sink.connections == 2


def test_transport_reconnects_when_the_server_drops_after_every_message(make_sink):
    sink = make_sink(drop_after=1)
    with SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}") as t:
        for i in range(5):
            t.send(FROM, [TO], message(f"k-{i}"))
    assert sink.message_ids() == [mid(f"k-{i}") for i in range(5)]
    assert sink.connections == 5


def test_repeated_disconnects_end_in_a_transient_error_after_one_retry(make_sink):
    sink = make_sink(drop_on_data=True)
    t = SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}")
    with pytest.raises(TransientDeliveryError):
        t.send(FROM, [TO], message())
    t.close()
    assert sink.drops == 2
    assert sink.connections == 2
    assert sink.messages == []


def test_connection_refused_is_transient(unused_port):
    t = SmtpTransport.from_url(f"smtp://127.0.0.1:{unused_port}", timeout=5)
    with pytest.raises(TransientDeliveryError):
        t.send(FROM, [TO], message())


def test_server_that_never_greets_times_out_as_transient():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)  # accepts the TCP handshake, never speaks SMTP
        port = listener.getsockname()[1]
        t = SmtpTransport.from_url(f"smtp://127.0.0.1:{port}", timeout=0.5)
        started = time.monotonic()
        with pytest.raises(TransientDeliveryError):
            t.open()
        assert time.monotonic() - started < 5


def test_close_sends_quit_and_is_idempotent(sink):
    t = SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}")
    t.send(FROM, [TO], message())
    t.close()
    t.close()
    deadline = time.monotonic() + 5
    while sink.open_connections and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sink.open_connections == 0
    assert not t.is_open


# ------------------------------------------------------------ SMTP replies


def test_recipient_550_is_a_permanent_hard_bounce(make_sink):
    sink = make_sink(refuse=refuse_by_prefix)
    with SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}") as t:
        with pytest.raises(PermanentDeliveryError) as info:
            t.send(FROM, ["gone@example.jp"], message())
    assert info.value.code == 550
    assert info.value.hard_bounce is True
    assert "No such user" in info.value.reason
    assert info.value.refused == {"gone@example.jp": (550, "5.1.1 No such user")}


def test_recipient_451_is_transient(make_sink):
    sink = make_sink(refuse=refuse_by_prefix)
    with SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}") as t:
        with pytest.raises(TransientDeliveryError) as info:
            t.send(FROM, ["grey@example.jp"], message())
    assert info.value.code == 451
    assert "Greylisted" in info.value.reason
    assert info.value.hard_bounce is False


def test_next_message_goes_through_on_the_same_connection_after_a_550(make_sink):
    sink = make_sink(refuse=refuse_by_prefix)
    with SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}") as t:
        with pytest.raises(PermanentDeliveryError):
            t.send(FROM, ["gone@example.jp"], message("k-1"))
        t.send(FROM, [TO], message("k-2"))
    assert sink.message_ids() == [mid("k-2")]
    assert sink.connections == 1


def test_next_message_goes_through_on_the_same_connection_after_a_451(make_sink):
    sink = make_sink(refuse=refuse_by_prefix)
    with SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}") as t:
        with pytest.raises(TransientDeliveryError):
            t.send(FROM, ["grey@example.jp"], message("k-1"))
        t.send(FROM, [TO], message("k-2"))
    assert sink.message_ids() == [mid("k-2")]
    assert sink.connections == 1


def test_421_closes_the_connection_and_the_next_send_reconnects(make_sink):
    sink = make_sink(refuse=refuse_by_prefix)
    with SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}") as t:
        with pytest.raises(TransientDeliveryError) as info:
            t.send(FROM, ["busy@example.jp"], message("k-1"))
        assert info.value.code == 421
        t.send(FROM, [TO], message("k-2"))
    assert sink.message_ids() == [mid("k-2")]
    assert sink.connections == 2


def test_data_5xx_is_permanent_but_not_a_hard_bounce(make_sink):
    sink = make_sink(reject_data=lambda raw: "554 5.7.1 Message rejected as spam" if b"k-1" in raw else None)
    with SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}") as t:
        with pytest.raises(PermanentDeliveryError) as info:
            t.send(FROM, [TO], message("k-1"))
        t.send(FROM, [TO], message("k-2"))
    assert info.value.code == 554
    assert info.value.hard_bounce is False
    assert sink.message_ids() == [mid("k-2")]
    assert sink.connections == 1


def test_data_4xx_is_transient(make_sink):
    sink = make_sink(reject_data=lambda raw: "452 4.3.1 Insufficient system storage")
    with SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}") as t:
        with pytest.raises(TransientDeliveryError) as info:
            t.send(FROM, [TO], message())
    assert info.value.code == 452


def test_partial_recipient_refusal_reports_refused_and_accepted(make_sink):
    sink = make_sink(refuse=refuse_by_prefix)
    with SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}") as t:
        with pytest.raises(PermanentDeliveryError) as info:
            t.send(FROM, [TO, "gone@example.jp"], message())
    assert info.value.accepted == (TO,)
    assert set(info.value.refused) == {"gone@example.jp"}
    assert sink.messages[0][1] == [TO]


def test_send_rejects_an_empty_recipient_list(sink):
    with SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}") as t:
        with pytest.raises(ValueError):
            t.send(FROM, [], message())


def test_sink_keeps_up_with_a_thousand_messages(sink):
    messages = [message(f"bulk-{i}") for i in range(1000)]
    with SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}") as t:
        for raw in messages:
            t.send(FROM, [TO], raw)
    assert sink.wait_for(1000, timeout=5)
    assert sink.message_ids() == [mid(f"bulk-{i}") for i in range(1000)]
    assert sink.connections == 1


# ------------------------------------------------------------ pipelining (RFC 2920)


def test_commands_are_pipelined_only_when_the_server_offers_it(make_sink):
    sink = make_sink()
    with SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}") as t:
        for i in range(3):
            t.send(FROM, [TO], message(f"k-{i}"))
        pipelined = t.pipelined_transactions
    assert pipelined == (3 if make_sink.pipelining else 0)
    assert sink.message_ids() == [mid(f"k-{i}") for i in range(3)]


def test_body_lines_starting_with_a_dot_arrive_intact(sink):
    raw = message()
    with SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}") as t:
        t.send(FROM, [TO], raw)
    assert sink.messages[0][2].replace(b"\r\n", b"\n") == raw.replace(b"\r\n", b"\n").rstrip(b"\n") + b"\n"


def test_all_recipients_refused_leaves_the_connection_usable_for_the_next_message(make_sink):
    sink = make_sink(refuse=refuse_by_prefix)
    with SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}") as t:
        with pytest.raises(PermanentDeliveryError) as info:
            t.send(FROM, ["gone@example.jp", "gone2@example.jp"], message("k-1"))
        t.send(FROM, [TO], message("k-2"))
    assert set(info.value.refused) == {"gone@example.jp", "gone2@example.jp"}
    assert sink.message_ids() == [mid("k-2")]
    assert sink.connections == 1


def test_sender_refused_is_permanent_and_not_a_hard_bounce(make_sink):
    sink = make_sink()
    with SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}") as t:
        with pytest.raises(PermanentDeliveryError) as info:
            t.send("bad sender@", [TO], message("k-1"))
        t.send(FROM, [TO], message("k-2"))
    assert info.value.code is not None and 500 <= info.value.code < 600
    assert info.value.hard_bounce is False
    assert sink.message_ids() == [mid("k-2")]
