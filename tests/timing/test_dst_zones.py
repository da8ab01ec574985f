"""The engine on days when the clocks change, in zones chosen for their quirks."""

from datetime import date, time, timedelta

from crossborder_crm.timing import SendPolicy, next_send_time, to_local

from . import make_profile, utc

NO_QUIET = dict(quiet_start=time(0, 0), quiet_end=time(0, 0))


def local_str(instant, tz):
    return to_local(instant, tz).strftime("%Y-%m-%d %H:%M %z")


# --- Europe/London: gap 2024-03-31 01:00 -> 02:00, overlap 2024-10-27 01:00-02:00 ---

def test_london_quiet_end_inside_gap_sends_at_end_of_gap():
    policy = SendPolicy("transactional", quiet_start=time(0, 0), quiet_end=time(1, 30))
    sent, why = next_send_time(make_profile("Europe/London"), policy, utc(2024, 3, 31, 0, 10))
    assert sent == utc(2024, 3, 31, 1, 0)  # 02:00 BST, first instant after 01:30
    assert "held until 02:00" in why


def test_london_quiet_end_in_overlap_uses_first_occurrence():
    policy = SendPolicy("transactional", quiet_start=time(0, 0), quiet_end=time(1, 30))
    # 00:10 BST is quiet; 01:30 BST (first 01:30) is 00:30 UTC.
    sent, _ = next_send_time(make_profile("Europe/London"), policy, utc(2024, 10, 26, 23, 10))
    assert sent == utc(2024, 10, 27, 0, 30)


def test_london_quiet_again_in_second_occurrence_waits_for_second_quiet_end():
    policy = SendPolicy("transactional", quiet_start=time(0, 0), quiet_end=time(1, 30))
    # 01:10 UTC is 01:10 GMT, the second pass through 01:xx: quiet again.
    sent, _ = next_send_time(make_profile("Europe/London"), policy, utc(2024, 10, 27, 1, 10))
    assert sent == utc(2024, 10, 27, 1, 30)


def test_london_repeated_hour_is_one_slot_covering_both_occurrences():
    profile = make_profile("Europe/London", peaks={1: 1.0})
    policy = SendPolicy("marketing", target_local_date=date(2024, 10, 27), **NO_QUIET)
    assert next_send_time(profile, policy, utc(2024, 10, 26, 12))[0] == utc(2024, 10, 27, 0, 0)
    earliest = utc(2024, 10, 27, 1, 20)  # 01:20 GMT, second occurrence
    assert next_send_time(profile, policy, earliest)[0] == earliest


# --- Europe/Madrid: gap 2024-03-31 02:00 -> 03:00 ---------------------------------

def test_madrid_hour_skipped_by_gap_is_not_a_slot():
    profile = make_profile("Europe/Madrid", peaks={2: 1.0, 3: 0.5})
    policy = SendPolicy("marketing", target_local_date=date(2024, 3, 31), **NO_QUIET)
    sent, _ = next_send_time(profile, policy, utc(2024, 3, 30, 12))
    assert local_str(sent, "Europe/Madrid") == "2024-03-31 03:00 +0200"


def test_madrid_marketing_evening_after_spring_forward_uses_summer_offset():
    profile = make_profile("Europe/Madrid", peaks={20: 1.0})
    policy = SendPolicy("marketing", target_local_date=date(2024, 3, 31))
    assert next_send_time(profile, policy, utc(2024, 3, 30, 12))[0] == utc(2024, 3, 31, 18, 0)


def test_madrid_marketing_evening_after_fall_back_uses_winter_offset():
    profile = make_profile("Europe/Madrid", peaks={20: 1.0})
    policy = SendPolicy("marketing", target_local_date=date(2024, 10, 27))
    assert next_send_time(profile, policy, utc(2024, 10, 26, 12))[0] == utc(2024, 10, 27, 19, 0)


# --- America/Chicago: gap 2024-03-10 02:00 -> 03:00, overlap 2024-11-03 01:00-02:00 ---

def test_chicago_transactional_on_spring_forward_morning():
    sent, _ = next_send_time(make_profile("America/Chicago"), SendPolicy("transactional"),
                             utc(2024, 3, 10, 8, 0))  # 03:00 CDT
    assert sent == utc(2024, 3, 10, 13, 30)  # 08:30 CDT


def test_chicago_transactional_during_repeated_hour_waits_for_quiet_end_cst():
    sent, _ = next_send_time(make_profile("America/Chicago"), SendPolicy("transactional"),
                             utc(2024, 11, 3, 6, 30))  # 01:30 CDT
    assert sent == utc(2024, 11, 3, 14, 30)  # 08:30 CST


def test_chicago_repeated_hour_slot_starts_at_first_occurrence():
    profile = make_profile("America/Chicago", peaks={1: 1.0})
    policy = SendPolicy("marketing", target_local_date=date(2024, 11, 3), **NO_QUIET)
    sent, _ = next_send_time(profile, policy, utc(2024, 11, 2, 12))
    assert sent == utc(2024, 11, 3, 6, 0)  # 01:00 CDT


# --- Australia/Lord_Howe: 30-minute DST -----------------------------------------

