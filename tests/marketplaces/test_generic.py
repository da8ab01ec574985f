from datetime import datetime, timezone

import pytest

from crossborder_crm.marketplaces import generic
from crossborder_crm.marketplaces.events import BuyerEventIn, OrderIn, PayloadInvalid
from crossborder_crm.marketplaces.payload import parse_json
from tests.marketplaces.payloads import dumps

ORDER = {"external_id": 9007199254740993, "placed_at": "2026-03-09T10:15:00+01:00", "currency": "EUR",
         "total": "12.50", "buyer": {"external_id": "b-1", "name": "Ana", "country": "ES", "locale": "es-ES"},
         "items": [{"title": "Mug", "quantity": 1, "unit_price": "12.50"}]}


def _events(kind, data):
    return generic.events(kind, parse_json(dumps({"id": "evt-1", "type": kind, "data": data})))


def test_an_order_keeps_big_ids_exact_and_its_marketplace_defaults_to_generic():
    [order] = _events("order", ORDER)
    assert isinstance(order, OrderIn) and order.external_id == "9007199254740993"
    assert order.marketplace == "generic" and order.customer.locale == "es-ES"


def test_an_order_time_without_offset_is_refused():
    with pytest.raises(PayloadInvalid, match="data.placed_at"):
        _events("order", {**ORDER, "placed_at": "2026-03-09T10:15:00"})


def test_an_unknown_field_is_refused_by_name():
    with pytest.raises(PayloadInvalid, match="data.colour"):
        _events("order", {**ORDER, "colour": "red"})


def test_a_dispute_opens_the_flag_and_names_its_order():
    [event] = _events("dispute", {"buyer": {"external_id": "b-1"}, "order_external_id": "o-1",
                                  "at": "2026-03-20T10:00:00Z", "text": "Never arrived", "state": "opened"})
    assert isinstance(event, BuyerEventIn) and event.kind == "dispute" and event.dispute_open is True
    assert event.occurred_at == datetime(2026, 3, 20, 10, tzinfo=timezone.utc)


def test_a_review_keeps_its_rating_in_the_detail():
    [event] = _events("review", {"buyer": {"email": "a@example.com"}, "at": "2026-03-20T10:00:00Z",
                                 "rating": 2, "text": "Slow"})
    assert event.kind == "review" and event.detail == "2/5: Slow"


def test_a_buyer_message_is_a_message_received():
    [event] = _events("buyer_message", {"buyer": {"external_id": "b-1"}, "at": "2026-03-20T10:00:00Z",
                                        "text": "Where is my parcel?"})
    assert event.kind == "message_received"


def test_a_shipment_maps_its_statuses_to_milestones():
    [ship] = _events("shipment", {"tracking_number": "LX1", "order_external_id": "o-1", "status": "in_transit",
                                  "checkpoints": [{"at": "2026-03-11T08:00:00Z", "status": "in_transit",
                                                   "location": "Leipzig", "country": "DE"}]})
    assert ship.order_marketplace == "generic" and ship.milestone == "in_transit"
    assert ship.checkpoints[0].milestone == "in_transit"
