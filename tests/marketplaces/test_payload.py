from datetime import datetime, timezone
from decimal import Decimal

import pytest

from crossborder_crm.marketplaces.events import PayloadInvalid
from crossborder_crm.marketplaces.payload import NotJson, ext_id, instant, money, parse_json


def test_ids_above_2_53_stay_exact():
    data = parse_json(b'{"id": 9007199254740993}')
    assert ext_id(data["id"], "id") == "9007199254740993"


def test_decimals_are_never_floats():
    data = parse_json(b'{"price": 0.1}')
    assert data["price"] == Decimal("0.1") and money(data["price"], "price") == Decimal("0.1")


@pytest.mark.parametrize("body", [b"{", b"[]", b"\xff\xfe", b"[" * 100000])
def test_malformed_bodies_are_refused(body):
    with pytest.raises(NotJson):
        parse_json(body)


def test_a_time_without_offset_is_refused():
    with pytest.raises(PayloadInvalid, match="offset"):
        instant("2026-03-09T10:15:00", "created_at")


def test_a_field_documented_as_utc_is_read_as_utc():
    assert instant("2026-03-09T10:15:00", "date_created_gmt", assume_utc=True) == datetime(
        2026, 3, 9, 10, 15, tzinfo=timezone.utc)


def test_an_offset_is_converted_to_utc():
    assert instant("2026-03-09T10:15:00-05:00", "created_at") == datetime(2026, 3, 9, 15, 15, tzinfo=timezone.utc)


def test_a_boolean_is_not_an_id():
    with pytest.raises(PayloadInvalid):
        ext_id(True, "id")
