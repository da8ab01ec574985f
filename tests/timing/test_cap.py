from datetime import datetime, timedelta

import pytest

from crossborder_crm.timing import FrequencyCap, cap_allows, next_allowed_by_cap

from . import utc

CAP = FrequencyCap()  # 2 per 7 days
T = utc(2024, 3, 10, 12, 0)
DAY = timedelta(days=1)


def test_default_cap_is_two_per_seven_days():
    assert (CAP.max_messages, CAP.window) == (2, timedelta(days=7))


def test_cap_allows_when_nothing_was_sent():
    assert cap_allows(CAP, [], T)


def test_cap_allows_below_max_in_window():
    assert cap_allows(CAP, [T - 2 * DAY], T)


def test_cap_blocks_at_max_in_window():
    assert not cap_allows(CAP, [T - 2 * DAY, T - DAY], T)


def test_cap_ignores_sends_older_than_window():
    assert cap_allows(CAP, [T - 8 * DAY, T - DAY], T)


def test_send_exactly_one_window_ago_has_left_the_window():
    assert cap_allows(CAP, [T - 7 * DAY, T - DAY], T)


def test_scheduled_future_sends_count_against_the_cap():
    assert not cap_allows(CAP, [T - DAY, T + DAY], T)


def test_next_allowed_is_candidate_when_allowed():
    assert next_allowed_by_cap(CAP, [T - DAY], T) == T


def test_next_allowed_waits_until_oldest_send_leaves_window():
    sends = [T - 3 * DAY, T - DAY]
    assert next_allowed_by_cap(CAP, sends, T) == T - 3 * DAY + 7 * DAY


def test_next_allowed_result_is_allowed_and_nothing_earlier_is():
    sends = [T - 5 * DAY, T - 3 * DAY, T - DAY]
    result = next_allowed_by_cap(CAP, sends, T)
    assert cap_allows(CAP, sends, result)
    assert not cap_allows(CAP, sends, result - timedelta(microseconds=1))
    assert result == T - 3 * DAY + 7 * DAY


def test_next_allowed_skips_past_future_scheduled_sends():
    sends = [T - DAY, T + 2 * DAY]
    result = next_allowed_by_cap(CAP, sends, T)
    assert result == T - DAY + 7 * DAY  # the past send leaves the span
    assert cap_allows(CAP, sends, result)


def test_unsorted_history_is_fine():
    assert not cap_allows(CAP, [T - DAY, T - 3 * DAY], T)


def test_cap_of_one_per_day():
    cap = FrequencyCap(1, DAY)
    assert next_allowed_by_cap(cap, [T - timedelta(hours=3)], T) == T + timedelta(hours=21)


def test_cap_rejects_naive_datetimes():
    with pytest.raises(ValueError):
        cap_allows(CAP, [datetime(2024, 3, 9)], T)


def test_cap_rejects_non_positive_max():
    with pytest.raises(ValueError):
        FrequencyCap(0, DAY)
