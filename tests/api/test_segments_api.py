"""GET /api/v1/segments and the segment on a buyer."""
from __future__ import annotations

from crossborder_crm.campaigns.segments_service import refresh_segments
from tests.api.test_holidays_api import add_buyers


def test_segments_count_the_sellers_buyers(api_a, services, seller_a):
    add_buyers(api_a, "US", 2)
    refresh_segments(services.db, services.clock, seller_a.seller_id)
    body = api_a.get("/segments").get_json()
    assert {i["segment"]: i["buyers"] for i in body["items"]}["no_orders"] == 2
    assert body["not_scored_yet"] == 0 and all(i["meaning"] for i in body["items"])


def test_a_buyer_carries_its_segment_once_scored(api_a, services, seller_a):
    add_buyers(api_a, "US", 1)
    [buyer] = api_a.get("/buyers").get_json()["items"]
    assert buyer["segment"] is None
    refresh_segments(services.db, services.clock, seller_a.seller_id)
    scored = api_a.get(f"/buyers/{buyer['id']}").get_json()["segment"]
    assert scored["name"] == "no_orders" and scored["reason"] == "no orders yet"


def test_the_buyer_list_filters_by_segment(api_a, services, seller_a):
    add_buyers(api_a, "US", 2)
    refresh_segments(services.db, services.clock, seller_a.seller_id)
    assert len(api_a.get("/buyers?segment=no_orders").get_json()["items"]) == 2
    assert api_a.get("/buyers?segment=key").get_json()["items"] == []


def test_an_unknown_segment_is_a_422_naming_it(api_a):
    r = api_a.get("/buyers?segment=vip")
    assert r.status_code == 422 and "segment" in r.get_json()["error"]["fields"]
