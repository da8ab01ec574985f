import pytest

from crossborder_crm.timing import country_prior, weekend_days

MON, TUE, FRI, SAT, SUN = 0, 1, 4, 5, 6


def at(curve, day, hour):
    return curve[day * 24 + hour]


def peak_hour(curve, day):
    return max(range(24), key=lambda h: (at(curve, day, h), -h))


def test_prior_has_168_values_in_unit_interval():
    curve = country_prior("DE")
    assert len(curve) == 168
    assert all(0.0 <= v <= 1.0 for v in curve)
    assert max(curve) == 1.0


def test_weekday_evening_19_to_22_is_strongest():
    curve = country_prior("DE")
    evening = min(at(curve, TUE, h) for h in (19, 20, 21, 22))
    others = max(at(curve, TUE, h) for h in range(24) if h not in (19, 20, 21, 22))
    assert evening > others


def test_weekday_lunch_is_a_secondary_bump():
    curve = country_prior("DE")
    assert at(curve, TUE, 12) > at(curve, TUE, 10)
    assert at(curve, TUE, 13) > at(curve, TUE, 15)
    assert at(curve, TUE, 12) < at(curve, TUE, 20)


def test_night_is_near_zero():
    curve = country_prior("DE")
    assert all(at(curve, TUE, h) <= 0.05 for h in range(1, 6))


def test_weekend_daytime_is_broader_than_weekday():
    curve = country_prior("DE")
    for hour in range(10, 18):
        assert at(curve, SAT, hour) > at(curve, TUE, hour)
    assert all(at(curve, SUN, h) >= 0.6 for h in range(10, 23))


def test_spain_evening_peak_is_later_than_germany():
    assert peak_hour(country_prior("ES"), TUE) > peak_hour(country_prior("DE"), TUE)


def test_argentina_evening_peak_is_later_than_spain():
    assert peak_hour(country_prior("AR"), TUE) > peak_hour(country_prior("ES"), TUE)


@pytest.mark.parametrize("country", ["JP", "KR", "CN"])
def test_east_asia_evening_peak_is_earlier_than_germany(country):
    assert peak_hour(country_prior(country), TUE) < peak_hour(country_prior("DE"), TUE)


def test_saudi_weekend_is_friday_saturday():
    curve = country_prior("SA")
    assert weekend_days("SA") == (FRI, SAT)
    assert at(curve, FRI, 14) > at(curve, TUE, 14)  # Friday looks like a weekend day
    assert at(curve, SUN, 14) == at(curve, TUE, 14)  # Sunday is a working day


def test_default_weekend_is_saturday_sunday():
    assert weekend_days("DE") == (SAT, SUN)


def test_unknown_country_gets_base_curve():
    assert country_prior("ZZ") == country_prior("DE")


def test_country_code_is_case_insensitive():
    assert country_prior("es") == country_prior("ES")


def test_seller_override_for_country_replaces_prior():
    custom = [0.5] * 168
    assert country_prior("DE", {"DE": custom}) == tuple(custom)


def test_seller_star_override_applies_to_all_countries():
    custom = [0.3] * 168
    assert country_prior("FR", {"*": custom}) == tuple(custom)


def test_country_override_wins_over_star_override():
    assert country_prior("DE", {"*": [0.3] * 168, "DE": [0.7] * 168})[0] == 0.7


def test_override_for_other_country_leaves_prior_alone():
    assert country_prior("DE", {"FR": [0.3] * 168}) == country_prior("DE")


def test_override_with_wrong_length_is_rejected():
    with pytest.raises(ValueError):
        country_prior("DE", {"DE": [0.5] * 24})


def test_override_with_value_outside_unit_interval_is_rejected():
    with pytest.raises(ValueError):
        country_prior("DE", {"DE": [1.5] * 168})
