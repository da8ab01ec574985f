"""Audience preview: the filter narrows, the exclusions hold whatever it says, each counted by reason."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from crossborder_crm.buyers.models import Buyer, Order
from crossborder_crm.campaigns.consent_policy import may_market, rule_for
from crossborder_crm.outbox.models import Suppression


def buyer(api, name, country, email=None, consent=None, tags=()):
    body = {"name": name, "country": country, "email": email or f"{name.lower()}@example.com", "tags": list(tags)}
    if consent:
        body["consent"] = {"status": consent, "source": "checkout"}
    r = api.post("/buyers", body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def preview(api, **flt):
    r = api.post("/audiences/preview", flt)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def suppress(services, seller_id, email, reason):
    with services.db.transaction() as s:
        s.add(Suppression(seller_id=seller_id, email=email, reason=reason, scope="marketing",
                          created_at=services.clock.now()))


def test_an_eu_buyer_without_consent_is_left_out_and_a_us_buyer_is_not(api_a):
    buyer(api_a, "Hans", "DE")
    buyer(api_a, "Greta", "DE", consent="granted")
    buyer(api_a, "Amy", "US")
    body = preview(api_a)
    assert (body["recipients"], body["excluded"]["no_consent"]) == (2, 1)
    assert body["by_country"] == {"DE": 1, "US": 1}


def test_each_exclusion_is_counted_under_its_reason(api_a, services, seller_a):
    sid = seller_a.seller_id
    for name in ("Unsub", "Bounce", "Spam", "Manual"):
        buyer(api_a, name, "US")
    suppress(services, sid, "unsub@example.com", "unsubscribe")
    suppress(services, sid, "bounce@example.com", "hard_bounce")
    suppress(services, sid, "spam@example.com", "complaint")
    suppress(services, sid, "manual@example.com", "manual")
    excluded = preview(api_a)["excluded"]
    assert {k: v for k, v in excluded.items() if v} == {"unsubscribed": 1, "bounced": 1, "complained": 1,
                                                        "suppressed": 1}


def test_an_open_dispute_and_a_recent_bad_review_keep_a_buyer_out(api_a, services):
    disputing = buyer(api_a, "Dora", "US")
    reviewer = buyer(api_a, "Rex", "US")
    api_a.post(f"/buyers/{disputing}/orders", {"marketplace": "shopify", "external_id": "1", "currency": "USD",
                                              "placed_at": "2026-03-01T10:00:00Z",
                                              "items": [{"title": "Mug", "unit_price": "9.00"}]})
    with services.db.transaction() as s:
        s.execute(update(Order).values(dispute_open=True))
        s.execute(update(Buyer).where(Buyer.id == reviewer)
                  .values(last_negative_review_at=services.clock.now() - timedelta(days=5)))
    excluded = preview(api_a)["excluded"]
    assert (excluded["open_dispute"], excluded["negative_review"]) == (1, 1)


def test_the_filter_narrows_by_country_tag_and_orders(api_a):
    buyer(api_a, "Amy", "US", tags=["vip"])
    buyer(api_a, "Bob", "US")
    buyer(api_a, "Cleo", "MX", tags=["vip"])
    assert preview(api_a, countries=["us"], tags=["VIP"])["recipients"] == 1
    assert preview(api_a, min_orders=1)["matched"] == 0


def test_a_spend_range_needs_its_currency(api_a):
    r = api_a.post("/audiences/preview", {"min_spend_minor": 1000})
    assert r.status_code == 422 and "spend_currency" in r.get_json()["error"]["fields"]


def test_an_unknown_segment_is_refused_naming_the_field(api_a):
    r = api_a.post("/audiences/preview", {"segments": ["vip"]})
    assert r.status_code == 422 and "segments" in r.get_json()["error"]["fields"]


def test_another_sellers_buyers_are_never_counted(api_a, api_b):
    buyer(api_b, "Amy", "US")
    assert preview(api_a)["matched"] == 0


def test_the_consent_policy_by_country():
    assert rule_for("DE") == rule_for("GB") == rule_for("CA") == "opt_in"
    assert rule_for("US") == rule_for("MX") == "opt_out"
    assert may_market("US", "unknown") and not may_market("US", "withdrawn")
    assert not may_market("FR", "unknown") and may_market("FR", "granted")
