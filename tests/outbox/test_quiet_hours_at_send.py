"""The buyer's quiet hours hold at send time too: a message claimed late, or a retry, that would go in
them is put back until they end (attempt not counted); a seller's explicit override goes at its time.

The buyer is in Tokyo (UTC+9), the seller's quiet hours are the default 21:30–08:30 buyer-local:
12:30 UTC is 21:30 there, 23:30 UTC is 08:30 the next morning.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import update

from crossborder_crm.accounts.models import Seller
from crossborder_crm.outbox.models import Message
from crossborder_crm.outbox.send_window import OVERRIDE_GRACE
from tests.outbox.helpers import at, dispatch, new_buyer, schedule, smtp_services

QUIET_END = datetime(2026, 3, 10, 23, 30, tzinfo=timezone.utc)  # 08:30 on the 11th in Tokyo
HELD = "buyer's quiet hours (21:30–08:30 Asia/Tokyo): moved to 08:30 local"


def _tokyo_buyer(api):
    buyer = new_buyer(api, name="山田太郎", email="taro@example.jp", country="JP")
    assert buyer["timezone"] == "Asia/Tokyo"
    return buyer


def _row(services, message_id) -> Message:
    with services.db.reading() as s:
        return s.get(Message, message_id)


def test_a_message_claimed_late_in_the_buyers_quiet_hours_waits_for_their_end(api_a, services, clock, sink):
    msg = schedule(api_a, _tokyo_buyer(api_a)["id"], send_at="2026-03-10T12:20:00+00:00")  # 21:20 in Tokyo
    at(clock, "2026-03-10T14:40:00Z")  # drained at 23:40 in Tokyo
    result = dispatch(smtp_services(services, sink))
    assert (result.claimed, result.sent, result.released) == (1, 0, 1)
    assert sink.messages == []
    row = _row(services, msg["id"])
    assert (row.status, row.due_at, row.attempts, row.lease_owner) == ("scheduled", QUIET_END, 0, None)
    assert row.last_error == HELD


def test_a_message_held_for_quiet_hours_goes_when_they_end(api_a, services, clock, sink):
    msg = schedule(api_a, _tokyo_buyer(api_a)["id"], send_at="2026-03-10T12:20:00+00:00")
    svc = smtp_services(services, sink)
    at(clock, "2026-03-10T14:40:00Z")
    dispatch(svc)
    clock.set(QUIET_END)
    assert dispatch(svc).sent == 1
    row = _row(services, msg["id"])
    assert (row.status, row.sent_at, row.attempts) == ("sent", QUIET_END, 1)


def test_a_message_claimed_late_but_outside_quiet_hours_is_sent_at_once(api_a, services, clock, sink):
    msg = schedule(api_a, _tokyo_buyer(api_a)["id"], send_at="2026-03-10T12:20:00+00:00")
    at(clock, "2026-03-10T12:29:00Z")  # 21:29 in Tokyo
    assert dispatch(smtp_services(services, sink)).sent == 1
    assert sink.message_ids() == [msg["message_id"]]


def test_the_held_hours_are_the_sellers_own(api_a, services, clock, sink, seller_a):
    with services.db.transaction() as s:
        s.execute(update(Seller).where(Seller.id == seller_a.seller_id).values(quiet_start="23:45", quiet_end="07:00"))
    schedule(api_a, _tokyo_buyer(api_a)["id"], send_at="2026-03-10T12:20:00+00:00")
    at(clock, "2026-03-10T14:40:00Z")  # 23:40 in Tokyo: quiet by default, not for this seller
    assert dispatch(smtp_services(services, sink)).sent == 1


def test_a_seller_override_is_recorded_on_the_message(api_a, services):
    msg = schedule(api_a, _tokyo_buyer(api_a)["id"], send_at={"local": "2026-03-10T23:00"}, override_quiet_hours=True)
    assert _row(services, msg["id"]).quiet_override is True


def test_rescheduling_to_the_best_moment_drops_the_override(api_a, services):
    msg = schedule(api_a, _tokyo_buyer(api_a)["id"], send_at={"local": "2026-03-10T23:00"}, override_quiet_hours=True)
    assert api_a.post(f"/messages/{msg['id']}/reschedule", {"send_at": "best"}).status_code == 200
    assert _row(services, msg["id"]).quiet_override is False


def test_an_on_time_overridden_message_is_sent_in_quiet_hours(api_a, services, clock, sink):
    msg = schedule(api_a, _tokyo_buyer(api_a)["id"], send_at={"local": "2026-03-10T23:00"}, override_quiet_hours=True)
    at(clock, msg["scheduled_at"])
    assert dispatch(smtp_services(services, sink)).sent == 1
    assert sink.message_ids() == [msg["message_id"]]


def test_an_overridden_message_claimed_past_the_grace_waits_for_the_end_of_quiet_hours(api_a, services, clock,
                                                                                        sink):
    msg = schedule(api_a, _tokyo_buyer(api_a)["id"], send_at={"local": "2026-03-10T23:00"}, override_quiet_hours=True)
    clock.set(datetime.fromisoformat(msg["scheduled_at"].replace("Z", "+00:00")) + OVERRIDE_GRACE
              + timedelta(minutes=1))
    assert dispatch(smtp_services(services, sink)).released == 1
    row = _row(services, msg["id"])
    assert (row.status, row.due_at, row.attempts) == ("scheduled", QUIET_END, 0)
    assert row.last_error.startswith(HELD + "; the seller's \"send anyway\" holds only 30 min")


def test_a_retry_falling_in_quiet_hours_is_moved_to_their_end(api_a, services, clock, make_sink):
    sink = make_sink(refuse=lambda rcpt: "451 4.3.0 try again later")
    msg = schedule(api_a, _tokyo_buyer(api_a)["id"], send_at="2026-03-10T12:29:00+00:00")
    at(clock, "2026-03-10T12:29:45Z")  # 21:29:45 in Tokyo: the backoff (30–60 s) ends in quiet hours
    assert dispatch(smtp_services(services, sink)).retried == 1
    row = _row(services, msg["id"])
    assert (row.status, row.due_at, row.attempts) == ("scheduled", QUIET_END, 1)
    assert row.last_error.startswith("attempt 1: ") and "4.3.0 try again later" in row.last_error
    assert row.last_error.endswith("; retry in the " + HELD)


def test_a_retry_of_an_overridden_message_within_the_grace_keeps_its_backoff(api_a, services, clock, make_sink):
    sink = make_sink(refuse=lambda rcpt: "450 4.2.0 greylisted, try again later")
    msg = schedule(api_a, _tokyo_buyer(api_a)["id"], send_at={"local": "2026-03-10T23:00"}, override_quiet_hours=True)
    at(clock, msg["scheduled_at"])
    assert dispatch(smtp_services(services, sink)).retried == 1
    delay = _row(services, msg["id"]).due_at - clock.now()
    assert timedelta(seconds=30) <= delay <= timedelta(seconds=60)
