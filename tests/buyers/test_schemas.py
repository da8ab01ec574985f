"""The buyer, order and activity schemas bound what they accept: list sizes, dates, text."""
from __future__ import annotations

from datetime import timedelta

import pytest

from crossborder_crm.buyers.schemas import ActivityCreate, BuyerCreate, BuyerFields, OrderCreate
from crossborder_crm.errors import ValidationFailed
from crossborder_crm.validation import parse

BUYER = {"name": "Lucía García", "country": "ES"}
ORDER = {"external_id": "1001", "placed_at": "2026-01-05T19:30:00Z", "currency": "EUR"}
ACTIVITY = {"kind": "visit", "occurred_at": "2026-03-01T20:15:00Z"}


def refused(schema, data) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        parse(schema, data)
    return caught.value.fields


def test_more_than_fifty_tags_are_refused_naming_tags():
    assert "tags" in refused(BuyerCreate, {**BUYER, "tags": [f"tag-{i}" for i in range(51)]})


def test_ninety_thousand_tags_under_the_body_limit_are_refused_naming_tags():
    assert set(refused(BuyerFields, {"tags": [f"t{i}" for i in range(90_000)]})) == {"tags"}


def test_fifty_one_copies_of_one_tag_are_refused_too():
    # The cap is on what was sent: deduplicating first would still walk every copy.
    assert "tags" in refused(BuyerFields, {"tags": ["vip"] * 51})


@pytest.mark.parametrize("value", [
    "9999-12-31T20:00:00Z",
    "2100-01-01T00:00:00Z",
    "1969-12-31T23:59:59Z",
    "0001-01-01T00:00:00+14:00",      # before year 1 once in UTC
    "9999-12-31T23:59:59-23:59",      # after year 9999 once in UTC
])
@pytest.mark.parametrize("schema,base,field", [
    (OrderCreate, ORDER, "placed_at"),
    (ActivityCreate, ACTIVITY, "occurred_at"),
])
def test_a_date_outside_1970_to_2100_is_refused_naming_the_field(schema, base, field, value):
    fields = refused(schema, {**base, field: value})
    assert fields == {field: "must be between 1970-01-01 and 2100-01-01 (UTC)"}


def test_a_consent_time_outside_1970_to_2100_is_refused_naming_it():
    fields = refused(BuyerCreate, {**BUYER, "consent": {"status": "granted", "at": "9999-12-31T20:00:00Z"}})
    assert set(fields) == {"consent.at"}


def test_an_instant_with_an_offset_is_kept_as_the_same_instant_in_utc():
    spec = parse(ActivityCreate, {**ACTIVITY, "occurred_at": "2026-03-01T20:15:00+05:30"})
    assert spec.occurred_at.utcoffset() == timedelta(0)
    assert spec.occurred_at.isoformat() == "2026-03-01T14:45:00+00:00"


def test_a_nul_character_is_refused_naming_the_field():
    # PostgreSQL cannot store it: it was a 500 there.
    assert set(refused(BuyerCreate, {**BUYER, "name": "Luc\x00ía"})) == {"name"}


def test_a_nul_in_one_tag_is_refused_naming_tags():
    assert set(refused(BuyerFields, {"tags": ["vip", "re\x00peat"]})) == {"tags"}
