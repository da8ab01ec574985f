"""The holiday calendar: each country's own date for each day, and only where the day is kept."""
from __future__ import annotations

from datetime import date, timedelta

import holidays
import pytest

from crossborder_crm.campaigns.holidays import upcoming
from crossborder_crm.campaigns.rules import fete_des_meres, nth_weekday
from crossborder_crm.campaigns.shopping_days import BY_KEY, MARKETS


def dates_of(key: str, year: int, countries) -> dict[str, date]:
    """country -> date of one day in one year, for the countries asked."""
    found = [d for d in upcoming(date(year, 1, 1), date(year, 12, 31), countries) if d.key == key]
    assert len(found) <= 1
    return {cd.country: cd.date for cd in found[0].dates} if found else {}


@pytest.mark.parametrize("year,uk,us", [(2026, date(2026, 3, 15), date(2026, 5, 10)),
                                        (2027, date(2027, 3, 7), date(2027, 5, 9))])
def test_mothers_day_is_mothering_sunday_in_the_uk_and_second_sunday_of_may_in_the_us(year, uk, us):
    assert dates_of("mothers_day", year, ["GB", "US"]) == {"GB": uk, "US": us}


def test_mothering_sunday_is_three_weeks_before_easter():
    for year in range(2020, 2040):
        good_friday = next(d for d, n in holidays.GB(years=year, language="en_US").items() if n == "Good Friday")
        assert dates_of("mothers_day", year, ["GB"])["GB"] == good_friday - timedelta(days=19)


def test_french_mothers_day_moves_to_june_when_the_last_sunday_of_may_is_pentecost():
    # Easter 2020-04-12 put Pentecost on 31 May, the last Sunday: la fête des mères was 7 June.
    assert dates_of("mothers_day", 2020, ["FR"]) == {"FR": date(2020, 6, 7)}


def test_french_mothers_day_is_the_last_sunday_of_may_when_pentecost_is_earlier():
    # Easter 2026-04-05 puts Pentecost on 24 May.
    assert fete_des_meres(2026) == date(2026, 5, 31)


def test_spain_keeps_mothers_day_on_the_first_sunday_of_may_and_mexico_on_may_10():
    assert dates_of("mothers_day", 2026, ["ES", "MX"]) == {"ES": date(2026, 5, 3), "MX": date(2026, 5, 10)}


def test_fathers_day_in_germany_is_ascension_day_from_the_holidays_package():
    for year in (2026, 2027, 2030):
        ascension = next(d for d, n in holidays.DE(years=year, language="en_US").items() if n == "Ascension Day")
        assert dates_of("fathers_day", year, ["DE"]) == {"DE": ascension}


def test_fathers_day_dates_differ_by_country():
    assert dates_of("fathers_day", 2026, ["US", "GB", "IT", "AU", "BR"]) == {
        "US": date(2026, 6, 21), "GB": date(2026, 6, 21), "IT": date(2026, 3, 19),
        "AU": date(2026, 9, 6), "BR": date(2026, 8, 9)}


def test_singles_day_is_listed_for_china_and_not_for_the_us_or_germany():
    assert dates_of("singles_day", 2026, ["CN", "US", "DE"]) == {"CN": date(2026, 11, 11)}


def test_a_day_no_asked_country_keeps_is_not_listed():
    assert dates_of("singles_day", 2026, ["US"]) == {}


@pytest.mark.parametrize("year", [2025, 2026, 2027, 2028])
def test_black_friday_is_the_day_after_us_thanksgiving_and_cyber_monday_four_days_after(year):
    thanksgiving = next(d for d, n in holidays.US(years=year, language="en_US").items() if n == "Thanksgiving Day")
    assert dates_of("black_friday", year, ["US", "GB"]) == {c: thanksgiving + timedelta(days=1) for c in ("US", "GB")}
    assert dates_of("cyber_monday", year, ["US"]) == {"US": thanksgiving + timedelta(days=4)}


