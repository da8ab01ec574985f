from datetime import datetime, time, timedelta

import pytest
import pytz

from crossborder_crm.timing import in_quiet_hours, localize, localize_iso, to_local, utc_transitions

from . import utc


def local(text: str) -> datetime:
    return datetime.fromisoformat(text)


# --- localize: ordinary times -------------------------------------------------

def test_localize_ordinary_time_madrid_winter():
    assert localize(local("2024-01-15T20:00"), "Europe/Madrid") == utc(2024, 1, 15, 19, 0)


def test_localize_ordinary_time_madrid_summer():
    assert localize(local("2024-07-15T20:00"), "Europe/Madrid") == utc(2024, 7, 15, 18, 0)


def test_localize_half_hour_zone_kolkata():
    assert localize(local("2024-03-05T20:00"), "Asia/Kolkata") == utc(2024, 3, 5, 14, 30)


def test_localize_returns_aware_utc():
    result = localize(local("2024-01-15T20:00"), "America/Chicago")
    assert result.utcoffset() == timedelta(0)


def test_localize_rejects_aware_input():
    with pytest.raises(ValueError):
        localize(utc(2024, 1, 15, 20, 0), "Europe/Madrid")


def test_localize_unknown_zone_raises():
    with pytest.raises(pytz.UnknownTimeZoneError):
        localize(local("2024-01-15T20:00"), "Mars/Olympus_Mons")


# --- localize: spring-forward gaps move to the first instant after the gap ----

def test_localize_gap_london_moves_to_end_of_gap():
    # 2024-03-31 clocks jump 01:00 GMT -> 02:00 BST; 01:30 does not exist.
    result = localize(local("2024-03-31T01:30"), "Europe/London")
    assert result == utc(2024, 3, 31, 1, 0)
    assert to_local(result, "Europe/London").strftime("%H:%M %Z") == "02:00 BST"


def test_localize_gap_is_not_shifted_by_gap_length():
    # 02:30 in a 02:00 -> 03:00 gap becomes 03:00 local, not 03:30.
    result = localize(local("2024-03-10T02:30"), "America/Chicago")
    assert to_local(result, "America/Chicago").strftime("%H:%M") == "03:00"
    assert result == utc(2024, 3, 10, 8, 0)


def test_localize_gap_madrid():
    result = localize(local("2024-03-31T02:15"), "Europe/Madrid")
    assert result == utc(2024, 3, 31, 1, 0)  # 03:00 CEST


def test_localize_half_hour_gap_lord_howe():
    # 2024-10-06 02:00 +10:30 -> 02:30 +11:00
    result = localize(local("2024-10-06T02:10"), "Australia/Lord_Howe")
    assert result == utc(2024, 10, 5, 15, 30)
    assert to_local(result, "Australia/Lord_Howe").strftime("%H:%M") == "02:30"


def test_localize_midnight_gap_santiago():
    # 2024-09-08 00:00 -04 -> 01:00 -03
    result = localize(local("2024-09-08T00:30"), "America/Santiago")
    assert result == utc(2024, 9, 8, 4, 0)
    assert to_local(result, "America/Santiago").strftime("%Y-%m-%d %H:%M") == "2024-09-08 01:00"


def test_localize_skipped_day_apia_moves_to_next_midnight():
    # Samoa skipped 2011-12-30 entirely (-10 -> +14).
    result = localize(local("2011-12-30T12:00"), "Pacific/Apia")
    assert result == utc(2011, 12, 30, 10, 0)
    assert to_local(result, "Pacific/Apia").strftime("%Y-%m-%d %H:%M") == "2011-12-31 00:00"


# --- localize: fall-back overlaps take the first occurrence -------------------

def test_localize_overlap_london_takes_first_occurrence():
    # 2024-10-27 01:00-02:00 happens twice (BST, then GMT).
    assert localize(local("2024-10-27T01:30"), "Europe/London") == utc(2024, 10, 27, 0, 30)


