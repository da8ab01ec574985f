from datetime import datetime, timedelta

import pytest

from crossborder_crm.timing import (
    ActivityEvent,
    OnlineProfile,
    country_prior,
    default_profile,
    learn_country_curves,
    learn_profile,
)

from . import utc

NOW = utc(2024, 3, 10, 12, 0)
TUE, WED, SAT, SUN = 1, 2, 5, 6


def idx(day, hour):
    return day * 24 + hour


def events_at(when, kind="order_placed", n=1):
    return [ActivityEvent(when, kind) for _ in range(n)]


# --- OnlineProfile ---------------------------------------------------------------

def test_profile_requires_168_weights():
    with pytest.raises(ValueError):
        OnlineProfile("Europe/Madrid", "ES", (0.5,) * 24)


def test_profile_rejects_weights_outside_unit_interval():
    with pytest.raises(ValueError):
        OnlineProfile("Europe/Madrid", "ES", (2.0,) * 168)


def test_profile_rejects_unknown_source():
    with pytest.raises(ValueError):
        OnlineProfile("Europe/Madrid", "ES", (0.5,) * 168, source="guess")


def test_profile_rejects_unknown_timezone():
    with pytest.raises(KeyError):  # pytz.UnknownTimeZoneError is a KeyError
        OnlineProfile("Europe/Atlantis", "ES", (0.5,) * 168)


def test_profile_key_is_hashable_and_equal_for_equal_profiles():
    a = OnlineProfile("Europe/Madrid", "ES", [0.5] * 168)
    b = OnlineProfile("Europe/Madrid", "ES", (0.5,) * 168)
    assert a.key == b.key and hash(a.key) == hash(b.key)
    assert {a.key: 1}[b.key] == 1


def test_profile_key_differs_by_timezone():
    a = OnlineProfile("Europe/Madrid", "ES", (0.5,) * 168)
    b = OnlineProfile("Atlantic/Canary", "ES", (0.5,) * 168)
    assert a.key != b.key


def test_default_profile_is_shared_per_country_and_zone():
    assert default_profile("DE", "Europe/Berlin") is default_profile("DE", "Europe/Berlin")


def test_default_profile_with_seller_override_is_seller_default():
    profile = default_profile("DE", "Europe/Berlin", overrides={"*": [0.4] * 168})
    assert profile.source == "seller_default"
    assert profile.weights == (0.4,) * 168


# --- learn_profile -----------------------------------------------------------------

def test_no_events_gives_country_default_prior():
    profile = learn_profile("DE", "Europe/Berlin", [], NOW)
    assert profile.source == "country_default"
    assert profile.weights == country_prior("DE")
    assert profile.event_count == 0


def test_no_events_with_seller_override_gives_seller_default():
    profile = learn_profile("DE", "Europe/Berlin", [], NOW, overrides={"DE": [0.2] * 168})
    assert profile.source == "seller_default"


def test_events_make_a_learned_profile_with_event_count():
    events = events_at(utc(2024, 3, 5, 8, 0), n=3)
    profile = learn_profile("DE", "Europe/Berlin", events, NOW)
    assert profile.source == "learned"
    assert profile.event_count == 3


def test_unknown_event_kinds_are_ignored():
    profile = learn_profile("DE", "Europe/Berlin", events_at(utc(2024, 3, 5, 8), "bounce"), NOW)
    assert profile.source == "country_default"


def test_learned_weights_stay_in_unit_interval():
    events = events_at(utc(2024, 3, 5, 8, 0), n=50)
    profile = learn_profile("DE", "Europe/Berlin", events, NOW)
    assert all(0.0 <= w <= 1.0 for w in profile.weights)


def test_events_are_placed_in_buyer_local_time():
    # 08:00 UTC Tuesday is 17:00 in Tokyo.
    profile = learn_profile("JP", "Asia/Tokyo", events_at(utc(2024, 3, 5, 8, 0), n=40), NOW)
    best = max(range(168), key=lambda i: profile.weights[i])
    assert best == idx(TUE, 17)


