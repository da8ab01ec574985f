"""Milestones move forward only; problems are news unless older; final problems end the story."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from crossborder_crm.shipments.milestones import MILESTONES, Position, UnknownMilestone, step

T = datetime(2026, 3, 1, tzinfo=timezone.utc)


def walk(*reports: tuple[str, int]) -> str | None:
    pos = Position()
    for milestone, day in reports:
        pos = step(pos, milestone, T + timedelta(days=day))
    return pos.milestone


@pytest.mark.parametrize("reports, expected", [
    ((("in_transit", 1), ("arrived_destination", 5)), "arrived_destination"),
    ((("arrived_destination", 5), ("in_transit", 1)), "arrived_destination"),  # out of order
    ((("delivered", 9), ("out_for_delivery", 8)), "delivered"),
    ((("delivered", 9), ("exception_other", 10)), "delivered"),
    ((("failed_attempt", 8), ("available_for_pickup", 9)), "available_for_pickup"),
    ((("available_for_pickup", 9), ("failed_attempt", 8)), "available_for_pickup"),
    ((("in_transit", 1), ("exception_other", 3)), "exception_other"),
    ((("in_transit", 5), ("exception_other", 3)), "in_transit"),  # an old problem is history
    ((("exception_other", 3), ("out_for_delivery", 4)), "out_for_delivery"),
    ((("out_for_delivery", 3), ("expired", 40), ("in_transit", 41)), "expired"),  # not below what was reached
    ((("expired", 40), ("delivered", 41)), "delivered"),
    ((("exception_returned", 5), ("delivered", 9)), "exception_returned"),
    ((("exception_damaged", 5), ("out_for_delivery", 9)), "exception_damaged"),
    ((("exception_lost", 5), ("delivered", 9)), "delivered"),  # a lost parcel that turns up
])
def test_step_moves_forward_only(reports, expected):
    assert walk(*reports) == expected


def test_every_milestone_can_be_entered_from_nothing():
    for name in MILESTONES:
        assert step(Position(), name, T).milestone == name


def test_an_unknown_milestone_is_refused_by_name():
    with pytest.raises(UnknownMilestone, match="'shipped'"):
        step(Position(), "shipped", T)
