"""Recording: matching an event to our message or buyer, the soft-bounce limit, suppression upgrades."""
from datetime import timedelta

from sqlalchemy import update

from crossborder_crm.feedback.events import Feedback
from crossborder_crm.feedback.rules import Policy
from crossborder_crm.feedback.service import record
from crossborder_crm.outbox.models import Message
from crossborder_crm.outbox.store import add_suppression
from tests.feedback.conftest import Feed, add_buyer, sent_message

POLICY = Policy(soft_bounce_limit=3, soft_bounce_days=30)


def _event(kind: str, recipient: str = "ana@example.es", event_id: str = "e-1", **kw) -> Feedback:
    return Feedback(event_id, kind, recipient, None, "detail", b"{}", **kw)


def _record(services, seller, *events):
    return record(services.db, services.clock, POLICY, seller.seller_id, "ses", list(events))


def _suppression(services, seller, email="ana@example.es"):
    return Feed(None, services, seller, "").suppression(email)


def _events(services, seller):
    return Feed(None, services, seller, "").events()


def test_three_soft_bounces_within_thirty_days_suppress_all_mail(services, seller_a, clock):
    for n in range(3):
        _record(services, seller_a, _event("soft_bounce", event_id=f"soft-{n}"))
        clock.advance(timedelta(days=10))
    assert _suppression(services, seller_a) == ("soft_bounces", "all")


def test_soft_bounces_older_than_the_window_do_not_count(services, seller_a, clock):
    _record(services, seller_a, _event("soft_bounce", event_id="soft-old"))
    clock.advance(timedelta(days=31))
    _record(services, seller_a, _event("soft_bounce", event_id="soft-1"), _event("soft_bounce", event_id="soft-2"))
    assert _suppression(services, seller_a) is None


def test_a_hard_bounce_widens_a_complaint_to_all_mail(services, seller_a):
    _record(services, seller_a, _event("complaint", event_id="c-1"))
    _record(services, seller_a, _event("hard_bounce", event_id="h-1"))
    assert _suppression(services, seller_a) == ("hard_bounce", "all")


def test_a_complaint_keeps_a_hard_bounce_for_all_mail(services, seller_a):
    _record(services, seller_a, _event("hard_bounce", event_id="h-1"))
    _record(services, seller_a, _event("complaint", event_id="c-1"))
    assert _suppression(services, seller_a) == ("hard_bounce", "all")


def test_a_complaint_turns_an_unsubscribe_into_a_complaint(services, seller_a, clock):
    with services.db.transaction() as s:
        add_suppression(s, seller_a.seller_id, "ana@example.es", "unsubscribe", "marketing", clock.now())
    _record(services, seller_a, _event("complaint"))
    assert _suppression(services, seller_a) == ("complaint", "marketing")


def test_the_recipient_finds_the_buyer_and_the_last_message_sent_there(services, seller_a):
    buyer = add_buyer(services, seller_a.seller_id, "Ana.Garcia@example.es")
    sent_message(services, seller_a, buyer.id, "Ana.Garcia@example.es", key="older")
    with services.db.transaction() as s:
        s.execute(update(Message).values(sent_at=services.clock.now() - timedelta(days=2)))
    last = sent_message(services, seller_a, buyer.id, "Ana.Garcia@example.es", key="newer")
    _record(services, seller_a, _event("hard_bounce", "ana.garcia@example.es"))
    [event] = _events(services, seller_a)
    assert (event.buyer_id, event.message_id) == (buyer.id, last.id)


def test_the_x_crm_message_header_counts_only_for_the_address_it_went_to(services, seller_a):
    buyer = add_buyer(services, seller_a.seller_id, "ana@example.es")
    msg = sent_message(services, seller_a, buyer.id, "ana@example.es")
    _record(services, seller_a, _event("hard_bounce", "mallory@example.com", crm_message=msg.id))
    [event] = _events(services, seller_a)
    assert event.message_id is None and event.recipient == "mallory@example.com"


def test_the_x_crm_message_header_matches_with_its_recipient(services, seller_a):
    buyer = add_buyer(services, seller_a.seller_id, "ana@example.es")
    msg = sent_message(services, seller_a, buyer.id, "ana@example.es")
    _record(services, seller_a, _event("hard_bounce", "ana@example.es", crm_message=msg.id))
    assert _events(services, seller_a)[0].message_id == msg.id


def test_another_sellers_message_id_is_not_matched(services, seller_a, seller_b):
    theirs = add_buyer(services, seller_b.seller_id, "ana@example.es")
    msg = sent_message(services, seller_b, theirs.id, "ana@example.es")
    _record(services, seller_a, _event("hard_bounce", message_ids=(msg.rfc_message_id.strip("<>"),)))
    [event] = _events(services, seller_a)
    assert (event.message_id, event.buyer_id) == (None, None)


def test_an_address_without_a_buyer_is_still_suppressed(services, seller_a):
    _record(services, seller_a, _event("hard_bounce", "nobody-yet@example.es"))
    assert _suppression(services, seller_a, "nobody-yet@example.es") == ("hard_bounce", "all")


def test_a_provider_time_is_kept_as_the_event_time(services, seller_a, clock):
    at = clock.now() - timedelta(hours=3)
    _record(services, seller_a, Feedback("e-1", "hard_bounce", "ana@example.es", at, "", b"{}"))
    assert _events(services, seller_a)[0].occurred_at == at