def test_event_local_time_follows_dst():
    # 18:00 UTC is 19:00 in Madrid in winter, 20:00 in summer.
    winter = learn_profile("ES", "Europe/Madrid", events_at(utc(2024, 1, 9, 18), n=40), NOW)
    summer = learn_profile("ES", "Europe/Madrid", events_at(utc(2023, 7, 11, 18), n=40),
                           utc(2023, 7, 12), prior=country_prior("DE"))
    assert max(range(168), key=lambda i: winter.weights[i]) == idx(TUE, 19)
    assert max(range(168), key=lambda i: summer.weights[i]) == idx(TUE, 20)


def test_many_events_move_the_peak_to_their_hour():
    prior = country_prior("DE")
    assert prior[idx(TUE, 9)] < prior[idx(TUE, 20)]
    events = events_at(utc(2024, 3, 5, 8, 0), n=30)  # Tue 09:00 Berlin
    profile = learn_profile("DE", "Europe/Berlin", events, NOW)
    assert profile.weights[idx(TUE, 9)] > profile.weights[idx(TUE, 20)]


def test_one_event_does_not_decide_the_peak():
    profile = learn_profile("DE", "Europe/Berlin", events_at(utc(2024, 3, 5, 8, 0)), NOW)
    assert profile.weights[idx(TUE, 9)] < profile.weights[idx(TUE, 20)]


def test_event_spreads_to_neighbouring_hours():
    prior = country_prior("DE")
    profile = learn_profile("DE", "Europe/Berlin", events_at(utc(2024, 3, 5, 8, 0), n=5), NOW)
    for hour in (8, 10):
        assert profile.weights[idx(TUE, hour)] > prior[idx(TUE, hour)]
    assert profile.weights[idx(TUE, 12)] < prior[idx(TUE, 12)]  # outside the kernel


def test_weekday_event_spreads_to_other_weekdays_not_weekend():
    prior = country_prior("DE")
    profile = learn_profile("DE", "Europe/Berlin", events_at(utc(2024, 3, 5, 8, 0), n=5), NOW)

    def lift(i):
        return profile.weights[i] / prior[i]

    assert lift(idx(WED, 9)) > lift(idx(WED, 15))  # same hour, other weekday: fed
    assert lift(idx(SAT, 9)) == pytest.approx(lift(idx(SAT, 15)))  # weekend: untouched


def test_weekend_similarity_follows_country_weekend():
    # Friday in Riyadh is a weekend day, so a Friday event feeds Saturday.
    friday_noon_riyadh = utc(2024, 3, 8, 9, 0)  # 12:00 +03
    prior = country_prior("SA")
    profile = learn_profile("SA", "Asia/Riyadh", events_at(friday_noon_riyadh, n=5), NOW)

    def lift(i):
        return profile.weights[i] / prior[i]

    assert lift(idx(SAT, 12)) > lift(idx(SAT, 17))
    assert lift(idx(SUN, 12)) == pytest.approx(lift(idx(SUN, 17)))  # Sunday is a workday


def test_own_hour_gets_more_than_neighbours():
    profile = learn_profile("DE", "Europe/Berlin", events_at(utc(2024, 3, 5, 8, 0), n=20), NOW)
    assert profile.weights[idx(TUE, 9)] > profile.weights[idx(TUE, 8)]
    assert profile.weights[idx(TUE, 9)] > profile.weights[idx(WED, 9)]


def test_recent_events_weigh_more_than_old_ones():
    recent = events_at(NOW - timedelta(days=7), n=3)
    old = events_at(NOW - timedelta(days=7 * 16), n=3)  # same weekday, still CET
    hour = idx(NOW.weekday(), 13)  # 12:00 UTC = 13:00 Berlin
    w_recent = learn_profile("DE", "Europe/Berlin", recent, NOW).weights[hour]
    w_old = learn_profile("DE", "Europe/Berlin", old, NOW).weights[hour]
    assert w_recent > w_old


