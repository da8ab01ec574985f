"""Saved audiences: named filters a seller lists, previews, changes and forgets."""
from __future__ import annotations

from tests.campaigns.campaign_helpers import add_buyer


def test_a_saved_audience_previews_like_its_filter(api_a):
    add_buyer(api_a, "Olivia", "GB")
    add_buyer(api_a, "Amy", "US")
    saved = api_a.post("/audiences", {"name": "UK buyers", "filter": {"countries": ["GB"]}}).get_json()
    body = api_a.post(f"/audiences/{saved['id']}/preview").get_json()
    assert (body["recipients"], body["by_country"]) == (1, {"GB": 1})


def test_a_name_is_taken_once_per_seller(api_a, api_b):
    assert api_a.post("/audiences", {"name": "VIP"}).status_code == 201
    assert api_a.post("/audiences", {"name": "VIP"}).status_code == 409
    assert api_b.post("/audiences", {"name": "VIP"}).status_code == 201


def test_a_bad_filter_is_refused_naming_the_field(api_a):
    r = api_a.post("/audiences", {"name": "X", "filter": {"countries": ["XX"]}})
    assert r.status_code == 422 and "XX" in r.get_json()["error"]["fields"]["filter"]
    assert api_a.get("/audiences").get_json()["items"] == []


def test_a_saved_audience_can_be_renamed_and_forgotten(api_a):
    saved = api_a.post("/audiences", {"name": "A", "filter": {"countries": ["GB"]}}).get_json()
    changed = api_a.put(f"/audiences/{saved['id']}", {"name": "B", "filter": {"countries": ["US"]}}).get_json()
    assert (changed["name"], changed["filter"]["countries"]) == ("B", ["US"])
    assert [a["name"] for a in api_a.get("/audiences").get_json()["items"]] == ["B"]
    assert api_a.delete(f"/audiences/{saved['id']}").status_code == 204
    assert api_a.get(f"/audiences/{saved['id']}").status_code == 404


def test_another_sellers_saved_audience_is_not_found(api_a, api_b):
    saved = api_a.post("/audiences", {"name": "A"}).get_json()
    assert api_b.get(f"/audiences/{saved['id']}").status_code == 404
    assert api_b.post(f"/audiences/{saved['id']}/preview").status_code == 404
