"""Incidents: every buyer with a parcel in transit on the carrier/route hears once."""
from __future__ import annotations

import pytest

from crossborder_crm.errors import ValidationFailed
from crossborder_crm.shipments.incidents import declare_incident
from crossborder_crm.shipments.scan import scan_shipments
from tests.shipments.conftest import cp, ship


def declare(world, **data):
    body = {"starts_on": "2026-03-09", "reason": "Port strike in Hamburg", **data}
    return declare_incident(world.db, world.clock, world.settings, world.seller_id, body)


def incident_notices(world):
    return [m for m in world.notices() if m.template == "shipment_incident"]


def test_buyers_with_a_parcel_on_the_carrier_get_one_notice(world):
    world.apply(ship(carrier_code="dhl", checkpoints=[cp("in_transit", 5)]))
    world.apply(ship("TRK2", "1001", carrier_code="dhl", checkpoints=[cp("in_transit", 4)]))
    incident = declare(world, carriers=["DHL"])
    scan_shipments(world.db, world.clock, world.settings)
    [notice] = incident_notices(world)
    assert notice.context["incident_reason"] == "Port strike in Hamburg" and incident.notified_count == 1


def test_a_parcel_on_another_route_is_left_alone(world):
    world.apply(ship(origin_country="CN", destination_country="FR", checkpoints=[cp("in_transit", 5)]))
    declare(world, routes=[{"origin": "CN", "destination": "DE"}])
    assert incident_notices(world) == []


def test_a_delivered_parcel_is_left_alone(world):
    world.apply(ship(carrier_code="dhl", checkpoints=[cp("delivered", 5)]))
    declare(world, carriers=["dhl"])
    assert incident_notices(world) == []


def test_an_incident_needs_a_carrier_or_a_route(world):
    with pytest.raises(ValidationFailed, match="carrier or one route"):
        declare(world)


def test_a_route_with_an_unknown_country_is_refused_naming_it(world):
    with pytest.raises(ValidationFailed) as err:
        declare(world, routes=[{"destination": "XX"}])
    assert "routes.0.destination" in err.value.fields


def test_delivery_cancels_an_incident_notice_not_sent_yet(world):
    world.apply(ship(carrier_code="dhl", checkpoints=[cp("in_transit", 5)]))
    declare(world, carriers=["dhl"])
    world.apply(ship(checkpoints=[cp("delivered", 1)]))
    [notice] = incident_notices(world)
    assert (notice.status, notice.last_error) == ("cancelled", "superseded by delivered")
