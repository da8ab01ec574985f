"""A lost reply to the end of the data is an unknown outcome: recorded, retried later with the same
Message-ID, never re-sent at once; a connection lost before the data is still replaced once."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from crossborder_crm.outbox.backends import OutcomeUnknown, SmtpTransport
from crossborder_crm.outbox.message_id import make_message_id
from crossborder_crm.outbox.mime import OutgoingEmail, build_message
from crossborder_crm.outbox.models import Message
from tests.outbox.helpers import at, dispatch, new_buyer, schedule, smtp_services

FROM = "shop@seller.example"
TO = "buyer@example.jp"


def mid(key: str) -> str:
    return make_message_id("acme", key, "seller.example")


def message(key: str) -> bytes:
    return build_message(OutgoingEmail(
        from_addr=FROM, from_name="Seller", to_addr=TO, to_name="Buyer", subject=f"Message {key}",
        text="hello\n", html="", message_id=mid(key), date=datetime(2024, 5, 1, tzinfo=timezone.utc)))


def first_time_only(marker: bytes):
    """lose_reply: lose the reply to the first message containing `marker`, answer every other."""
    seen = []

    def lose(raw: bytes) -> bool:
        if marker in raw and not seen:
            seen.append(raw)
            return True
        return False

    return lose


@pytest.fixture(params=[True, False], ids=["pipelining", "one-command-at-a-time"])
def pipelining(request):
    return request.param


def test_a_lost_reply_after_the_data_raises_outcome_unknown_without_a_second_copy(make_sink, pipelining):
    sink = make_sink(pipelining=pipelining, lose_reply=first_time_only(b"k-1"))
    with SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}", timeout=5) as t:
        with pytest.raises(OutcomeUnknown) as info:
            t.send(FROM, [TO], message("k-1"))
    assert sink.message_ids() == [mid("k-1")]
    assert sink.connections == 1  # no reconnect to send it again
    assert "may have been delivered" in str(info.value)


def test_a_reply_that_times_out_after_the_data_is_an_unknown_outcome_too(make_sink, pipelining):
    sink = make_sink(pipelining=pipelining, hold_reply=lambda raw: 3.0 if b"k-1" in raw else 0.0)
    with SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}", timeout=0.5) as t:
        with pytest.raises(OutcomeUnknown):
            t.send(FROM, [TO], message("k-1"))
    assert sink.message_ids() == [mid("k-1")]
    assert sink.connections == 1


def test_the_next_message_after_a_lost_reply_goes_out_on_a_new_connection(make_sink, pipelining):
    sink = make_sink(pipelining=pipelining, lose_reply=first_time_only(b"k-1"))
    with SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}", timeout=5) as t:
        with pytest.raises(OutcomeUnknown):
            t.send(FROM, [TO], message("k-1"))
        t.send(FROM, [TO], message("k-2"))
    assert sink.message_ids() == [mid("k-1"), mid("k-2")]
    assert sink.connections == 2


def test_a_stale_pooled_connection_is_replaced_once_and_the_message_arrives_once(make_sink, pipelining):
    sink = make_sink(pipelining=pipelining)
    with SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}", timeout=5) as t:
        t.send(FROM, [TO], message("k-1"))
        sink.disconnect_all()  # the relay's idle timeout: nothing of k-2 was written yet
        t.send(FROM, [TO], message("k-2"))
    assert sink.message_ids() == [mid("k-1"), mid("k-2")]
    assert sink.connections == 2


def _row(services, message_id: int) -> Message:
    with services.db.reading() as s:
        return s.get(Message, message_id)


def test_a_lost_reply_in_a_pass_is_retried_later_counted_with_the_same_message_id(api_a, services, clock, make_sink):
    msg = schedule(api_a, new_buyer(api_a)["id"])
    sink = make_sink(lose_reply=first_time_only(msg["message_id"].encode()))
    at(clock, msg["scheduled_at"])
    result = dispatch(smtp_services(services, sink))
    assert (result.sent, result.retried) == (0, 1)
    assert sink.message_ids() == [msg["message_id"]]  # exactly one copy in that pass
    row = _row(services, msg["id"])
    assert (row.status, row.attempts) == ("scheduled", 1)
    assert row.due_at > clock.now()
    assert "the relay's reply to the message was lost: it may have been delivered; retrying later with the " \
           "same Message-ID" in row.last_error

    clock.set(row.due_at)
    assert dispatch(smtp_services(services, sink)).sent == 1
    assert sink.message_ids() == [msg["message_id"], msg["message_id"]]
    row = _row(services, msg["id"])
    assert (row.status, row.attempts) == ("sent", 2)


def test_a_lost_reply_does_not_hold_back_the_rest_of_the_batch(api_a, services, clock, make_sink):
    msgs = [schedule(api_a, new_buyer(api_a, email=f"b{i}@example.es")["id"]) for i in range(3)]
    sink = make_sink(lose_reply=first_time_only(msgs[1]["message_id"].encode()))
    at(clock, max(m["scheduled_at"] for m in msgs))
    result = dispatch(smtp_services(services, sink))
    assert (result.sent, result.retried) == (2, 1)
    assert sorted(sink.message_ids()) == sorted(m["message_id"] for m in msgs)
    assert [_row(services, m["id"]).status for m in msgs] == ["sent", "scheduled", "sent"]
