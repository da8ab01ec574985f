"""/api/v1/shipments and /api/v1/orders: add by API, lists with filters and cursors, tenants sealed."""
from __future__ import annotations


def new_order(api, external_id="1001", email="anna@example.de"):
    buyer = api.post("/buyers", {"name": "Anna", "email": email, "country": "DE"}).get_json()
    order = api.post(f"/buyers/{buyer['id']}/orders", {
        "marketplace": "shopify", "external_id": external_id, "placed_at": "2026-03-01T10:00:00Z",
        "currency": "EUR", "items": [{"title": "Tea set", "unit_price": "20.00"}]}).get_json()
    return buyer, order


def add(api, order_id=None, tracking="TRK1", **fields):
    body = {"tracking_number": tracking, **({"order_id": order_id} if order_id else {}), **fields}
    return api.post("/shipments", body)


SCANS = [{"at": "2026-03-08T09:00:00Z", "status": "in_transit", "location": "Shenzhen", "country": "CN"},
         {"at": "2026-03-09T22:00:00Z", "status": "arrived_destination", "location": "Leipzig"}]


def test_a_parcel_added_by_api_answers_with_its_timeline(api_a):
    _, order = new_order(api_a)
    r = add(api_a, order["id"], carrier_name="DHL", checkpoints=SCANS)
    assert r.status_code == 201
    body = r.get_json()
    assert body["order_id"] == order["id"] and body["milestone"] == "arrived_destination"
    assert [c["milestone"] for c in body["checkpoints"]] == ["arrived_destination", "in_transit"]


def test_scans_for_a_known_tracking_number_update_it_with_200(api_a):
    _, order = new_order(api_a)
    add(api_a, order["id"], checkpoints=SCANS[:1])
    r = add(api_a, checkpoints=[{"at": "2026-03-10T01:00:00Z", "status": "delivered"}])
    assert (r.status_code, r.get_json()["milestone"]) == (200, "delivered")


def test_a_new_parcel_without_an_order_is_a_422_naming_order_id(api_a):
    r = add(api_a)
    assert r.status_code == 422 and "order_id" in r.get_json()["error"]["fields"]


def test_an_unknown_status_is_a_422_naming_the_checkpoint(api_a):
    _, order = new_order(api_a)
    r = add(api_a, order["id"], checkpoints=[{"at": "2026-03-08T09:00:00Z", "status": "shipped"}])
    assert r.status_code == 422 and "checkpoints.0.status" in r.get_json()["error"]["fields"]


def test_the_list_filters_by_milestone_and_pages_with_a_cursor(api_a):
    _, order = new_order(api_a)
    for i in range(3):
        add(api_a, order["id"], f"T{i}", status="in_transit")
    add(api_a, order["id"], "D1", status="delivered")
    first = api_a.get("/shipments?milestone=in_transit&limit=2").get_json()
    second = api_a.get(f"/shipments?milestone=in_transit&limit=2&cursor={first['next_cursor']}").get_json()
    numbers = [s["tracking_number"] for s in first["items"] + second["items"]]
    assert numbers == ["T2", "T1", "T0"] and second["next_cursor"] is None


def test_the_list_filters_by_buyer_and_flags(api_a):
    buyer, order = new_order(api_a)
    add(api_a, order["id"], status="in_transit")
    assert len(api_a.get(f"/shipments?buyer_id={buyer['id']}&stalled=false").get_json()["items"]) == 1
    assert api_a.get("/shipments?late=true").get_json()["items"] == []


def test_a_bad_flag_filter_is_a_422_naming_it(api_a):
    r = api_a.get("/shipments?stalled=maybe")
    assert r.status_code == 422 and "stalled" in r.get_json()["error"]["fields"]


def test_another_sellers_shipment_is_404(api_a, api_b):
    _, order = new_order(api_a)
    shipment = add(api_a, order["id"], status="in_transit").get_json()
    assert api_b.get(f"/shipments/{shipment['id']}").status_code == 404
    assert api_b.get("/shipments").get_json()["items"] == []


def test_another_sellers_order_cannot_get_a_parcel(api_a, api_b):
    _, order = new_order(api_a)
    r = add(api_b, order["id"], status="in_transit")
    assert r.status_code == 422 and "order_id" in r.get_json()["error"]["fields"]


def test_orders_list_filters_by_buyer_and_marketplace_with_a_cursor(api_a, api_b):
    buyer, _ = new_order(api_a, "1001")
    api_a.post(f"/buyers/{buyer['id']}/orders", {"marketplace": "ebay", "external_id": "E1",
                                                 "placed_at": "2026-03-02T10:00:00Z", "currency": "EUR"})
    new_order(api_a, "1002", "bob@example.de")
    page = api_a.get(f"/orders?buyer_id={buyer['id']}&limit=1").get_json()
    rest = api_a.get(f"/orders?buyer_id={buyer['id']}&limit=1&cursor={page['next_cursor']}").get_json()
    assert [o["external_id"] for o in page["items"] + rest["items"]] == ["E1", "1001"]
    assert [o["external_id"] for o in api_a.get("/orders?marketplace=ebay").get_json()["items"]] == ["E1"]
    assert api_b.get("/orders").get_json()["items"] == []


def test_the_openapi_document_lists_the_shipment_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/shipments"]) and "get" in paths["/api/v1/orders"]
    assert "get" in paths["/api/v1/shipments/{shipment_id}"]


def test_a_parcel_added_by_api_puts_the_milestone_notice_in_the_outbox(api_a):
    buyer, order = new_order(api_a)
    add(api_a, order["id"], checkpoints=[{"at": "2026-03-09T22:00:00Z", "status": "in_transit"}])
    [msg] = api_a.get(f"/messages?buyer_id={buyer['id']}").get_json()["items"]
    assert (msg["kind"], msg["origin"], msg["status"]) == ("transactional", "milestone", "scheduled")
