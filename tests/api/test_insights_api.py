"""GET /api/v1/insights/complaints: complaints by category, product, carrier, route or month, with the trend."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

NOT_RECEIVED = "Hace semanas que pedí el juego de té y todavía no ha llegado. ¿Dónde está mi paquete?"
DAMAGED = "El paquete llegó roto, la tetera estaba rota en pedazos."


class Shop:
    """One buyer of a seller, and orders shipped by a carrier on a route, all through the API."""

    def __init__(self, api, email="lucia@example.es"):
        self.api = api
        self.buyer = api.post("/buyers", {"name": "Lucía García", "email": email, "country": "ES"}).get_json()
        self.orders = 0

    def order(self, title="Juego de té", carrier="Correos", origin="CN", destination="ES") -> str:
        self.orders += 1
        reference = f"#{1000 + self.orders}"
        order = self.api.post(f"/buyers/{self.buyer['id']}/orders", {
            "marketplace": "shopify", "external_id": str(5000 + self.orders), "reference": reference,
            "placed_at": "2026-01-01T10:00:00Z", "currency": "EUR",
            "items": [{"title": title, "unit_price": "45.00"}]}).get_json()
        r = self.api.post("/shipments", {"tracking_number": f"RR{self.orders}", "order_id": order["id"],
                                         "carrier_name": carrier, "origin_country": origin,
                                         "destination_country": destination, "shipped_at": "2026-01-02T08:00:00Z"})
        assert r.status_code == 201, r.get_json()
        return reference

    def complain(self, text=NOT_RECEIVED, order_ref=None, kind="dispute", anonymous=False) -> dict:
        who = {} if anonymous else {"buyer_id": self.buyer["id"]}  # a known buyer brings their latest order
        r = self.api.post("/drafts", {"kind": kind, "text": text, **who,
                                      **({"order_ref": order_ref} if order_ref else {})})
        assert r.status_code == 201, r.get_json()
        return r.get_json()


def on(clock, day: str) -> None:
    """Move the test clock, so the next complaint is received that day."""
    clock.set(datetime.fromisoformat(f"{day}T09:00:00").replace(tzinfo=timezone.utc))


def insights(api, query: str = "") -> dict:
    r = api.get(f"/insights/complaints{'?' + query if query else ''}")
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_the_default_is_by_category_over_the_thirty_days_ending_today(api_a, clock):
    shop = Shop(api_a)
    on(clock, "2026-02-08")  # one day before the window: counted in the previous one
    shop.complain()
    on(clock, "2026-03-10")
    shop.complain()
    shop.complain()
    body = insights(api_a)
    assert {k: body[k] for k in ("from", "to", "previous_from", "previous_to", "total", "previous_total")} == {
        "from": "2026-02-09", "to": "2026-03-10", "previous_from": "2026-01-10", "previous_to": "2026-02-08",
        "total": 2, "previous_total": 1}
    assert body["items"] == [{"category": "not_received", "count": 2, "share": 1.0, "previous_count": 1,
                              "change": 1.0, "problem_of": "forwarder"}]


def test_items_are_sorted_by_count_largest_first(api_a):
    shop = Shop(api_a)
    ref = shop.order()
    shop.complain(DAMAGED, ref, kind="review")
    for _ in range(2):
        shop.complain(NOT_RECEIVED, ref)
    items = insights(api_a)["items"]
    assert [(i["category"], i["count"], i["problem_of"]) for i in items] == [
        ("not_received", 2, "forwarder"), ("damaged", 1, "supplier")]
    assert [i["share"] for i in items] == [0.6667, 0.3333]


def test_grouping_by_carrier_and_route_uses_the_orders_shipment(api_a):
    shop = Shop(api_a)
    correos, yanwen = shop.order(carrier="Correos"), shop.order(carrier="Yanwen", destination="FR")
    shop.complain(order_ref=correos)
    shop.complain(order_ref=correos)
    shop.complain(order_ref=yanwen)
    items = insights(api_a, "group_by=carrier,route")["items"]
    assert [(i["carrier"], i["route"], i["count"]) for i in items] == [("Correos", "CN→ES", 2), ("Yanwen", "CN→FR", 1)]
    assert all(i["problem_of"] is None for i in items)  # no category in the group: no one to name


def test_grouping_by_product_names_the_items_of_the_complaints_order(api_a):
    shop = Shop(api_a)
    shop.complain(DAMAGED, shop.order(title="Tetera"), kind="review")
    shop.complain(DAMAGED, kind="review", anonymous=True)  # no buyer, no order
    body = insights(api_a, "group_by=category,product")
    assert [(i["category"], i["product"], i["count"]) for i in body["items"]] == [
        ("damaged", "Tetera", 1), ("damaged", "—", 1)]


def test_the_trend_compares_with_the_window_of_the_same_length_before(api_a, clock):
    shop = Shop(api_a)
    for day in ("2026-02-23", "2026-02-24", "2026-02-28", "2026-03-03", "2026-03-05"):
        on(clock, day)
        shop.complain()
    body = insights(api_a, "from=2026-03-01&to=2026-03-07")
    assert (body["previous_from"], body["previous_to"]) == ("2026-02-22", "2026-02-28")
    assert [(i["count"], i["previous_count"], i["change"]) for i in body["items"]] == [(2, 3, -0.3333)]


def test_the_change_is_null_when_the_previous_window_had_none(api_a):
    Shop(api_a).complain()
    assert insights(api_a)["items"][0]["change"] is None


def test_another_sellers_complaints_are_never_counted(api_a, api_b):
    Shop(api_a).complain()
    other = Shop(api_b, email="other@example.es")
    for _ in range(3):
        other.complain(DAMAGED, other.order(), kind="review")
    body = insights(api_a, "group_by=category,carrier")
    assert body["total"] == 1
    assert [(i["category"], i["carrier"], i["count"]) for i in body["items"]] == [("not_received", "—", 1)]
    assert insights(api_b)["total"] == 3


def test_a_window_without_complaints_is_empty(api_a):
    assert insights(api_a, "from=2025-01-01&to=2025-01-31") | {"items": []} == {
        "from": "2025-01-01", "to": "2025-01-31", "previous_from": "2024-12-01", "previous_to": "2024-12-31",
        "group_by": ["category"], "total": 0, "previous_total": 0, "items": []}


@pytest.mark.parametrize("query,field", [
    ("from=2026-13-01&to=2026-03-01", "from"),
    ("from=20260101&to=2026-03-01", "from"),
    ("from=2026-01-01&to=yesterday", "to"),
    ("from=2026-03-02&to=2026-03-01", "to"),
    ("from=2025-01-01&to=2026-02-06", "to"),
    ("group_by=category,supplier", "group_by"),
    ("group_by=Category", "group_by"),
])
def test_a_bad_query_is_a_422_naming_the_field(api_a, query, field):
    r = api_a.get(f"/insights/complaints?{query}")
    assert r.status_code == 422
    assert set(r.get_json()["error"]["fields"]) == {field}


def test_a_window_of_exactly_four_hundred_days_is_answered(api_a):
    assert api_a.get("/insights/complaints?from=2025-01-01&to=2026-02-05").status_code == 200


def test_the_endpoint_needs_the_sellers_token(client):
    assert client.get("/api/v1/insights/complaints").status_code == 401


def test_the_endpoint_is_in_the_openapi_document(client):
    op = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/insights/complaints"]["get"]
    assert {p["name"] for p in op["parameters"]} >= {"from", "to", "group_by"} and "422" in op["responses"]
