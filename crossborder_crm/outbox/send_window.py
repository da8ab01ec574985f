"""The buyer's quiet hours at send time: a message that reaches them late waits for their end.

Scheduling keeps every message out of quiet hours (outbox.send_timing, timing/), but two things
can still carry one into the night: a backlog drained late (a big campaign at the relay's rate, a
worker that was down) and a retry's backoff. The dispatcher asks `quiet_hold` about the instant it
would send at (now, or the retry's due time) and puts the message back until the hold's end.

A seller may choose a time inside quiet hours on purpose (`Message.quiet_override`). The override
covers the instant they chose and `OVERRIDE_GRACE` after it, first attempt or retry alike: a short
backlog or a greylisting retry still goes when the seller meant it to; anything later is no longer
the seller's choice, and the ordinary rule applies.

Pure: callers pass every instant and the seller's quiet hours; nothing reads the clock.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from crossborder_crm.timing import next_allowed_instant, to_local

OVERRIDE_GRACE = timedelta(minutes=30)


@dataclass(frozen=True)
class QuietHold:
    """Not at that instant: due again at `until` (the end of the buyer's quiet hours), with the reason."""

    until: datetime
    reason: str


def override_covers(chosen_at: datetime | None, overridden: bool, when: datetime,
                    grace: timedelta = OVERRIDE_GRACE) -> bool:
    """True when the seller's quiet-hours override still allows sending at `when`."""
    return overridden and chosen_at is not None and when <= chosen_at + grace


def quiet_hold(when: datetime, tz: str | None, quiet_start: time, quiet_end: time, *,
               chosen_at: datetime | None = None, overridden: bool = False,
               grace: timedelta = OVERRIDE_GRACE) -> QuietHold | None:
    """Where a send at `when` must wait for the end of the buyer's quiet hours; None: it may go."""
    if not tz or override_covers(chosen_at, overridden, when, grace):
        return None  # no zone: the buyer row is gone, and the gate refuses the message anyway
    until = next_allowed_instant(when, tz, quiet_start, quiet_end)
    if until <= when:
        return None
    reason = (f"buyer's quiet hours ({quiet_start:%H:%M}–{quiet_end:%H:%M} {tz}): "
              f"moved to {to_local(until, tz):%H:%M} local")
    if overridden:  # say why the seller's "send anyway" no longer applies
        minutes = int(grace.total_seconds() // 60)
        reason += f"; the seller's \"send anyway\" holds only {minutes} min past the chosen time"
    return QuietHold(until, reason)