def test_localize_overlap_chicago_takes_first_occurrence():
    assert localize(local("2024-11-03T01:30"), "America/Chicago") == utc(2024, 11, 3, 6, 30)


def test_localize_half_hour_overlap_lord_howe_takes_first_occurrence():
    # 2024-04-07 02:00 +11 -> 01:30 +10:30; 01:45 happens twice.
    assert localize(local("2024-04-07T01:45"), "Australia/Lord_Howe") == utc(2024, 4, 6, 14, 45)


def test_localize_overlap_santiago_takes_first_occurrence():
    # 2024-04-07 00:00 -03 -> 2024-04-06 23:00 -04; Saturday 23:30 twice.
    assert localize(local("2024-04-06T23:30"), "America/Santiago") == utc(2024, 4, 7, 2, 30)


def test_localize_just_after_overlap_is_unambiguous():
    assert localize(local("2024-10-27T02:00"), "Europe/London") == utc(2024, 10, 27, 2, 0)


# --- localize_iso (API send_at {"local": ...}) --------------------------------

def test_localize_iso_parses_local_minutes():
    assert localize_iso("2024-03-06T20:00", "Europe/Madrid") == utc(2024, 3, 6, 19, 0)


def test_localize_iso_rejects_offset():
    with pytest.raises(ValueError):
        localize_iso("2024-03-06T20:00+01:00", "Europe/Madrid")


# --- to_local -------------------------------------------------------------------

def test_to_local_gives_aware_local_time():
    result = to_local(utc(2024, 10, 27, 1, 30), "Europe/London")
    assert (result.hour, result.minute, result.tzname()) == (1, 30, "GMT")


def test_to_local_rejects_naive():
    with pytest.raises(ValueError):
        to_local(datetime(2024, 1, 1), "Europe/London")


def test_to_local_then_localize_round_trips_outside_overlaps():
    for hour in range(24):
        instant = utc(2024, 3, 30, hour, 15)
        naive = to_local(instant, "Europe/London").replace(tzinfo=None)
        assert localize(naive, "Europe/London") == instant


def test_utc_transitions_lists_both_changes_of_a_year():
    changes = utc_transitions("Europe/London", utc(2024, 1, 1), utc(2025, 1, 1))
    assert changes == [utc(2024, 3, 31, 1, 0), utc(2024, 10, 27, 1, 0)]


def test_utc_transitions_empty_for_fixed_zone():
    assert utc_transitions("Asia/Kolkata", utc(2024, 1, 1), utc(2025, 1, 1)) == []


# --- in_quiet_hours -------------------------------------------------------------

QS, QE = time(21, 30), time(8, 30)


@pytest.mark.parametrize("hhmm", ["21:30", "23:59", "00:00", "03:00", "08:29"])
def test_in_quiet_hours_wrapping_window_inside(hhmm):
    assert in_quiet_hours(local(f"2024-01-01T{hhmm}"), QS, QE)


@pytest.mark.parametrize("hhmm", ["08:30", "12:00", "21:29"])
def test_in_quiet_hours_wrapping_window_outside(hhmm):
    assert not in_quiet_hours(local(f"2024-01-01T{hhmm}"), QS, QE)


def test_in_quiet_hours_start_inclusive_end_exclusive():
    assert in_quiet_hours(time(21, 30), QS, QE)
    assert not in_quiet_hours(time(8, 30), QS, QE)


def test_in_quiet_hours_non_wrapping_window():
    assert in_quiet_hours(time(13, 0), time(12, 0), time(14, 0))
    assert not in_quiet_hours(time(23, 0), time(12, 0), time(14, 0))


def test_in_quiet_hours_equal_bounds_means_never_quiet():
    assert not in_quiet_hours(time(3, 0), time(0, 0), time(0, 0))


def test_in_quiet_hours_uses_wall_clock_of_aware_local_datetime():
    local_dt = to_local(utc(2024, 3, 5, 22, 10), "Europe/Madrid")  # 23:10 local
    assert in_quiet_hours(local_dt, QS, QE)