@pytest.mark.parametrize("country", ["SA", "AE", "TR", "ID"])
def test_eid_al_fitr_and_eid_al_adha_come_from_the_holidays_package(country):
    package = holidays.country_holidays(country, years=2026, language="en_US")
    fitr, adha = dates_of("eid_al_fitr", 2026, [country]), dates_of("eid_al_adha", 2026, [country])
    assert "Eid al-Fitr" in package.get(fitr[country])
    assert "Eid al-Adha" in package.get(adha[country])


def test_eid_al_fitr_is_each_countrys_own_date():
    assert dates_of("eid_al_fitr", 2026, ["SA", "ID"]) == {"SA": date(2026, 3, 20), "ID": date(2026, 3, 21)}


def test_ramadan_starts_a_lunar_month_before_eid_where_eid_is_kept_and_not_elsewhere():
    starts = dates_of("ramadan_start", 2026, ["SA", "US"])
    assert starts == {"SA": date(2026, 2, 18)}


def test_eid_is_not_listed_for_a_country_that_does_not_keep_it():
    assert dates_of("eid_al_fitr", 2026, ["US", "DE"]) == {}


def test_public_holidays_shared_everywhere_share_a_key_and_national_ones_carry_the_country():
    keys = {d.key for d in upcoming(date(2026, 1, 1), date(2026, 12, 31), ["US", "ID"])}
    assert {"christmas_day", "new_years_day", "us_independence_day", "id_independence_day"} <= keys
    assert "independence_day" not in keys


def test_a_substitute_day_off_is_not_listed():
    # 2026-07-04 is a Saturday: the package adds "Independence Day (observed)" on Friday 3 July.
    days = upcoming(date(2026, 7, 1), date(2026, 7, 10), ["US"])
    assert [(d.key, d.first) for d in days] == [("us_independence_day", date(2026, 7, 4))]


def test_the_window_is_inclusive_and_days_are_sorted_by_date():
    days = upcoming(date(2026, 11, 11), date(2026, 11, 30), ["CN", "US"])
    assert [d.key for d in days] == ["singles_day", "us_veterans_day", "us_thanksgiving_day",
                                     "black_friday", "cyber_monday"]


def test_kinds_tell_shopping_days_from_public_holidays():
    kinds = {d.key: d.kind for d in upcoming(date(2026, 11, 20), date(2026, 11, 30), ["US"])}
    assert kinds == {"us_thanksgiving_day": "public_holiday", "black_friday": "shopping_day",
                     "cyber_monday": "shopping_day"}


def test_a_window_across_new_year_lists_each_years_occurrence():
    days = [d for d in upcoming(date(2026, 12, 20), date(2027, 12, 31), ["DE"]) if d.key == "christmas_day"]
    assert [d.first for d in days] == [date(2026, 12, 25), date(2027, 12, 25)]


def test_without_countries_the_main_markets_are_used():
    countries = {cd.country for d in upcoming(date(2026, 5, 1), date(2026, 5, 31)) for cd in d.dates}
    assert countries <= set(MARKETS) and {"US", "GB", "DE", "FR", "MX"} <= countries


def test_every_rule_gives_a_date_in_its_year():
    for day in BY_KEY.values():
        for country, rule in day.rules.items():
            for year in (1970, 2026, 2075):
                assert rule(year).year == year, (day.key, country)


def test_last_weekday_of_a_month_counts_from_the_end():
    assert nth_weekday(2026, 11, 6, -1) == date(2026, 11, 29)
    assert nth_weekday(2026, 12, 0, -1) == date(2026, 12, 28)


def test_the_islamic_days_are_found_at_both_ends_of_the_supported_range():
    for year in (1970, 2075):
        keys = {d.key for d in upcoming(date(year, 1, 1), date(year, 12, 31), ["SA"])}
        assert {"eid_al_fitr", "eid_al_adha", "ramadan_start"} <= keys, year
