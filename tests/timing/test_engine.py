"""next_send_time policies, in Europe/Madrid (UTC+1 in early March 2024).

2024-03-04 is a Monday; 2024-03-06 a Wednesday.
"""

from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from crossborder_crm.timing import (
    ActivityEvent,
    SendPolicy,
    default_profile,
    learn_profile,
    next_send_time,
    to_local,
)

from . import make_profile, utc

TZ = "Europe/Madrid"
MON, TUE, WED, THU = date(2024, 3, 4), date(2024, 3, 5), date(2024, 3, 6), date(2024, 3, 7)


def madrid(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """UTC instant of a Madrid wall time in early March 2024 (UTC+1)."""
    return utc(day.year, day.month, day.day, hour, minute, second) - timedelta(hours=1)


def local_hhmm(instant: datetime) -> str:
    return to_local(instant, TZ).strftime("%a %H:%M")


TRANSACTIONAL = SendPolicy("transactional")


def marketing(target=None, **kw):
    return SendPolicy("marketing", target_local_date=target, **kw)


def conversation(**kw):
    return SendPolicy("conversation", **kw)


# --- transactional -----------------------------------------------------------------

def test_transactional_outside_quiet_hours_sends_at_earliest():
    earliest = madrid(TUE, 15, 5, 30)
    sent, why = next_send_time(make_profile(), TRANSACTIONAL, earliest)
    assert sent == earliest
    assert why.startswith("transactional: sending now (15:05 local")


def test_transactional_in_quiet_hours_waits_for_quiet_end_local():
    sent, why = next_send_time(make_profile(), TRANSACTIONAL, madrid(TUE, 23, 10))
    assert sent == madrid(WED, 8, 30)
    assert "transactional: now is 23:10 local (quiet hours 21:30–08:30), held until 08:30" in why


def test_transactional_early_morning_waits_until_quiet_end_same_day():
    sent, _ = next_send_time(make_profile(), TRANSACTIONAL, madrid(WED, 5, 0))
    assert sent == madrid(WED, 8, 30)


def test_transactional_at_quiet_end_sends_immediately():
    assert next_send_time(make_profile(), TRANSACTIONAL, madrid(WED, 8, 30))[0] == madrid(WED, 8, 30)


def test_transactional_at_quiet_start_is_held():
    assert next_send_time(make_profile(), TRANSACTIONAL, madrid(WED, 21, 30))[0] == madrid(THU, 8, 30)


def test_transactional_ignores_profile_weights():
    low = make_profile(base=0.0)
    assert next_send_time(low, TRANSACTIONAL, madrid(WED, 15))[0] == madrid(WED, 15)


def test_custom_quiet_hours_are_respected():
    policy = SendPolicy("transactional", quiet_start=time(12, 0), quiet_end=time(14, 0))
    assert next_send_time(make_profile(), policy, madrid(WED, 13))[0] == madrid(WED, 14)


def test_result_is_aware_utc():
    sent, _ = next_send_time(make_profile(), TRANSACTIONAL, madrid(WED, 23))
    assert sent.utcoffset() == timedelta(0)


def test_naive_earliest_is_rejected():
    with pytest.raises(ValueError):
        next_send_time(make_profile(), TRANSACTIONAL, datetime(2024, 3, 6, 12))


# --- marketing ---------------------------------------------------------------------

def test_marketing_sends_at_best_hour_of_target_day():
    profile = make_profile(peaks={19: 1.0, 12: 0.6})
    sent, why = next_send_time(profile, marketing(WED), madrid(MON, 9))
    assert sent == madrid(WED, 19)
    assert "best hour on target day Wed 2024-03-06: 19:00" in why


def test_marketing_uses_the_weekday_of_the_target_day():
    profile = make_profile(peaks={(WED.weekday(), 11): 1.0, (THU.weekday(), 18): 1.0})
    assert next_send_time(profile, marketing(WED), madrid(MON, 9))[0] == madrid(WED, 11)
    assert next_send_time(profile, marketing(THU), madrid(MON, 9))[0] == madrid(THU, 18)


def test_marketing_ties_go_to_earliest_hour():
    profile = make_profile(peaks={19: 0.9, 14: 0.9})
    assert next_send_time(profile, marketing(WED), madrid(MON, 9))[0] == madrid(WED, 14)


def test_marketing_never_before_earliest_takes_next_best_remaining_hour():
    profile = make_profile(peaks={10: 1.0, 20: 0.8, 17: 0.6})
    assert next_send_time(profile, marketing(WED), madrid(WED, 19))[0] == madrid(WED, 20)


def test_marketing_sends_at_earliest_when_it_lies_inside_chosen_hour():
    profile = make_profile(peaks={20: 1.0})
    earliest = madrid(WED, 20, 15, 7)
    assert next_send_time(profile, marketing(WED), earliest)[0] == earliest


def test_marketing_never_sends_in_quiet_hours():
    profile = make_profile(peaks={23: 1.0, 3: 1.0, 7: 0.9, 9: 0.5})
    assert next_send_time(profile, marketing(WED), madrid(MON, 9))[0] == madrid(WED, 9)


def test_marketing_hour_cut_by_quiet_end_starts_at_quiet_end():
    profile = make_profile(peaks={8: 1.0})
    assert next_send_time(profile, marketing(WED), madrid(MON, 9))[0] == madrid(WED, 8, 30)


def test_marketing_hour_cut_by_quiet_start_starts_on_the_hour():
    profile = make_profile(peaks={21: 1.0})
    assert next_send_time(profile, marketing(WED), madrid(MON, 9))[0] == madrid(WED, 21)


def test_marketing_target_day_past_moves_to_next_day_and_says_so():
    profile = make_profile(peaks={19: 1.0})
    sent, why = next_send_time(profile, marketing(MON), madrid(TUE, 10))
    assert sent == madrid(TUE, 19)
    assert "target day Mon 2024-03-04 has no sendable hour left" in why
    assert "moved to the next day" in why


def test_marketing_target_day_without_slot_left_moves_to_next_day():
    profile = make_profile(peaks={19: 1.0})
    sent, why = next_send_time(profile, marketing(WED), madrid(WED, 21, 40))
    assert sent == madrid(THU, 19)
    assert "no sendable hour left" in why


def test_marketing_future_target_is_honoured():
    profile = make_profile(peaks={19: 1.0})
    target = date(2024, 3, 20)
    assert next_send_time(profile, marketing(target), madrid(MON, 9))[0] == madrid(target, 19)


def test_marketing_without_target_sends_same_day_when_hours_remain():
    profile = make_profile(peaks={19: 1.0})
    assert next_send_time(profile, marketing(), madrid(WED, 9))[0] == madrid(WED, 19)


def test_marketing_without_target_uses_first_day_with_sendable_hour():
    profile = make_profile(peaks={19: 1.0})
    assert next_send_time(profile, marketing(), madrid(WED, 22))[0] == madrid(THU, 19)


def test_marketing_without_target_remaining_hours_beat_tomorrow():
    # Today's best remaining hour is used even if tomorrow's peak is higher.
    profile = make_profile(peaks={(WED.weekday(), 20): 0.3, (THU.weekday(), 19): 1.0})
    assert next_send_time(profile, marketing(), madrid(WED, 19, 30))[0] == madrid(WED, 20)


# --- conversation ------------------------------------------------------------------

def test_conversation_picks_first_hour_above_threshold():
    profile = make_profile(peaks={11: 0.6, 19: 1.0})
    sent, why = next_send_time(profile, conversation(), madrid(WED, 9))
    assert sent == madrid(WED, 11)
    assert "first likely-online hour within 24h" in why


def test_conversation_sends_at_earliest_when_current_hour_qualifies():
    profile = make_profile(peaks={11: 0.6, 19: 1.0})
    earliest = madrid(WED, 11, 20)
    assert next_send_time(profile, conversation(), earliest)[0] == earliest


def test_conversation_threshold_is_relative_to_profile_max():
    profile = make_profile(peaks={11: 0.4, 19: 0.8})
    assert next_send_time(profile, conversation(min_score=0.5), madrid(WED, 9))[0] == madrid(WED, 11)
    assert next_send_time(profile, conversation(min_score=0.6), madrid(WED, 9))[0] == madrid(WED, 19)


def test_conversation_falls_back_to_best_hour_in_window():
    profile = make_profile(peaks={12: 0.3, 19: 1.0})
    policy = conversation(deadline=timedelta(hours=4))
    sent, why = next_send_time(profile, policy, madrid(WED, 9))
    assert sent == madrid(WED, 12)
    assert "best hour in the window" in why


def test_conversation_never_later_than_deadline():
    profile = make_profile(peaks={19: 1.0})
    earliest = madrid(WED, 9)
    sent, _ = next_send_time(profile, conversation(deadline=timedelta(hours=3)), earliest)
    assert earliest <= sent <= earliest + timedelta(hours=3)


def test_conversation_default_deadline_is_24_hours():
    profile = make_profile(peaks={(THU.weekday(), 19): 1.0})
    assert next_send_time(profile, conversation(), madrid(WED, 19, 30))[0] == madrid(THU, 19)
    assert next_send_time(profile, conversation(), madrid(WED, 18))[0] != madrid(THU, 19)


def test_conversation_window_entirely_quiet_waits_for_quiet_end_and_says_so():
    profile = make_profile(peaks={19: 1.0})
    policy = conversation(deadline=timedelta(hours=2))
    sent, why = next_send_time(profile, policy, madrid(WED, 22))
    assert sent == madrid(THU, 8, 30)
    assert "whole 2h window is in quiet hours (21:30–08:30), held until 08:30" in why


def test_conversation_never_sends_in_quiet_hours():
    profile = make_profile(peaks={23: 1.0, 2: 1.0}, base=0.0)
    sent, _ = next_send_time(profile, conversation(), madrid(WED, 22))
    assert local_hhmm(sent) == "Thu 08:30"


# --- explanations ------------------------------------------------------------------

def test_explanation_for_learned_profile_mentions_events_and_peak():
    events = [ActivityEvent(madrid(date(2024, 2, d), 20, 10), "order_placed")
              for d in (27, 28, 29) for _ in range(5)]  # Tue–Thu 20:10 local
    profile = learn_profile("ES", TZ, events, madrid(MON, 9))
    _, why = next_send_time(profile, marketing(WED), madrid(MON, 9))
    assert why.startswith("learned from 15 events: most active Tue–Thu 20:00–21:00 local;")
    assert why.endswith("sending Wed 2024-03-06 20:00 Europe/Madrid")


def test_explanation_for_country_default_names_country_and_pattern():
    profile = default_profile("DE", "Europe/Berlin")
    _, why = next_send_time(profile, marketing(WED), madrid(MON, 9))
    assert why.startswith("country default for DE: weekday evening")


def test_explanation_for_seller_default_says_seller():
    profile = make_profile(peaks={19: 1.0}, source="seller_default", country="FR")
    _, why = next_send_time(profile, marketing(WED), madrid(MON, 9))
    assert why.startswith("seller default for FR:")


def test_explanation_ends_with_local_send_time_and_zone():
    _, why = next_send_time(make_profile(), TRANSACTIONAL, madrid(TUE, 23, 10))
    assert why.endswith("sending Wed 2024-03-06 08:30 Europe/Madrid")


# --- purity --------------------------------------------------------------------------

def test_timing_package_never_reads_the_clock():
    import crossborder_crm.timing as pkg

    forbidden = ("datetime.now", "datetime.utcnow", "time.time(", "date.today", "time.monotonic")
    for path in Path(pkg.__file__).parent.glob("*.py"):
        source = path.read_text()
        for needle in forbidden:
            assert needle not in source, f"{path.name} uses {needle}"
