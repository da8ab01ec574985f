"""Hostile input found in review: each is a 4xx naming what was wrong, never a 500, and changes nothing."""
from __future__ import annotations

import base64
import json
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select, update

from crossborder_crm.buyers.models import Buyer, Order
from crossborder_crm.outbox.models import Message

HUGE = 2**63  # past any 64-bit integer: SQLite cannot bind it
PAST_INT4 = 2**31  # ids are INTEGER columns: PostgreSQL cannot bind this one
SHANGHAI = {"name": "王芳", "country": "CN"}  # UTC+8: 9999-12-31 20:00 UTC is past year 9999 there
FAR = "9999-12-31T20:00:00Z"


def fields(r) -> set[str]:
    """The field names of an error answer, after checking its shape."""
    error = r.get_json()["error"]
    assert set(error) == {"code", "message", "fields"}
    return set(error["fields"])


def count(services, model) -> int:
    with services.db.reading() as s:
        return s.scalar(select(func.count()).select_from(model))


def auth(api) -> dict[str, str]:
    return {"Authorization": f"Bearer {api.token}"}


def cursor(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.fixture
def buyer(api_a) -> dict:
    # With an address: a message to a buyer without one is refused before its send time is looked at.
    return api_a.post("/buyers", {**SHANGHAI, "email": "wang.fang@example.cn"}).get_json()


def message(api_a, buyer_id: int, **extra):
    return api_a.post("/messages", {"buyer_id": buyer_id, "subject": "Hi", "body": "x", **extra})


# ---------------------------------------------------------------------------------- lists and tags

def test_ninety_thousand_tags_are_a_422_naming_tags_and_store_nothing(api_a, services):
    r = api_a.post("/buyers", {**SHANGHAI, "tags": [f"t{i}" for i in range(90_000)]})
    assert r.status_code == 422 and fields(r) == {"tags"}
    assert count(services, Buyer) == 0


# ---------------------------------------------------------------------------------- cursors

@pytest.mark.parametrize("sort,values", [
    ("id", [{"a": 1}, 1]),
    ("name", [{"a": 1}, 1]),
    ("name", [None, 0]),
    ("name", ["Ana\u0000", 1]),
    ("name", ["\ud800", 1]),
    ("created_at", ["zzz", 1]),
    ("created_at", ["2026-03-10 02:00:00", 1]),          # no offset
    ("-updated_at", ["0001-01-01T00:00:00+14:00", 1]),   # before year 1 in UTC
    ("order_count", [2**70, 1]),
    ("id", [1, HUGE]),
    ("id", [PAST_INT4, PAST_INT4]),
    ("id", [True, 1]),
])
def test_a_forged_cursor_is_a_422_naming_cursor(api_a, buyer, sort, values):
    r = api_a.get(f"/buyers?sort={sort}&cursor={cursor(values)}")
    assert r.status_code == 422 and fields(r) == {"cursor"}


def test_a_cursor_nested_past_the_stack_is_a_422_naming_cursor(api_a):
    deep = base64.urlsafe_b64encode(b"[" * 100_000).decode()
    r = api_a.get(f"/buyers?cursor={deep}")
    assert r.status_code == 422 and fields(r) == {"cursor"}


# ---------------------------------------------------------------------------------- ids

@pytest.mark.parametrize("big", [PAST_INT4, HUGE, 10**26])
@pytest.mark.parametrize("method,path,body", [
    ("GET", "/buyers/{}", None),
    ("PATCH", "/buyers/{}", {"name": "Ana"}),
    ("DELETE", "/buyers/{}", None),
    ("GET", "/buyers/{}/orders", None),
    ("POST", "/buyers/{}/orders", {"external_id": "1", "placed_at": "2026-01-01T00:00:00Z", "currency": "EUR"}),
    ("GET", "/buyers/{}/activity", None),
    ("POST", "/buyers/{}/activity", {"kind": "visit", "occurred_at": "2026-01-01T00:00:00Z"}),
    ("GET", "/messages/{}", None),
    ("POST", "/messages/{}/cancel", None),
    ("POST", "/messages/{}/reschedule", {"send_at": "best"}),
    ("POST", "/messages/{}/retry", None),
])
def test_an_id_too_large_for_the_database_in_a_path_is_a_404(api_a, method, path, body, big):
    r = api_a.client.open("/api/v1" + path.format(big), method=method, json=body, headers=auth(api_a))
    assert r.status_code == 404 and fields(r) == set()


@pytest.mark.parametrize("buyer_id", [PAST_INT4, HUGE, 99999999999999999999])
def test_a_buyer_id_too_large_for_the_database_in_a_body_is_a_422_naming_it(api_a, buyer_id):
    r = message(api_a, buyer_id)
    assert r.status_code == 422 and fields(r) == {"buyer_id"}


@pytest.mark.parametrize("query,field", [
    (f"buyer_id={HUGE}", "buyer_id"),
    (f"buyer_id={PAST_INT4}", "buyer_id"),
    ("buyer_id=-5", "buyer_id"),
    ("buyer_id=\u0663", "buyer_id"),   # ARABIC-INDIC DIGIT THREE: int() reads it as 3
    (f"cursor={HUGE}", "cursor"),
    (f"cursor={PAST_INT4}", "cursor"),
    ("cursor=1_000", "cursor"),         # int() takes underscores
])
def test_a_message_list_number_out_of_range_or_not_in_ascii_digits_is_a_422_naming_it(api_a, query, field):
    r = api_a.get(f"/messages?{query}")
    assert r.status_code == 422 and fields(r) == {field}


# ---------------------------------------------------------------------------------- amounts, dates, JSON

ORDER = {"external_id": "A-1", "placed_at": "2026-01-05T19:30:00Z", "currency": "EUR"}


@pytest.mark.parametrize("patch,field", [
    ({"total": 1e308}, "total"),
    ({"total": "1e30"}, "total"),
    ({"items": [{"title": "Crate", "unit_price": "10000000000000", "quantity": 100_000}]}, "total"),
    ({"items": [{"title": "Crate", "unit_price": 1e308}]}, "items.0.unit_price"),
    ({"placed_at": "0001-01-01T00:00:00+14:00"}, "placed_at"),
    ({"placed_at": FAR}, "placed_at"),
])
def test_an_order_amount_or_date_out_of_range_is_a_422_naming_it(api_a, services, buyer, patch, field):
    r = api_a.post(f"/buyers/{buyer['id']}/orders", {**ORDER, **patch})
    assert r.status_code == 422 and fields(r) == {field}
    assert count(services, Order) == 0


def test_activity_in_year_9999_is_a_422_naming_occurred_at(api_a, buyer):
    r = api_a.post(f"/buyers/{buyer['id']}/activity", {"kind": "visit", "occurred_at": FAR})
    assert r.status_code == 422 and fields(r) == {"occurred_at"}


def test_json_nested_100000_deep_is_a_400_naming_body(api_a):
    r = api_a.client.post("/api/v1/buyers", data="[" * 100_000, content_type="application/json",
                          headers=auth(api_a))
    assert r.status_code == 400 and fields(r) == {"body"}


@pytest.mark.parametrize("query,field", [("tag=v%00ip", "tag"), ("q=Ana%00", "q")])
def test_a_nul_in_a_text_filter_is_a_422_naming_it(api_a, query, field):
    r = api_a.get(f"/buyers?{query}")
    assert r.status_code == 422 and fields(r) == {field}


# ---------------------------------------------------------------------------------- send times

@pytest.mark.parametrize("send_at", [
    FAR,
    "0001-01-01T00:00:00+14:00",
    {"local": "9999-12-31T23:59"},
    "2027-03-12T02:00:00Z",             # the clock is 2026-03-10 02:00 UTC: 367 days ahead
    {"local": "2027-03-12T09:00"},
])
def test_a_send_time_past_the_horizon_is_a_422_naming_send_at_and_stores_nothing(api_a, services, buyer, send_at):
    r = message(api_a, buyer["id"], send_at=send_at)
    assert r.status_code == 422 and fields(r) == {"send_at"}
    assert count(services, Message) == 0


def test_the_send_horizon_is_a_setting(app, api_a, buyer):
    app.config["SEND_HORIZON_DAYS"] = 7
    r = message(api_a, buyer["id"], send_at="2026-03-18T02:00:00Z")
    assert r.status_code == 422 and "7 days" in r.get_json()["error"]["fields"]["send_at"]


def test_a_reschedule_past_the_horizon_is_a_422_naming_send_at(api_a, buyer):
    sent = message(api_a, buyer["id"]).get_json()
    r = api_a.post(f"/messages/{sent['id']}/reschedule", {"send_at": FAR})
    assert r.status_code == 422 and fields(r) == {"send_at"}


def test_a_send_time_without_an_offset_is_reported_under_send_at_itself(api_a, buyer):
    r = message(api_a, buyer["id"], send_at="2026-03-12T10:00:00")
    assert r.get_json()["error"]["fields"] == {
        "send_at": "needs a UTC offset or Z (a time without one is never taken as UTC)"}


def test_a_stored_far_future_message_is_listed_in_utc(api_a, services, buyer):
    sent = message(api_a, buyer["id"]).get_json()
    far = datetime(9999, 12, 31, 20, 0, tzinfo=timezone.utc)
    with services.db.transaction() as s:  # a row accepted before send times were bounded
        s.execute(update(Message).where(Message.id == sent["id"]).values(scheduled_at=far, due_at=far))
    r = api_a.get("/messages")
    assert r.status_code == 200
    assert r.get_json()["items"][0]["scheduled_local"]["time"] == "9999-12-31T20:00+00:00"
    assert api_a.post(f"/messages/{sent['id']}/cancel").get_json()["status"] == "cancelled"
