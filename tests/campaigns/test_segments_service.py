"""Refreshing segments from the stored order history, per seller, and the command that does it now."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from crossborder_crm.buyers import service as buyers
from crossborder_crm.buyers.models import Buyer
from crossborder_crm.buyers.orders import add_order
from crossborder_crm.campaigns.segments_service import refresh_segments, segment_counts


def buyer_with_orders(services, seller_id, name, days_ago, unit_price="20.00", currency="EUR"):
    b = buyers.create_buyer(services.db, services.clock, seller_id, {"name": name, "country": "ES",
                                                                     "email": f"{name.lower()}@example.es"})
    now = services.clock.now()
    for n, days in enumerate(days_ago):
        add_order(services.db, services.clock, seller_id, b.id, {
            "marketplace": "shopify", "external_id": f"{name}-{n}", "currency": currency,
            "placed_at": (now - timedelta(days=days)).isoformat(),
            "items": [{"title": "Tea", "unit_price": unit_price}]})
    return b.id


def stored(services, buyer_id):
    with services.db.reading() as s:
        return s.execute(select(Buyer.segment, Buyer.segment_reason, Buyer.rfm_recency, Buyer.rfm_frequency,
                                Buyer.rfm_monetary, Buyer.segment_at).where(Buyer.id == buyer_id)).one()


def test_refreshing_stores_each_buyers_segment_with_the_reason(services, seller_a):
    sid = seller_a.seller_id
    fresh = buyer_with_orders(services, sid, "Ana", [3])
    gone = buyer_with_orders(services, sid, "Bea", [700])
    none = buyers.create_buyer(services.db, services.clock, sid, {"name": "Cy", "country": "ES"}).id
    result = refresh_segments(services.db, services.clock, sid)
    assert result.buyers == 3 and result.segments == {"new": 1, "lapsed": 1, "no_orders": 1}
    segment, reason, r, f, m, at = stored(services, fresh)
    assert (segment, f) == ("new", 1) and reason.startswith("last order 3 days ago") and at is not None
    assert stored(services, gone)[0] == "lapsed" and stored(services, none)[0] == "no_orders"


def test_another_sellers_buyers_are_scored_apart(services, seller_a, seller_b):
    mine = buyer_with_orders(services, seller_a.seller_id, "Ana", [3])
    theirs = buyer_with_orders(services, seller_b.seller_id, "Bea", [3])
    refresh_segments(services.db, services.clock, seller_a.seller_id)
    assert stored(services, mine)[0] == "new" and stored(services, theirs)[0] is None


def test_segment_counts_per_seller(services, seller_a):
    buyer_with_orders(services, seller_a.seller_id, "Ana", [3])
    buyer_with_orders(services, seller_a.seller_id, "Bea", [700])
    refresh_segments(services.db, services.clock)
    assert segment_counts(services.db, seller_a.seller_id) == {"new": 1, "lapsed": 1}


def test_the_command_refreshes_and_counts(app, services, seller_a):
    buyer_with_orders(services, seller_a.seller_id, "Ana", [3])
    result = app.test_cli_runner().invoke(args=["crm", "segments", "refresh", "--seller-id",
                                                str(seller_a.seller_id)])
    assert result.exit_code == 0, result.output
    assert "1 buyers of 1 sellers: new 1" in result.output


def test_the_command_refuses_an_unknown_seller(app):
    result = app.test_cli_runner().invoke(args=["crm", "segments", "refresh", "--seller-id", "999"])
    assert result.exit_code != 0 and "no seller with id 999" in result.output
