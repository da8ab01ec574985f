"""The periodic scan: stalled and late flags, one delay notice per episode, follow-ups after delivery."""
from __future__ import annotations

from datetime import date, timedelta

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.models import Buyer, Order
from crossborder_crm.shipments.scan import scan_shipments
from tests.shipments.conftest import NOW, cp, ship


def scan(world):
    return scan_shipments(world.db, world.clock, world.settings)


def templates(world, template):
    return [m for m in world.notices() if m.template == template]


def test_a_parcel_without_news_for_the_stall_days_is_flagged_and_the_buyer_told_once(world):
    world.apply(ship(checkpoints=[cp("in_transit", 24 * 8)]))
    scan(world)
    scan(world)
    sh = world.shipment()
    assert sh.stalled and sh.delay_episode == 1
    [delay] = templates(world, "shipment_delay")
    assert delay.context["days_without_news"] == 8 and delay.kind == "transactional"


def test_a_route_override_gives_a_parcel_more_days_before_it_stalls(world):
    world.settings["SHIPMENT_STALLED_DAYS_BY_ROUTE"] = "*-DE=10"
    world.apply(ship(destination_country="DE", checkpoints=[cp("in_transit", 24 * 8)]))
    scan(world)
    assert not world.shipment().stalled


def test_news_ends_the_episode_and_a_new_stall_is_a_new_notice(world):
    world.apply(ship(checkpoints=[cp("in_transit", 24 * 8)]))
    scan(world)
    world.apply(ship(checkpoints=[cp("arrived_destination", 1)]))
    assert not world.shipment().stalled
    world.clock.advance(timedelta(days=8))
    scan(world)
    assert world.shipment().delay_episode == 2 and len(templates(world, "shipment_delay")) == 2


def test_a_parcel_past_its_expected_date_is_late(world):
    world.apply(ship(expected_delivery=date(2026, 3, 9), checkpoints=[cp("in_transit", 5)]))
    scan(world)
    sh = world.shipment()
    assert sh.late and not sh.stalled


def test_delay_notices_off_flags_without_mail(world):
    with world.db.transaction() as s:
        s.get(Seller, world.seller_id).settings = {"shipments": {"delay_notices": False}}
    world.apply(ship(checkpoints=[cp("in_transit", 24 * 8)]))
    scan(world)
    assert world.shipment().stalled and templates(world, "shipment_delay") == []


def test_the_follow_up_goes_the_set_days_after_delivery(world):
    world.apply(ship(checkpoints=[cp("delivered", 1)]))
    scan(world)
    assert templates(world, "shipment_follow_up") == []
    world.clock.advance(timedelta(days=5))
    scan(world)
    scan(world)
    [follow] = templates(world, "shipment_follow_up")
    assert follow.idempotency_key == f"shipment:{world.shipment().id}:follow_up"


def test_no_follow_up_when_a_dispute_is_open(world):
    world.apply(ship(checkpoints=[cp("delivered", 1)]))
    with world.db.transaction() as s:
        s.get(Order, world.order_id).dispute_open = True
    world.clock.advance(timedelta(days=5))
    scan(world)
    assert templates(world, "shipment_follow_up") == []


def test_a_pending_follow_up_is_cancelled_when_the_buyer_writes(world):
    world.apply(ship(checkpoints=[cp("delivered", 1)]))
    world.clock.advance(timedelta(days=5))
    scan(world)
    with world.db.transaction() as s:
        s.get(Buyer, world.buyer_id).last_buyer_message_at = world.clock.now()
    result = scan(world)
    [follow] = templates(world, "shipment_follow_up")
    assert result.follow_ups_cancelled == 1
    assert (follow.status, follow.last_error) == ("cancelled", "buyer wrote since delivery")


def test_delay_and_follow_up_wait_for_the_likely_online_hour(world):
    world.apply(ship(checkpoints=[cp("in_transit", 24 * 8)]))
    scan(world)
    [delay] = templates(world, "shipment_delay")
    assert delay.scheduled_at >= NOW and delay.explanation_data["code"].startswith("conversation")
