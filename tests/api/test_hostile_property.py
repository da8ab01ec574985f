"""Property: no generated hostile value makes the API answer 500, and every 4xx has the error shape.

Bodies start from a valid request and replace some fields with values drawn from what broke the
API in review: huge and negative integers, 1e308 / NaN / infinities, text with NUL, controls and
unpaired surrogates, long text, nested lists and objects, dates at the ends of the calendar with
odd offsets, and wrong types. Runs on SQLite and, when configured, PostgreSQL.
"""
from __future__ import annotations

import base64
import json
from datetime import timedelta, timezone
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# The app and its database live for the whole test, across examples: that is what a server sees.
BOUNDED = settings(max_examples=150, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

INTS = st.one_of(st.integers(), st.sampled_from(
    [0, -1, 2**31, 2**63 - 1, 2**63, -(2**63) - 1, 10**20, 10**300]))
FLOATS = st.one_of(st.floats(), st.sampled_from(
    [1e308, -1e308, float("inf"), float("-inf"), float("nan"), 5e-324, 1e16 + 1]))
NASTY = st.sampled_from([
    "", " ", "\x00", "Ana\x00", "\ud800", "a\udfffb", "²", "\u0663", "1_000", " 12 ", "\r\nBcc: x@y",
    "\u202e", "İ" * 64, "x" * 70_000, "9" * 30, "-1", "best", "null", "NaN", "1e308", "ES", "Europe/Madrid",
    "pt-BR", "vip", "EUR", "granted", "visit", "marketing", "2026-03-12T10:00", "2026-03-12T10:00:00",
])
TEXT = st.one_of(st.text(max_size=30), st.text(st.characters(max_codepoint=0x9F), max_size=10), NASTY)


def _with_offset(moment, minutes: int) -> str:
    return moment.replace(tzinfo=timezone(timedelta(minutes=minutes))).isoformat()


DATES = st.one_of(
    st.builds(_with_offset, st.datetimes(), st.integers(-1439, 1439)),  # years 1–9999, any offset
    st.datetimes().map(lambda moment: moment.isoformat()),              # no offset at all
    st.sampled_from(["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+14:00", "9999-12-31T20:00:00Z",
                     "2026-02-30T10:00:00Z", "2026-03-10T24:00:00Z", "2026-03-10T10:00:00+24:00",
                     "2026-03-12T10:00:00Z", "2027-03-12T10:00:00Z", "1969-12-31T23:59:59Z"]),
)
LOCAL = st.fixed_dictionaries({"local": st.one_of(TEXT, DATES, st.sampled_from(
    ["9999-12-31T23:59", "0001-01-01T00:00", "2026-03-29T02:30", "2026-03-12T09:00", "2099-12-31T23:59"]))})
SCALARS = st.one_of(st.none(), st.booleans(), INTS, FLOATS, TEXT, DATES)
NESTED = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)), max_leaves=8)
DEEP = st.integers(1, 300).map(lambda depth: json.loads("[" * depth + "]" * depth))
VALUES = st.one_of(SCALARS, NESTED, LOCAL, DEEP)


def body(base: dict, special: dict[str, st.SearchStrategy] | None = None, names: tuple[str, ...] = ()):
    """`base` with some of its fields (and the schema's other fields) replaced by hostile values."""
    special = special or {}
    fields = {name: st.one_of(VALUES, special[name]) if name in special else VALUES
              for name in dict.fromkeys([*base, *names, *special])}
    unknown = st.one_of(st.just({}), st.dictionaries(st.text(max_size=8), VALUES, max_size=1))
    return st.builds(lambda replaced, extra: {**base, **replaced, **extra},
                     st.fixed_dictionaries({}, optional=fields), unknown)


BUYER_FIELDS = ("email", "phone", "region", "city", "postal_code", "timezone", "language", "marketplace",
                "marketplace_buyer_id", "marketplace_locale", "notes")
BUYER_SPECIAL = {
    "tags": st.lists(TEXT, max_size=60),
    "consent": body({"status": "granted"}, {"at": DATES}, ("source",)),
    "country": st.sampled_from(["ES", "US", "CN", "KI", "BR", "xx"]),
}
ORDER_ITEM = body({"title": "Scarf", "unit_price": "24.50"}, names=("sku", "category", "quantity"))
ORDER = body({"external_id": "A-1", "placed_at": "2026-01-05T19:30:00Z", "currency": "EUR"},
             {"items": st.lists(ORDER_ITEM, max_size=3), "placed_at": DATES, "total": FLOATS},
             ("marketplace", "status"))
ACTIVITY = body({"kind": "visit", "occurred_at": "2026-03-01T20:15:00Z"}, {"occurred_at": DATES},
                ("source", "detail"))
