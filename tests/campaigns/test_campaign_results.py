"""Results: what became of each email, and the orders it brought within the attribution window."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from crossborder_crm.outbox.models import Message
from crossborder_crm.outbox.unsubscribe import make_unsubscribe_token
from tests.campaigns.campaign_helpers import add_buyer, create, launch, messages


def _sent(services, cid: int, days_ago_from_now: float = 0):
    """Mark the campaign's messages sent (the dispatcher's part is tested elsewhere)."""
    at = services.clock.now() - timedelta(days=days_ago_from_now)
    with services.db.transaction() as s:
        s.execute(update(Message).where(Message.origin_ref == str(cid)).values(status="sent", sent_at=at))
    return at


def _order(api, buyer_id: int, external_id: str, placed_at, total: str = "50.00", currency: str = "USD"):
    r = api.post(f"/buyers/{buyer_id}/orders", {
        "marketplace": "shopify", "external_id": external_id, "currency": currency, "total": total,
        "placed_at": placed_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "items": [{"title": "Tea", "quantity": 1, "unit_price": total}]})
    assert r.status_code in (200, 201), r.get_json()


def test_attribution_counts_an_order_after_the_email_and_not_one_before(api_a, services):
    amy = add_buyer(api_a, "Amy", "US")
    made = create(api_a)
    launch(api_a, made["id"])
    sent_at = _sent(services, made["id"], days_ago_from_now=5)
    _order(api_a, amy, "before", sent_at - timedelta(hours=1), "10.00")
    _order(api_a, amy, "after", sent_at + timedelta(days=2), "25.00")
    body = api_a.get(f"/campaigns/{made['id']}/results").get_json()
    assert (body["orders"], body["revenue_minor"]) == (1, {"USD": 2500})
    assert body["by_country"]["US"] == {"sent": 1, "orders": 1, "revenue_minor": {"USD": 2500}}
    assert body["by_language"]["en"]["orders"] == 1


def test_an_order_after_the_attribution_window_is_not_counted(api_a, services):
    amy = add_buyer(api_a, "Amy", "US")
    made = create(api_a, attribution_days=3)
    launch(api_a, made["id"])
    sent_at = _sent(services, made["id"], days_ago_from_now=5)
    _order(api_a, amy, "late", sent_at + timedelta(days=4))
    assert api_a.get(f"/campaigns/{made['id']}/results").get_json()["orders"] == 0


def test_results_count_each_state_and_the_unsubscribes_after_the_email(api_a, client, services, seller_a):
    amy, _ben = add_buyer(api_a, "Amy", "US"), add_buyer(api_a, "Ben", "US")
    made = create(api_a)
    launch(api_a, made["id"])
    _sent(services, made["id"], days_ago_from_now=1)
    first = messages(services, made["id"])[0]
    token = make_unsubscribe_token(services.settings["SECRET_KEY"], seller_a.seller_id, amy, first.id)
    client.post(f"/u/{token}", data={"List-Unsubscribe": "One-Click"})
    body = api_a.get(f"/campaigns/{made['id']}/results").get_json()
    assert (body["planned"], body["statuses"], body["unsubscribed"]) == (2, {"sent": 2}, 1)
    assert body["tracking"] == {"on": False, "opened": None, "clicked": None, "machine_events": None}
