"""The buyers API: create, read, list, update, delete, orders, activity — on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crossborder_crm.buyers.models import Buyer, Order

MADRID = {"name": "Lucía García", "email": "lucia@example.es", "country": "ES", "city": "Madrid"}


def count(services, model=Buyer):
    with services.db.reading() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_create_buyer_infers_timezone_and_language_and_says_how(api_a):
    r = api_a.post("/buyers", {"name": "Amélie", "country": "FR"})
    assert r.status_code == 201
    body = r.get_json()
    assert body["timezone"] == "Europe/Paris"
    assert body["language"] == "fr-FR"
    assert body["inferred"]["timezone"]["source"] == "country"
    assert body["inferred"]["language"]["source"] == "country_language"
    assert isinstance(body["id"], int)


def test_country_with_several_zones_and_no_region_is_marked_low_confidence(api_a):
    body = api_a.post("/buyers", MADRID).get_json()  # Spain: Madrid, Canaries, Ceuta
    assert body["timezone"] == "Europe/Madrid"
    assert body["inferred"]["timezone"]["confidence"] == "low"


def test_create_buyer_in_multizone_country_uses_region(api_a):
    r = api_a.post("/buyers", {"name": "Jo", "country": "US", "region": "IL", "city": "Chicago"})
    assert r.get_json()["timezone"] == "America/Chicago"
    assert r.get_json()["inferred"]["timezone"]["source"] == "region"


def test_given_timezone_and_language_are_kept_as_given(api_a):
    r = api_a.post("/buyers", {**MADRID, "timezone": "Atlantic/Canary", "language": "ca"})
    body = r.get_json()
    assert (body["timezone"], body["language"]) == ("Atlantic/Canary", "ca")
    assert body["inferred"]["timezone"]["source"] == "given"


def test_local_time_is_the_buyers_wall_clock_at_the_app_clock(api_a):
    body = api_a.post("/buyers", MADRID).get_json()
    # T0 = 2026-03-10 02:00 UTC = 03:00 in Madrid (CET)
    assert body["local_time"]["time"].startswith("2026-03-10T03:00")
    assert body["local_time"]["timezone"] == "Europe/Madrid"


def test_phone_is_stored_in_e164(api_a):
    r = api_a.post("/buyers", {**MADRID, "phone": "612 34 56 78"})
    assert r.get_json()["phone"] == "+34612345678"


@pytest.mark.parametrize("field,value", [
    ("country", "XX"), ("timezone", "Mars/Olympus"), ("language", "zz-!!"),
    ("email", "not-an-email"), ("phone", "12"), ("tags", ["ok", ""]),
    ("consent", {"status": "maybe"}), ("surprise", 1),
])
def test_invalid_field_is_422_naming_the_field_and_writes_nothing(api_a, services, field, value):
    r = api_a.post("/buyers", {**MADRID, field: value})
    assert r.status_code == 422
    err = r.get_json()["error"]
    assert err["code"] == "invalid"
    assert any(k.split(".")[0] == field for k in err["fields"]), err
    assert count(services) == 0


def test_missing_required_fields_are_named(api_a):
    r = api_a.post("/buyers", {"email": "x@example.com"})
    assert r.status_code == 422
    assert {"name", "country"} <= set(r.get_json()["error"]["fields"])


def test_malformed_json_is_400(api_a, services):
    r = api_a.client.post("/api/v1/buyers", data=b"{not json", content_type="application/json",
                          headers={"Authorization": f"Bearer {api_a.token}"})
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "malformed"
    assert count(services) == 0


def test_json_that_is_not_an_object_is_400(api_a):
    assert api_a.post("/buyers", [1, 2]).status_code == 400


def test_oversized_body_is_413(api_a, services):
    r = api_a.post("/buyers", {**MADRID, "notes": "x" * (1024 * 1024 + 10)})
    assert r.status_code == 413
    assert r.get_json()["error"]["code"] == "too_large"
    assert count(services) == 0


def test_missing_token_is_401(client):
    r = client.get("/api/v1/buyers")
    assert r.status_code == 401
    assert r.get_json()["error"]["code"] == "unauthorized"


def test_wrong_token_is_401(client):
    r = client.get("/api/v1/buyers", headers={"Authorization": "Bearer crm_nope"})
    assert r.status_code == 401


def test_duplicate_email_is_409_and_keeps_the_first(api_a, services):
    api_a.post("/buyers", MADRID)
    r = api_a.post("/buyers", {**MADRID, "name": "Other", "email": "LUCIA@example.es"})
    assert r.status_code == 409
    assert "email" in r.get_json()["error"]["fields"]
    assert count(services) == 1


def test_duplicate_marketplace_id_is_409(api_a):
    api_a.post("/buyers", {**MADRID, "marketplace": "shopify", "marketplace_buyer_id": 123})
    r = api_a.post("/buyers", {"name": "B", "country": "FR", "marketplace": "shopify",
                               "marketplace_buyer_id": "123"})
    assert r.status_code == 409


def test_marketplace_ids_above_2_53_round_trip_exactly(api_a):
    big = 2 ** 53 + 1
    body = api_a.post("/buyers", {**MADRID, "marketplace": "shopify", "marketplace_buyer_id": big}).get_json()
    assert body["marketplace_buyer_id"] == str(big)


def test_partial_update_changes_only_given_fields_and_reinfers(api_a):
    b = api_a.post("/buyers", {"name": "Sam", "country": "US", "region": "NY"}).get_json()
    r = api_a.patch(f"/buyers/{b['id']}", {"region": "CA"})
    body = r.get_json()
    assert r.status_code == 200
    assert body["timezone"] == "America/Los_Angeles"
    assert body["name"] == "Sam"


def test_update_keeps_a_given_timezone_when_the_region_changes(api_a):
    b = api_a.post("/buyers", {"name": "Sam", "country": "US", "region": "NY",
                               "timezone": "America/Phoenix"}).get_json()
    body = api_a.patch(f"/buyers/{b['id']}", {"region": "CA"}).get_json()
    assert body["timezone"] == "America/Phoenix"


def test_update_with_invalid_field_changes_nothing(api_a):
    b = api_a.post("/buyers", MADRID).get_json()
    r = api_a.patch(f"/buyers/{b['id']}", {"name": "New", "country": "ZZ"})
    assert r.status_code == 422
    assert api_a.get(f"/buyers/{b['id']}").get_json()["name"] == MADRID["name"]


def test_update_cannot_remove_the_name(api_a):
    b = api_a.post("/buyers", MADRID).get_json()
    r = api_a.patch(f"/buyers/{b['id']}", {"name": None})
    assert r.status_code == 422 and "name" in r.get_json()["error"]["fields"]


def test_delete_removes_the_buyer(api_a):
    b = api_a.post("/buyers", MADRID).get_json()
    assert api_a.delete(f"/buyers/{b['id']}").status_code == 204
    assert api_a.get(f"/buyers/{b['id']}").status_code == 404


def _make_many(api, n):
    countries = ["DE", "FR", "US", "BR", "JP"]
    ids = []
    for i in range(n):
        body = {"name": f"Buyer {i:03d}", "country": countries[i % 5], "email": f"b{i}@example.com",
                "tags": ["vip"] if i % 3 == 0 else []}
        if i % 5 == 2:
            body["region"] = "TX"
        ids.append(api.post("/buyers", body).get_json()["id"])
    return ids


def test_list_paginates_with_a_cursor_over_every_buyer_once(api_a):
    ids = _make_many(api_a, 23)
    seen, cursor = [], None
    while True:
        r = api_a.get("/buyers", query_string={"limit": 5, **({"cursor": cursor} if cursor else {})}).get_json()
        seen += [b["id"] for b in r["items"]]
        cursor = r["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(ids)


def test_list_sorts_by_name_descending_across_pages(api_a):
    _make_many(api_a, 12)
    names, cursor = [], None
    while True:
        q = {"limit": 5, "sort": "-name", **({"cursor": cursor} if cursor else {})}
        r = api_a.get("/buyers", query_string=q).get_json()
        names += [b["name"] for b in r["items"]]
        cursor = r["next_cursor"]
        if not cursor:
            break
    assert names == sorted(names, reverse=True) and len(names) == 12


def test_list_filters_by_country_tag_and_language(api_a):
    _make_many(api_a, 15)
    assert {b["country"] for b in api_a.get("/buyers?country=de").get_json()["items"]} == {"DE"}
    assert len(api_a.get("/buyers?tag=vip").get_json()["items"]) == 5
    assert {b["language"][:2] for b in api_a.get("/buyers?language=pt").get_json()["items"]} == {"pt"}


def test_list_filters_by_has_orders(api_a):
    ids = _make_many(api_a, 3)
    api_a.post(f"/buyers/{ids[0]}/orders", {"external_id": "1", "placed_at": "2026-01-01T10:00:00Z",
                                           "currency": "EUR", "total": "10.00"})
    assert [b["id"] for b in api_a.get("/buyers?has_orders=true").get_json()["items"]] == [ids[0]]
    assert len(api_a.get("/buyers?has_orders=false").get_json()["items"]) == 2


@pytest.mark.parametrize("query,field", [("country=QQ", "country"), ("limit=0", "limit"), ("limit=abc", "limit"),
                                         ("sort=email", "sort"), ("cursor=%%%", "cursor"),
                                         ("has_orders=maybe", "has_orders")])
def test_bad_list_parameters_are_422_naming_the_parameter(api_a, query, field):
    r = api_a.get("/buyers?" + query)
    assert r.status_code == 422
    assert field in r.get_json()["error"]["fields"]


ORDER = {"marketplace": "shopify", "external_id": "1001", "placed_at": "2026-01-05T19:30:00+01:00",
         "currency": "EUR", "items": [{"title": "Tea set", "quantity": 2, "unit_price": "12.50"}]}


def test_order_updates_the_buyers_statistics(api_a):
    b = api_a.post("/buyers", MADRID).get_json()
    api_a.post(f"/buyers/{b['id']}/orders", ORDER)
    api_a.post(f"/buyers/{b['id']}/orders", {**ORDER, "external_id": "1002",
                                              "placed_at": "2026-02-04T19:30:00+01:00", "total": "40.00"})
    stats = api_a.get(f"/buyers/{b['id']}").get_json()["stats"]
    assert stats["order_count"] == 2
    assert stats["spend"] == [{"currency": "EUR", "orders": 2, "total": "65.00", "average": "32.50"}]
    assert stats["avg_days_between_orders"] == "30.00"
    assert stats["next_purchase_at"] == "2026-03-06T18:30:00Z"
    assert stats["first_order_at"] == "2026-01-05T18:30:00Z"


def test_order_total_defaults_to_the_items_and_money_is_exact(api_a):
    b = api_a.post("/buyers", MADRID).get_json()
    o = api_a.post(f"/buyers/{b['id']}/orders", {**ORDER, "items": [
        {"title": "A", "quantity": 3, "unit_price": 0.1}]}).get_json()
    assert o["total"] == "0.30"


def test_spend_is_kept_per_currency(api_a):
    b = api_a.post("/buyers", MADRID).get_json()
    api_a.post(f"/buyers/{b['id']}/orders", {**ORDER, "total": "10"})
    api_a.post(f"/buyers/{b['id']}/orders", {**ORDER, "external_id": "2", "currency": "JPY", "total": "1500", "items": []})
    spend = api_a.get(f"/buyers/{b['id']}").get_json()["stats"]["spend"]
    assert [(s["currency"], s["total"]) for s in spend] == [("EUR", "10.00"), ("JPY", "1500")]


@pytest.mark.parametrize("patch,field", [
    ({"total": "-1"}, "total"), ({"currency": "EURO"}, "currency"),
    ({"placed_at": "2026-01-05T19:30:00"}, "placed_at"),
    ({"items": [{"title": "A", "unit_price": "-2"}]}, "items.0.unit_price"),
    ({"items": [{"title": "A", "unit_price": "1.234"}]}, "items.0.unit_price"),
    ({"items": [{"title": "A", "unit_price": "1", "quantity": 0}]}, "items.0.quantity"),
])
def test_invalid_order_is_422_naming_the_field_and_writes_nothing(api_a, services, patch, field):
    b = api_a.post("/buyers", MADRID).get_json()
    r = api_a.post(f"/buyers/{b['id']}/orders", {**ORDER, **patch})
    assert r.status_code == 422
    assert field in r.get_json()["error"]["fields"]
    assert count(services, Order) == 0


def test_duplicate_order_is_409(api_a):
    b = api_a.post("/buyers", MADRID).get_json()
    api_a.post(f"/buyers/{b['id']}/orders", ORDER)
    assert api_a.post(f"/buyers/{b['id']}/orders", ORDER).status_code == 409


def test_orders_are_listed_newest_first(api_a):
    b = api_a.post("/buyers", MADRID).get_json()
    api_a.post(f"/buyers/{b['id']}/orders", ORDER)
    api_a.post(f"/buyers/{b['id']}/orders", {**ORDER, "external_id": "2", "placed_at": "2026-02-01T00:00:00Z"})
    items = api_a.get(f"/buyers/{b['id']}/orders").get_json()["items"]
    assert [o["external_id"] for o in items] == ["2", "1001"]


def test_activity_is_logged_and_listed(api_a):
    b = api_a.post("/buyers", MADRID).get_json()
    r = api_a.post(f"/buyers/{b['id']}/activity", {"kind": "email_open", "occurred_at": "2026-03-01T20:00:00Z"})
    assert r.status_code == 201
    kinds = [a["kind"] for a in api_a.get(f"/buyers/{b['id']}/activity").get_json()["items"]]
    assert kinds == ["email_open"]


def test_unknown_activity_kind_is_422(api_a):
    b = api_a.post("/buyers", MADRID).get_json()
    r = api_a.post(f"/buyers/{b['id']}/activity", {"kind": "teleport", "occurred_at": "2026-03-01T20:00:00Z"})
    assert r.status_code == 422 and "kind" in r.get_json()["error"]["fields"]


def test_unknown_endpoint_answers_json_404(api_a):
    r = api_a.get("/nothing-here")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"


def test_an_international_domain_is_stored_as_idna(api_a):
    r = api_a.post("/buyers", {"name": "Anna", "email": "anna@exämple.com", "country": "DE"})
    assert r.status_code == 201 and r.get_json()["email"] == "anna@xn--exmple-cua.com"


def test_a_non_ascii_local_part_is_accepted_and_stored_with_an_idna_domain(api_a, services):
    r = api_a.post("/buyers", {"name": "Ä", "email": "ä@exämple.com", "country": "DE"})
    assert r.status_code == 201 and r.get_json()["email"] == "ä@xn--exmple-cua.com"
