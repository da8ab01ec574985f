from datetime import date, datetime, timezone

from crossborder_crm.marketplaces import aftership
from crossborder_crm.marketplaces.payload import parse_json
from tests.marketplaces.payloads import TRACKING, aftership_update, checkpoint, dumps


def _shipment(payload):
    [ship] = aftership.events("tracking_update", parse_json(dumps(payload)))
    return ship


def test_a_tracking_update_carries_tag_checkpoints_and_expected_delivery():
    ship = _shipment(aftership_update("e1", "InTransit", "InTransit_001", [
        checkpoint("2026-03-10T16:00:00+08:00", "InTransit", "InTransit_001", "Picked up", city="Shenzhen",
                   country_iso3="CHN")]))
    assert ship.tracking_number == TRACKING and ship.carrier_code == "dhl"
    assert ship.expected_delivery == date(2026, 3, 20)
    assert (ship.origin_country, ship.destination_country) == ("CN", "FR")
    [cp] = ship.checkpoints
    assert cp.at == datetime(2026, 3, 10, 8, 0, tzinfo=timezone.utc) and cp.raw_status == "InTransit_001"
    assert cp.country == "CN" and cp.location == "Shenzhen"


def test_a_checkpoint_time_without_offset_is_read_in_its_single_zone_country():
    ship = _shipment(aftership_update("e1", "InTransit", "InTransit_001", [
        checkpoint("2026-03-12T09:30:00", "InTransit", "InTransit_001", "Arrived", country_iso3="FRA")]))
    assert ship.checkpoints[0].at == datetime(2026, 3, 12, 8, 30, tzinfo=timezone.utc)  # Paris, UTC+1


def test_a_checkpoint_time_without_offset_in_a_many_zone_country_is_left_out_not_guessed():
    ship = _shipment(aftership_update("e1", "InTransit", "InTransit_001", [
        checkpoint("2026-03-12T09:30:00", "InTransit", "InTransit_001", "Arrived", country_iso3="USA")]))
    assert ship.checkpoints == ()


def test_the_pickup_time_without_offset_is_left_out():
    assert _shipment(aftership_update("e1", "InTransit", "InTransit_001", [])).shipped_at is None


def test_the_delivery_id_is_the_event_id():
    payload = aftership_update("evt-42", "Delivered", "Delivered_001", [])
    assert aftership.envelope({}, b"", payload) == ("tracking_update", "evt-42")