SEND_AT = st.one_of(DATES, LOCAL, st.just("best"))


def _encoded(args: dict[str, str]) -> str:
    # Surrogates go out as the (invalid) UTF-8 they would be; the server must cope with that too.
    return "&".join(f"{name}={quote(value, safe='', errors='surrogatepass')}" for name, value in args.items())


def query(names: tuple[str, ...], special: dict[str, st.SearchStrategy] | None = None):
    """A query string of hostile values for some of these parameters."""
    special = special or {}
    as_text = st.one_of(TEXT, INTS.map(str), FLOATS.map(str))
    return st.fixed_dictionaries({}, optional={
        name: st.one_of(as_text, special[name]) if name in special else as_text for name in names}).map(_encoded)


def _cursor(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


CURSORS = st.one_of(st.lists(VALUES, min_size=2, max_size=2), VALUES).map(_cursor)
SORTS = st.sampled_from(["id", "-id", "name", "-name", "created_at", "-updated_at", "order_count", "-"])


def handled(r) -> None:
    """No 500; a 4xx says what was wrong in the one error shape."""
    assert r.status_code < 500, r.get_data(as_text=True)[:300]
    if r.status_code >= 400:
        error = r.get_json()["error"]
        assert set(error) == {"code", "message", "fields"}
        assert isinstance(error["code"], str) and isinstance(error["message"], str)
        assert isinstance(error["fields"], dict)


@pytest.fixture
def buyer_id(api_a) -> int:
    # With an address: a message to a buyer without one is refused, and the tests need one scheduled.
    return api_a.post("/buyers", {"name": "王芳", "country": "CN", "email": "wang.fang@example.cn"}).get_json()["id"]


def path_id(known: int):
    """The id of a real record, or something in its place."""
    return st.one_of(st.just(known), INTS, TEXT).map(
        lambda value: quote(str(value), safe="", errors="surrogatepass"))  # invalid UTF-8 too


@BOUNDED
@given(data=body({"name": "Ana", "country": "ES"}, BUYER_SPECIAL, ("name", *BUYER_FIELDS)))
def test_creating_a_buyer_never_fails_with_500(api_a, data):
    handled(api_a.post("/buyers", data))


@BOUNDED
@given(data=st.data(), patch=body({}, BUYER_SPECIAL, ("name", *BUYER_FIELDS)))
def test_updating_a_buyer_never_fails_with_500(api_a, buyer_id, data, patch):
    handled(api_a.patch(f"/buyers/{data.draw(path_id(buyer_id))}", patch))


@BOUNDED
@given(data=st.data(), order=ORDER)
def test_recording_an_order_never_fails_with_500(api_a, buyer_id, data, order):
    handled(api_a.post(f"/buyers/{data.draw(path_id(buyer_id))}/orders", order))


@BOUNDED
@given(data=st.data(), activity=ACTIVITY)
def test_logging_activity_never_fails_with_500(api_a, buyer_id, data, activity):
    handled(api_a.post(f"/buyers/{data.draw(path_id(buyer_id))}/activity", activity))


@BOUNDED
@given(data=st.data())
def test_scheduling_a_message_never_fails_with_500(api_a, buyer_id, data):
    message = data.draw(body({"buyer_id": buyer_id, "subject": "Hi", "body": "x"},
                             {"send_at": SEND_AT, "kind": st.sampled_from(["marketing", "conversation"])},
                             ("idempotency_key",)))
    handled(api_a.post("/messages", message))


@BOUNDED
@given(data=st.data(), send_at=st.one_of(SEND_AT, VALUES), action=st.sampled_from(["reschedule", "cancel", "retry"]))
def test_managing_a_message_never_fails_with_500(api_a, buyer_id, data, send_at, action):
    known = api_a.post("/messages", {"buyer_id": buyer_id, "subject": "Hi", "body": "x"}).get_json()["id"]
    handled(api_a.post(f"/messages/{data.draw(path_id(known))}/{action}", {"send_at": send_at}))


@BOUNDED
@given(args=query(("cursor", "limit", "sort", "country", "language", "tag", "consent", "has_orders", "q"),
                  {"cursor": CURSORS, "sort": SORTS}))
def test_listing_buyers_never_fails_with_500(api_a, buyer_id, args):
    handled(api_a.get(f"/buyers?{args}"))


@BOUNDED
@given(data=st.data(), args=query(("status", "buyer_id", "limit", "cursor")))
def test_listing_messages_never_fails_with_500(api_a, buyer_id, data, args):
    handled(api_a.get(f"/messages?{args}"))
    handled(api_a.get(f"/messages/{data.draw(path_id(buyer_id))}"))
