"""apply_shipment: create/update, checkpoints merged once, forward only, notices by the rules."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from crossborder_crm.accounts.models import Seller
from crossborder_crm.errors import ValidationFailed
from crossborder_crm.shipments.events import ShipmentIn
from crossborder_crm.shipments.models import Checkpoint
from crossborder_crm.shipments.service import OrderNotYetKnown
from tests.shipments.conftest import NOW, cp, ship


def test_a_shipment_is_attached_to_its_order_and_buyer(world_any):
    sh = world_any.apply(ship(carrier_name="DHL", checkpoints=[cp("in_transit", 2)]))
    assert (sh.order_id, sh.buyer_id, sh.milestone) == (world_any.order_id, world_any.buyer_id, "in_transit")


def test_a_shipment_for_an_unknown_order_waits(world):
    with pytest.raises(OrderNotYetKnown, match="shopify:999"):
        world.apply(ship(order="999"))


def test_a_tracking_update_for_an_unknown_parcel_waits(world):
    with pytest.raises(OrderNotYetKnown, match="TRK9"):
        world.apply(ShipmentIn(source="aftership", tracking_number="TRK9", milestone="in_transit"))


def test_a_tracking_only_update_finds_the_shipment_by_tracking_number(world):
    world.apply(ship(checkpoints=[cp("in_transit", 30)]))
    world.apply(ShipmentIn(source="aftership", tracking_number="TRK1", checkpoints=(cp("arrived_destination", 2),)))
    assert world.shipment().milestone == "arrived_destination"


def test_repeated_checkpoints_are_stored_once(world_any):
    event = ship(checkpoints=[cp("in_transit", 5), cp("in_transit", 5), cp("arrived_destination", 2, None)])
    world_any.apply(event)
    world_any.apply(event)
    with world_any.db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Checkpoint)) == 2


def test_an_older_checkpoint_arriving_late_never_moves_the_parcel_back(world):
    world.apply(ship(checkpoints=[cp("out_for_delivery", 2)]))
    world.apply(ship(checkpoints=[cp("in_transit", 50)]))
    sh = world.shipment()
    assert sh.milestone == "out_for_delivery" and sh.last_checkpoint_at == NOW - timedelta(hours=2)


def test_the_shipped_notice_is_enqueued_as_transactional_mail(world):
    sh = world.apply(ship(carrier_name="DHL", tracking_url="https://t.example/TRK1", checkpoints=[cp("in_transit", 1)]))
    [msg] = world.notices()
    assert (msg.kind, msg.template, msg.idempotency_key, msg.origin_ref) == (
        "transactional", "shipment_in_transit", f"shipment:{sh.id}:in_transit", str(sh.id))
    assert msg.subject is None and msg.body is None
    ctx = msg.context
    assert ctx["order_ref"] == "1001" and ctx["items"] == [{"name": "Tea set", "quantity": 2}]
    assert (ctx["carrier_name"], ctx["tracking_number"], ctx["currency"]) == ("DHL", "TRK1", "EUR")
    assert ctx["expected_delivery"] == sh.expected_delivery.isoformat()


def test_the_same_report_twice_enqueues_one_notice(world):
    world.apply(ship(checkpoints=[cp("in_transit", 1)]))
    world.apply(ship(checkpoints=[cp("in_transit", 1)]))
    assert len(world.notices()) == 1


def test_a_later_milestone_cancels_the_unsent_notice_it_overtakes(world):
    world.apply(ship(checkpoints=[cp("in_transit", 3)]))
    world.apply(ship(checkpoints=[cp("delivered", 1)]))
    first, second = world.notices()
    assert (first.template, first.status, first.last_error) == ("shipment_in_transit", "cancelled",
                                                               "superseded by delivered")
    assert (second.template, second.status) == ("shipment_delivered", "scheduled")


def test_only_the_newest_milestone_of_one_report_is_notified(world):
    world.apply(ship(checkpoints=[cp("in_transit", 30), cp("arrived_destination", 5), cp("customs_cleared", 2)]))
    assert [m.template for m in world.notices()] == ["shipment_arrived_destination"]


def test_milestones_the_seller_turned_off_are_not_notified(world):
    with world.db.transaction() as s:
        s.get(Seller, world.seller_id).settings = {"shipments": {"notify": ["delivered"]}}
    world.apply(ship(checkpoints=[cp("in_transit", 1)]))
    assert world.notices() == []


def test_a_milestone_reached_long_ago_is_not_notified(world):
    world.apply(ship(checkpoints=[cp("delivered", 24 * 10)]))
    assert world.shipment().milestone == "delivered" and world.notices() == []


def test_the_expected_date_defaults_to_the_destination_transit_days(world):
    world.settings["SHIPMENT_TRANSIT_DAYS_BY_DESTINATION"] = "DE=6"
    sh = world.apply(ship(shipped_at=NOW, destination_country="DE"))
    assert (sh.expected_delivery, sh.expected_delivery_source) == (date(2026, 3, 16), "default")


def test_the_expected_date_follows_the_route_median_once_there_are_deliveries(world):
    for i, days in enumerate((4, 5, 9)):
        order = world.add_order(f"h{i}")
        del order
        world.apply(ship(f"H{i}", f"h{i}", shipped_at=NOW - timedelta(days=30), origin_country="CN",
                         destination_country="DE", carrier_code="dhl",
                         checkpoints=[cp("delivered", 24 * (30 - days))]))
    sh = world.apply(ship(shipped_at=NOW, origin_country="CN", destination_country="DE", carrier_code="dhl"))
    assert (sh.expected_delivery, sh.expected_delivery_source) == (date(2026, 3, 15), "route")


def test_a_given_expected_date_is_kept(world):
    sh = world.apply(ship(shipped_at=NOW, expected_delivery=date(2026, 4, 1)))
    assert (sh.expected_delivery, sh.expected_delivery_source) == (date(2026, 4, 1), "given")


def test_an_older_source_update_changes_no_fields(world):
    world.apply(ship(carrier_name="DHL", source_updated_at=NOW))
    world.apply(ship(carrier_name="UPS", source_updated_at=NOW - timedelta(hours=1)))
    assert world.shipment().carrier_name == "DHL"


def test_a_bad_milestone_is_refused_naming_the_field(world):
    with pytest.raises(ValidationFailed) as err:
        world.apply(ship(checkpoints=[cp("teleported", 1)]))
    assert "checkpoints.0.milestone" in err.value.fields
    assert world.shipment() is None


def test_without_a_shipping_time_the_first_moving_scan_is_taken(world):
    sh = world.apply(ship(checkpoints=[cp("info_received", 80), cp("in_transit", 48), cp("arrived_destination", 2)]))
    assert sh.shipped_at == NOW - timedelta(hours=48)
    assert sh.expected_delivery == (NOW - timedelta(hours=48) + timedelta(days=14)).date()


def test_a_corrected_tracking_number_on_the_same_fulfilment_renames_the_parcel(world):
    world.apply(ship("TRK1", external_id="F1", checkpoints=[cp("in_transit", 5)]))
    world.apply(ship("TRK1-FIXED", external_id="F1"))
    assert world.shipment("TRK1") is None and world.shipment("TRK1-FIXED").milestone == "in_transit"
