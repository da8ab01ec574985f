"""next_allowed_instant: the first instant outside quiet hours, the same arithmetic as a transactional send."""
from datetime import time, timedelta

import pytest

from crossborder_crm.timing import SendPolicy, next_allowed_instant, next_send_time

from . import make_profile, utc

QUIET = (time(21, 30), time(8, 30))


def test_an_instant_outside_quiet_hours_is_itself():
    assert next_allowed_instant(utc(2026, 3, 10, 3, 0), "Asia/Tokyo", *QUIET) == utc(2026, 3, 10, 3, 0)


def test_an_instant_inside_quiet_hours_moves_to_their_local_end():
    # 23:40 in Tokyo -> 08:30 the next morning there.
    assert next_allowed_instant(utc(2026, 3, 10, 14, 40), "Asia/Tokyo", *QUIET) == utc(2026, 3, 10, 23, 30)


def test_a_quiet_end_skipped_by_a_dst_gap_moves_to_where_the_clock_resumes():
    # Madrid 2026-03-29: 02:00 -> 03:00, so a 02:30 end is 03:00 CEST.
    assert next_allowed_instant(utc(2026, 3, 29, 0, 30), "Europe/Madrid", time(1, 0), time(2, 30)) == utc(
        2026, 3, 29, 1, 0)


@pytest.mark.parametrize("minutes", range(0, 24 * 60, 37))
def test_it_agrees_with_a_transactional_send(minutes):
    earliest = utc(2026, 3, 10, 0, 0) + timedelta(minutes=minutes)
    policy = SendPolicy("transactional", quiet_start=QUIET[0], quiet_end=QUIET[1])
    expected, _ = next_send_time(make_profile(tz="America/New_York"), policy, earliest)
    assert next_allowed_instant(earliest, "America/New_York", *QUIET) == expected
