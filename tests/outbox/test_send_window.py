"""quiet_hold: whether a send at an instant waits for the end of the buyer's quiet hours (pure)."""
from datetime import datetime, time, timedelta, timezone

from crossborder_crm.outbox.send_window import OVERRIDE_GRACE, quiet_hold

QUIET = (time(21, 30), time(8, 30))
NIGHT = datetime(2026, 3, 10, 14, 40, tzinfo=timezone.utc)  # 23:40 in Tokyo
MORNING = datetime(2026, 3, 10, 23, 30, tzinfo=timezone.utc)  # 08:30 the next day in Tokyo


def test_an_instant_outside_quiet_hours_is_not_held():
    assert quiet_hold(MORNING, "Asia/Tokyo", *QUIET) is None


def test_an_instant_inside_quiet_hours_is_held_until_their_end_with_the_reason():
    hold = quiet_hold(NIGHT, "Asia/Tokyo", *QUIET)
    assert hold.until == MORNING
    assert hold.reason == "buyer's quiet hours (21:30–08:30 Asia/Tokyo): moved to 08:30 local"


def test_the_quiet_hours_are_in_the_buyers_zone():
    assert quiet_hold(NIGHT, "Europe/Madrid", *QUIET) is None  # 15:40 in Madrid


def test_equal_bounds_mean_no_quiet_hours():
    assert quiet_hold(NIGHT, "Asia/Tokyo", time(0, 0), time(0, 0)) is None


def test_a_message_without_a_buyer_zone_is_not_held():
    assert quiet_hold(NIGHT, None, *QUIET) is None


def test_an_override_covers_the_chosen_instant_and_the_grace_after_it():
    chosen = NIGHT - OVERRIDE_GRACE
    assert quiet_hold(NIGHT, "Asia/Tokyo", *QUIET, chosen_at=chosen, overridden=True) is None


def test_an_override_past_its_grace_is_held_and_says_why():
    chosen = NIGHT - OVERRIDE_GRACE - timedelta(seconds=1)
    hold = quiet_hold(NIGHT, "Asia/Tokyo", *QUIET, chosen_at=chosen, overridden=True)
    assert hold.until == MORNING
    assert hold.reason.endswith("; the seller's \"send anyway\" holds only 30 min past the chosen time")


def test_a_chosen_instant_without_the_override_is_held():
    assert quiet_hold(NIGHT, "Asia/Tokyo", *QUIET, chosen_at=NIGHT, overridden=False).until == MORNING