def test_lord_howe_half_skipped_hour_starts_where_the_clock_resumes():
    # 2024-10-06 02:00 +10:30 -> 02:30 +11:00
    profile = make_profile("Australia/Lord_Howe", peaks={2: 1.0})
    policy = SendPolicy("marketing", target_local_date=date(2024, 10, 6), **NO_QUIET)
    sent, _ = next_send_time(profile, policy, utc(2024, 10, 5, 0))
    assert sent == utc(2024, 10, 5, 15, 30)
    assert local_str(sent, "Australia/Lord_Howe") == "2024-10-06 02:30 +1100"


def test_lord_howe_half_hour_overlap_quiet_hours_apply_to_both_passes():
    # 2024-04-07 02:00 +11:00 -> 01:30 +10:30; quiet 00:00-01:45.
    policy = SendPolicy("transactional", quiet_start=time(0, 0), quiet_end=time(1, 45))
    profile = make_profile("Australia/Lord_Howe")
    first_pass = utc(2024, 4, 6, 14, 50)  # 01:50 +11, not quiet
    assert next_send_time(profile, policy, first_pass)[0] == first_pass
    second_pass = utc(2024, 4, 6, 15, 5)  # 01:35 +10:30, quiet again
    assert next_send_time(profile, policy, second_pass)[0] == utc(2024, 4, 6, 15, 15)


def test_lord_howe_marketing_evening_in_summer():
    profile = make_profile("Australia/Lord_Howe", peaks={20: 1.0})
    policy = SendPolicy("marketing", target_local_date=date(2024, 12, 4))
    assert next_send_time(profile, policy, utc(2024, 12, 1))[0] == utc(2024, 12, 4, 9, 0)


# --- America/Santiago: changes at midnight ----------------------------------------

def test_santiago_midnight_hour_skipped_on_spring_forward():
    # 2024-09-08 00:00 -04 -> 01:00 -03: hour 0 does not exist that day.
    profile = make_profile("America/Santiago", peaks={0: 1.0, 1: 0.5})
    policy = SendPolicy("marketing", target_local_date=date(2024, 9, 8), **NO_QUIET)
    sent, _ = next_send_time(profile, policy, utc(2024, 9, 7, 12))
    assert sent == utc(2024, 9, 8, 4, 0)
    assert local_str(sent, "America/Santiago") == "2024-09-08 01:00 -0300"


def test_santiago_transactional_across_fall_back_midnight():
    # 2024-04-07 00:00 -03 -> 2024-04-06 23:00 -04. 22:00 -03 Saturday is quiet.
    sent, _ = next_send_time(make_profile("America/Santiago"), SendPolicy("transactional"),
                             utc(2024, 4, 7, 1, 0))
    assert sent == utc(2024, 4, 7, 12, 30)  # Sunday 08:30 -04


def test_santiago_marketing_on_fall_back_day():
    profile = make_profile("America/Santiago", peaks={20: 1.0})
    policy = SendPolicy("marketing", target_local_date=date(2024, 4, 7))
    assert next_send_time(profile, policy, utc(2024, 4, 6))[0] == utc(2024, 4, 8, 0, 0)


# --- Asia/Kolkata: +05:30, no DST ---------------------------------------------------

def test_kolkata_marketing_slot_is_on_the_local_hour():
    profile = make_profile("Asia/Kolkata", peaks={20: 1.0})
    policy = SendPolicy("marketing", target_local_date=date(2024, 3, 6))
    assert next_send_time(profile, policy, utc(2024, 3, 4))[0] == utc(2024, 3, 6, 14, 30)


def test_kolkata_transactional_quiet_hours_in_local_time():
    sent, _ = next_send_time(make_profile("Asia/Kolkata"), SendPolicy("transactional"),
                             utc(2024, 3, 5, 17, 0))  # 22:30 IST
    assert sent == utc(2024, 3, 6, 3, 0)  # 08:30 IST


# --- Pacific/Apia: 2011-12-30 never happened --------------------------------------

def test_apia_marketing_on_skipped_day_moves_to_next_day_and_says_so():
    profile = make_profile("Pacific/Apia", peaks={19: 1.0})
    policy = SendPolicy("marketing", target_local_date=date(2011, 12, 30))
    sent, why = next_send_time(profile, policy, utc(2011, 12, 29, 20, 0))
    assert local_str(sent, "Pacific/Apia") == "2011-12-31 19:00 +1400"
    assert sent == utc(2011, 12, 31, 5, 0)
    assert "target day Fri 2011-12-30 has no sendable hour left" in why


def test_apia_transactional_held_over_skipped_day():
    # 22:00 on 2011-12-29 (-10) is quiet; the next 08:30 is on 2011-12-31 (+14).
    sent, _ = next_send_time(make_profile("Pacific/Apia"), SendPolicy("transactional"),
                             utc(2011, 12, 30, 8, 0))
    assert sent == utc(2011, 12, 30, 18, 30)


def test_apia_conversation_window_over_skipped_day():
    profile = make_profile("Pacific/Apia", peaks={19: 1.0}, base=0.1)
    policy = SendPolicy("conversation", deadline=timedelta(hours=36))
    sent, _ = next_send_time(profile, policy, utc(2011, 12, 29, 20, 0))  # 10:00 on the 29th
    assert local_str(sent, "Pacific/Apia") == "2011-12-29 19:00 -1000"
