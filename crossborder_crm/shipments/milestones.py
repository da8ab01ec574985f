"""The canonical milestones and how a parcel moves between them: forward only.

Progress milestones have a rank; problems (exceptions, expired) stand outside the ladder. A
problem never hides a later, newer progress scan unless it is final (lost, damaged, returned).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# In order of progress; failed_attempt and available_for_pickup share a rank (either can follow
# out_for_delivery, and a parcel can go from one to the other).
PROGRESS_RANK = {
    "info_received": 10,
    "in_transit": 20,
    "arrived_destination": 30,
    "customs_held": 40,
    "customs_cleared": 50,
    "out_for_delivery": 60,
    "failed_attempt": 70,
    "available_for_pickup": 70,
    "delivered": 90,
}
# Problems that end the story: nothing after them changes the milestone, except that a parcel
# reported lost can still turn up delivered.
FINAL_PROBLEMS = ("exception_lost", "exception_damaged", "exception_returned")
# Problems a later progress scan resolves (a delivery exception, then a new attempt; tracking
# that went quiet, then resumed).
OPEN_PROBLEMS = ("exception_other", "expired")
PROBLEMS = FINAL_PROBLEMS + OPEN_PROBLEMS
MILESTONES = tuple(PROGRESS_RANK) + PROBLEMS
# Milestones after which the parcel is no longer on its way (no stalled/late flags, no incidents).
ENDED = ("delivered",) + FINAL_PROBLEMS


class UnknownMilestone(ValueError):
    """A milestone name that is not one of MILESTONES."""


def check_milestone(name: str) -> str:
    """Return `name` if it is a canonical milestone, else raise UnknownMilestone naming the choices."""
    if name not in MILESTONES:
        raise UnknownMilestone(f"unknown milestone {name!r}: one of {', '.join(MILESTONES)}")
    return name


@dataclass(frozen=True)
class Position:
    """Where a parcel stands: its milestone, since when, and the highest progress rank reached."""

    milestone: str | None = None
    at: datetime | None = None
    reached: int = 0


def step(pos: Position, milestone: str, at: datetime) -> Position:
    """The position after a report of `milestone` at `at`; `pos` itself when it changes nothing."""
    check_milestone(milestone)
    rank = PROGRESS_RANK.get(milestone, 0)
    moved = Position(milestone, at, max(pos.reached, rank))
    current = pos.milestone
    if current is None:
        return moved
    if current == milestone:
        return pos
    if current == "delivered" or (current in FINAL_PROBLEMS
                                  and not (current == "exception_lost" and milestone == "delivered")):
        return pos
    older = pos.at is not None and at < pos.at
    if milestone in PROBLEMS:
        # A problem older than what we know now is history, not news.
        return pos if older else moved
    if current in OPEN_PROBLEMS:
        return moved if not older and rank >= pos.reached else pos
    current_rank = PROGRESS_RANK.get(current, 0)
    if rank > current_rank:
        return moved
    if rank == current_rank and not older:  # failed_attempt <-> available_for_pickup
        return moved
    return pos
