"""Shipment settings: per-destination and per-route overrides, and the seller's choices."""
from __future__ import annotations

import pytest

from crossborder_crm.shipments.milestones import UnknownMilestone
from crossborder_crm.shipments.settings import (
    DEFAULT_NOTIFY,
    default_transit_days,
    seller_shipment_settings,
    stalled_days,
)

APP = {"SHIPMENT_DEFAULT_TRANSIT_DAYS": 14, "SHIPMENT_TRANSIT_DAYS_BY_DESTINATION": "us=10, DE=7",
       "SHIPMENT_STALLED_DAYS": 7, "SHIPMENT_STALLED_DAYS_BY_ROUTE": "CN-BR=20,CN-*=9,*-BR=14"}


def test_a_destination_override_wins_over_the_default():
    assert (default_transit_days(APP, "US"), default_transit_days(APP, "FR")) == (10, 14)


@pytest.mark.parametrize("origin, destination, days", [
    ("CN", "BR", 20), ("CN", "DE", 9), ("US", "BR", 14), ("US", "DE", 7), (None, None, 7)])
def test_the_most_specific_route_override_wins(origin, destination, days):
    assert stalled_days(APP, origin, destination) == days


def test_a_malformed_override_names_the_setting_and_the_entry():
    with pytest.raises(ValueError, match=r"SHIPMENT_STALLED_DAYS_BY_ROUTE: 'CN-BR=soon'"):
        stalled_days({"SHIPMENT_STALLED_DAYS_BY_ROUTE": "CN-BR=soon"}, "CN", "BR")


def test_a_seller_without_choices_gets_the_documented_defaults():
    choices = seller_shipment_settings({})
    assert choices.notify == frozenset(DEFAULT_NOTIFY) and choices.delay_notices and choices.follow_up
    assert "info_received" not in choices.notify and "customs_cleared" not in choices.notify


def test_a_seller_choice_naming_an_unknown_milestone_is_refused():
    with pytest.raises(UnknownMilestone):
        seller_shipment_settings({"shipments": {"notify": ["shipped"]}})
