"""Tenants are sealed: seller B gets 404 for every one of seller A's records, by id."""
from __future__ import annotations

import pytest

ORDER = {"external_id": "9", "placed_at": "2026-01-05T19:30:00Z", "currency": "EUR", "total": "1"}


@pytest.fixture
def a_buyer(api_a):
    return api_a.post("/buyers", {"name": "Alice", "country": "DE", "email": "alice@example.de"}).get_json()


@pytest.mark.parametrize("method,path,body", [
    ("get", "/buyers/{id}", None),
    ("patch", "/buyers/{id}", {"name": "Hacked"}),
    ("delete", "/buyers/{id}", None),
    ("get", "/buyers/{id}/orders", None),
    ("post", "/buyers/{id}/orders", ORDER),
    ("get", "/buyers/{id}/activity", None),
    ("post", "/buyers/{id}/activity", {"kind": "visit", "occurred_at": "2026-01-05T19:30:00Z"}),
])
def test_other_seller_gets_404_and_changes_nothing(api_a, api_b, a_buyer, method, path, body):
    url = path.format(id=a_buyer["id"])
    args = (url, body) if body is not None else (url,)
    r = getattr(api_b, method)(*args)
    assert r.status_code == 404
    assert r.get_json()["error"]["code"] == "not_found"
    after = api_a.get(f"/buyers/{a_buyer['id']}").get_json()
    assert after["name"] == "Alice" and after["stats"]["order_count"] == 0


def test_other_seller_does_not_see_the_buyer_in_lists(api_a, api_b, a_buyer):
    assert api_b.get("/buyers").get_json()["items"] == []
    assert api_b.get("/buyers?q=alice").get_json()["items"] == []


def test_same_email_may_exist_at_two_sellers(api_a, api_b, a_buyer):
    r = api_b.post("/buyers", {"name": "Alice", "country": "DE", "email": "alice@example.de"})
    assert r.status_code == 201
