"""Recency, frequency and monetary scores, and the named segment with its reason."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from crossborder_crm.campaigns.segments import (
    AT_RISK,
    KEY,
    LAPSED,
    NEW,
    NO_ORDERS,
    REGULAR,
    History,
    frequency_score,
    is_regular,
    quintile_cuts,
    score_buyers,
)

NOW = datetime(2026, 3, 10, tzinfo=timezone.utc)


def days_ago(*days: int) -> tuple[datetime, ...]:
    return tuple(sorted(NOW - timedelta(days=d) for d in days))


def shop() -> list[History]:
    """Twenty buyers from the loyal and rich to the gone, so the quintiles have something to cut."""
    out = [History(1, days_ago(3, 20, 40, 60, 90, 120, 150, 200, 250, 300), {"EUR": 250_000}),  # key
           History(2, days_ago(2), {"EUR": 3_000}),  # new
           History(3, days_ago(400, 500, 600, 700), {"EUR": 40_000}),  # at risk
           History(4, days_ago(700), {"EUR": 1_500}),  # lapsed
           History(5, days_ago(5, 35, 65, 95, 125), {"EUR": 6_000}),  # regular: every 30 days, small orders
           History(6, (), {})]
    out += [History(100 + i, days_ago(30 + 10 * i, 60 + 10 * i), {"EUR": 5_000 + 500 * i}) for i in range(14)]
    return out


def by_id(scored):
    return {s.buyer_id: s for s in scored}


def test_the_best_recent_frequent_big_spender_is_a_key_buyer():
    s = by_id(score_buyers(shop(), NOW))[1]
    assert (s.recency, s.frequency, s.monetary, s.segment) == (5, 5, 5, KEY)


def test_a_first_order_this_month_is_new():
    assert by_id(score_buyers(shop(), NOW))[2].segment == NEW


def test_a_frequent_buyer_gone_quiet_is_at_risk():
    assert by_id(score_buyers(shop(), NOW))[3].segment == AT_RISK


def test_a_one_time_buyer_long_gone_is_lapsed():
    assert by_id(score_buyers(shop(), NOW))[4].segment == LAPSED


def test_a_buyer_on_a_steady_cycle_is_regular():
    s = by_id(score_buyers(shop(), NOW))[5]
    assert s.segment == REGULAR and "steady intervals" in s.reason


def test_a_buyer_without_orders_has_no_scores():
    s = by_id(score_buyers(shop(), NOW))[6]
    assert (s.recency, s.frequency, s.monetary, s.segment) == (0, 0, 0, NO_ORDERS)


def test_the_reason_says_the_figures_behind_the_scores():
    reason = by_id(score_buyers(shop(), NOW))[1].reason
    assert reason.startswith("last order 3 days ago (R5), 10 orders (F5)") and "€2,500.00 spent (M5)" in reason


def test_money_is_compared_within_each_currency():
    histories = [History(1, days_ago(10), {"JPY": 9_000}), History(2, days_ago(10), {"EUR": 9_000}),
                 History(3, days_ago(10), {"JPY": 100}), History(4, days_ago(10), {"EUR": 100})]
    scores = by_id(score_buyers(histories, NOW))
    assert scores[1].monetary == scores[2].monetary > scores[3].monetary == scores[4].monetary


def test_frequency_steps():
    assert [frequency_score(n) for n in (1, 2, 3, 4, 5, 9, 10, 40)] == [1, 2, 3, 3, 4, 4, 5, 5]


def test_uneven_intervals_are_not_a_cycle():
    assert is_regular(days_ago(0, 30, 60, 90))
    assert not is_regular(days_ago(0, 2, 60, 200))
    assert not is_regular(days_ago(0, 30, 60))  # too few orders to call it a cycle


def test_quintile_cuts_split_a_population_in_fifths():
    assert quintile_cuts(range(100)) == (20, 40, 60, 80)
    assert quintile_cuts([]) == ()