def test_half_life_controls_decay():
    old = events_at(NOW - timedelta(days=7 * 16), n=3)
    hour = idx(NOW.weekday(), 13)
    fast = learn_profile("DE", "Europe/Berlin", old, NOW, half_life_days=10).weights[hour]
    slow = learn_profile("DE", "Europe/Berlin", old, NOW, half_life_days=365).weights[hour]
    assert slow > fast


def test_orders_weigh_more_than_email_opens():
    when = utc(2024, 3, 5, 8, 0)
    order = learn_profile("DE", "Europe/Berlin", events_at(when, "order_placed", 3), NOW)
    opened = learn_profile("DE", "Europe/Berlin", events_at(when, "email_open", 3), NOW)
    assert order.weights[idx(TUE, 9)] > opened.weights[idx(TUE, 9)]


def test_stronger_prior_resists_events_more():
    events = events_at(utc(2024, 3, 5, 8, 0), n=5)
    weak = learn_profile("DE", "Europe/Berlin", events, NOW, prior_strength=2)
    strong = learn_profile("DE", "Europe/Berlin", events, NOW, prior_strength=50)
    assert weak.weights[idx(TUE, 9)] > strong.weights[idx(TUE, 9)]


def test_explicit_prior_is_used():
    flat = [0.5] * 168
    profile = learn_profile("DE", "Europe/Berlin", [], NOW, prior=flat)
    assert profile.weights == tuple(flat)


def test_naive_event_time_is_rejected():
    with pytest.raises(ValueError):
        learn_profile("DE", "Europe/Berlin", [ActivityEvent(datetime(2024, 3, 5), "visit")], NOW)


# --- learn_country_curves -----------------------------------------------------------

def _buyers(n_buyers, events_each, tz="Europe/Berlin", when=utc(2024, 3, 5, 8, 0)):
    return [(tz, events_at(when, n=events_each)) for _ in range(n_buyers)]


def test_country_curve_absent_below_min_buyers():
    curves = learn_country_curves({"DE": _buyers(29, 10)}, NOW)
    assert "DE" not in curves


def test_country_curve_absent_below_min_events():
    curves = learn_country_curves({"DE": _buyers(40, 4)}, NOW)  # 160 events
    assert "DE" not in curves


def test_country_curve_present_with_enough_data():
    curves = learn_country_curves({"DE": _buyers(30, 7)}, NOW)  # 210 events
    curve = curves["DE"]
    assert len(curve) == 168 and max(curve) == 1.0
    assert max(range(168), key=lambda i: curve[i]) == idx(TUE, 9)


def test_country_curve_places_each_buyer_in_own_zone():
    # Same UTC instant, buyers in different zones of one country.
    buyers = _buyers(20, 10, "America/New_York") + _buyers(20, 10, "America/Los_Angeles")
    curve = learn_country_curves({"US": buyers}, NOW)["US"]
    assert curve[idx(TUE, 3)] > 0.5  # 08:00Z = 03:00 New York
    assert curve[idx(TUE, 0)] > 0.5  # 08:00Z = 00:00 Los Angeles


def test_country_curve_one_heavy_buyer_does_not_dominate():
    heavy = [("Europe/Berlin", events_at(utc(2024, 3, 5, 8, 0), n=500))]
    light = _buyers(40, 5, when=utc(2024, 3, 5, 19, 0))  # Tue 20:00 Berlin
    curve = learn_country_curves({"DE": heavy + light}, NOW)["DE"]
    assert curve[idx(TUE, 20)] > curve[idx(TUE, 9)]


def test_country_thresholds_are_per_country():
    curves = learn_country_curves({"DE": _buyers(30, 7), "FR": _buyers(5, 7, "Europe/Paris")}, NOW)
    assert set(curves) == {"DE"}
