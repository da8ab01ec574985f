"""A provider's unsubscribe withdraws the matched buyer's consent, as our one-click unsubscribe does."""
import pytest
from sqlalchemy import select

from crossborder_crm.buyers import service as buyers
from crossborder_crm.buyers.models import Activity, Buyer
from tests.feedback.conftest import sent_message
from tests.feedback.payloads import (
    mailgun_event,
    mailgun_unsubscribed,
    postmark_complaint,
    postmark_subscription_change,
    sendgrid_event,
)

ANA = "ana@example.es"
UNSUBSCRIBES = {
    "sendgrid": lambda feed: feed.sendgrid([sendgrid_event("unsubscribe", ANA, sg_event_id="sg-u1")]),
    "postmark": lambda feed: feed.postmark(postmark_subscription_change(ANA)),
    "mailgun": lambda feed: feed.mailgun(mailgun_unsubscribed(ANA)),
}


def _buyer(services, seller, email: str = ANA):
    """A buyer who gave marketing consent at checkout."""
    return buyers.create_buyer(services.db, services.clock, seller.seller_id, {
        "name": "Ana García", "country": "ES", "email": email,
        "consent": {"status": "granted", "source": "checkout"}})


def _consent(services, buyer_id: int) -> tuple[str, str | None]:
    with services.db.reading() as s:
        row = s.get(Buyer, buyer_id)
        return row.consent_status, row.consent_source


def _activities(services, buyer_id: int) -> list[Activity]:
    with services.db.reading() as s:
        return list(s.scalars(select(Activity).where(Activity.buyer_id == buyer_id, Activity.kind == "unsubscribe")))


@pytest.mark.parametrize("provider", sorted(UNSUBSCRIBES))
def test_a_provider_unsubscribe_withdraws_consent_naming_the_provider(feed, services, seller_a, provider):
    buyer = _buyer(services, seller_a)
    assert UNSUBSCRIBES[provider](feed).status_code == 200
    assert _consent(services, buyer.id) == ("withdrawn", f"unsubscribe:{provider}")


def test_a_provider_unsubscribe_adds_an_unsubscribe_activity(feed, services, seller_a):
    buyer = _buyer(services, seller_a)
    feed.sendgrid([sendgrid_event("group_unsubscribe", ANA, sg_event_id="sg-u2", asm_group_id=42)])
    [activity] = _activities(services, buyer.id)
    assert (activity.source, activity.detail) == ("sendgrid", "group_unsubscribe · group 42")


def test_the_consent_time_is_the_providers_unsubscribe_time(feed, services, seller_a):
    buyer = _buyer(services, seller_a)
    feed.postmark(postmark_subscription_change(ANA, changed_at="2026-03-10T01:50:34Z"))
    with services.db.reading() as s:
        assert s.get(Buyer, buyer.id).consent_at.isoformat() == "2026-03-10T01:50:34+00:00"


def test_the_buyer_of_the_message_named_by_its_message_id_is_withdrawn(feed, services, seller_a):
    buyer = _buyer(services, seller_a, "ana.old@example.es")
    msg = sent_message(services, seller_a, buyer.id, "ana.old@example.es")
    feed.mailgun(mailgun_unsubscribed("ana.old@example.es", message_id=msg.rfc_message_id.strip("<>")))
    assert _consent(services, buyer.id) == ("withdrawn", "unsubscribe:mailgun")
    assert _activities(services, buyer.id)[0].detail == f"unsubscribed; message {msg.id}"


def test_an_unsubscribe_delivered_twice_adds_one_activity(feed, services, seller_a):
    buyer = _buyer(services, seller_a)
    feed.postmark(postmark_subscription_change(ANA))
    assert feed.postmark(postmark_subscription_change(ANA)).json["status"] == "duplicate"
    assert len(_activities(services, buyer.id)) == 1


def test_another_sellers_buyer_with_the_address_keeps_consent(feed, services, seller_a, seller_b):
    theirs = _buyer(services, seller_b)
    feed.mailgun(mailgun_unsubscribed(ANA))
    assert _consent(services, theirs.id) == ("granted", "checkout") and _activities(services, theirs.id) == []


def test_an_unsubscribe_without_a_buyer_still_suppresses_marketing(feed):
    feed.mailgun(mailgun_unsubscribed("nobody-yet@example.es"))
    assert feed.suppression("nobody-yet@example.es") == ("unsubscribe", "marketing")


def test_a_complaint_suppresses_marketing_but_keeps_consent(feed, services, seller_a):
    buyer = _buyer(services, seller_a)
    feed.postmark(postmark_complaint(ANA))
    assert feed.suppression(ANA) == ("complaint", "marketing")
    assert _consent(services, buyer.id) == ("granted", "checkout") and _activities(services, buyer.id) == []


def test_a_hard_bounce_keeps_consent(feed, services, seller_a):
    buyer = _buyer(services, seller_a)
    feed.mailgun(mailgun_event("failed", ANA))
    assert feed.suppression(ANA) == ("hard_bounce", "all")
    assert _consent(services, buyer.id) == ("granted", "checkout") and _activities(services, buyer.id) == []
