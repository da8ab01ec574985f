"""The shopping days the `holidays` package lacks, each with its rule per country that keeps it.

A country missing from a day's table does not keep that day (or keeps it too little to plan for).
Sources: Wikipedia "Mother's Day", "Father's Day", "Valentine's Day", "Black Friday (shopping)",
"Cyber Monday", "Singles' Day" and national school calendars; the README lists the choices.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from crossborder_crm.campaigns.rules import (
    MON,
    SAT,
    SUN,
    Rule,
    after,
    easter_plus,
    fete_des_meres,
    fixed,
    nth,
    thanksgiving_us,
)
from crossborder_crm.errors import N_

SHOPPING_DAY = "shopping_day"
PUBLIC_HOLIDAY = "public_holiday"


@dataclass(frozen=True)
class ShoppingDay:
    """A day keyed by a stable id, English name and kind, with a date rule per country."""

    key: str
    name: str
    rules: dict[str, Rule] = field(repr=False)
    kind: str = SHOPPING_DAY


def _same(rule: Rule, countries: str) -> dict[str, Rule]:
    return {c: rule for c in countries.split()}


# Black Friday follows the US date everywhere: retailers abroad copied the US sale day.
BLACK_FRIDAY_COUNTRIES = ("US CA GB IE DE AT CH FR BE NL LU ES PT IT PL CZ SE DK NO FI "
                          "BR MX AR CL CO PE AU NZ ZA IN")
# Cyber Monday is a named online sale in fewer markets (Brazil, Mexico, Argentina, Chile and Colombia
# hold their own "Cyber" events on other dates, so they are left out here).
CYBER_MONDAY_COUNTRIES = "US CA GB IE DE AT CH FR BE NL ES PT IT PL SE DK NO FI AU NZ ZA"
# 11.11: Alibaba's festival in Greater China, and Lazada/Shopee's 11.11 sales in South-East Asia.
SINGLES_DAY_COUNTRIES = "CN HK MO TW SG MY TH ID PH VN"

VALENTINES = {
    **_same(fixed(2, 14), "US CA GB IE FR DE AT CH BE NL LU ES PT IT PL CZ SE DK NO FI GR RO HU "
                          "AU NZ MX AR CL PE JP KR CN HK TW SG MY PH TH IN ZA TR AE"),
    "BR": fixed(6, 12),             # Dia dos Namorados, the eve of St Anthony's day
    "CO": nth(9, SAT, 3),           # Día del Amor y la Amistad, third Saturday of September
}

MOTHERS_DAY = {
    # Second Sunday of May: the US date (1914 proclamation), copied by most of the world.
    **_same(nth(5, SUN, 2), "US CA DE AT CH IT NL BE DK FI GR CZ SK UA TR JP CN HK TW SG MY PH IN "
                            "AU NZ BR CL PE VE ZA"),
    "GB": easter_plus(-21),         # Mothering Sunday: 4th Sunday of Lent, three weeks before Easter
    "IE": easter_plus(-21),
    "FR": fete_des_meres,           # last Sunday of May, first of June when that is Pentecost
    "ES": nth(5, SUN, 1),           # first Sunday of May
    "PT": nth(5, SUN, 1),
    "HU": nth(5, SUN, 1),
    "RO": nth(5, SUN, 1),
    "LT": nth(5, SUN, 1),
    "SE": nth(5, SUN, -1),          # last Sunday of May
    "MX": fixed(5, 10),             # 10 May, any weekday (also Guatemala, El Salvador)
    "GT": fixed(5, 10),
    "SV": fixed(5, 10),
    "PL": fixed(5, 26),             # Dzień Matki
    "NO": nth(2, SUN, 2),           # second Sunday of February
    "RU": nth(11, SUN, -1),         # last Sunday of November (1998 decree)
    "AR": nth(10, SUN, 3),          # third Sunday of October
    "KR": fixed(5, 8),              # Parents' Day (어버이날)
    "TH": fixed(8, 12),             # Queen Mother Sirikit's birthday
    "ID": fixed(12, 22),            # Hari Ibu
    **_same(fixed(3, 21), "EG AE SA JO LB QA"),  # the Arab world's Mother's Day, the March equinox
}

FATHERS_DAY = {
    # Third Sunday of June: the US date (1972 law), kept by the UK, France (since 1952) and many others.
    **_same(nth(6, SUN, 3), "US CA GB IE FR NL CH JP CN HK SG MY PH IN TR GR MX AR CL PE CO VE ZA"),
    "DE": easter_plus(39),          # Vatertag/Herrentag on Ascension Day
    "AT": nth(6, SUN, 2),           # second Sunday of June
    "BE": nth(6, SUN, 2),
    **_same(fixed(3, 19), "IT ES PT HR"),  # St Joseph's day
    "AU": nth(9, SUN, 1),           # first Sunday of September
    "NZ": nth(9, SUN, 1),
    "BR": nth(8, SUN, 2),           # second Sunday of August
    **_same(nth(11, SUN, 2), "SE NO FI EE"),  # Nordic: second Sunday of November
    "DK": fixed(6, 5),              # with Constitution Day
    "PL": fixed(6, 23),
    "KR": fixed(5, 8),              # Parents' Day (어버이날)
    "TW": fixed(8, 8),              # 8/8, "baba"
    "TH": fixed(12, 5),             # King Bhumibol's birthday
    "ID": fixed(11, 12),
    "RU": None,                     # no Father's Day of note: kept out on purpose
    **_same(fixed(6, 21), "EG AE JO LB"),
}
FATHERS_DAY = {c: r for c, r in FATHERS_DAY.items() if r is not None}

# Back to school: an approximate first school day (regions differ); the shopping runs 2–4 weeks before.
BACK_TO_SCHOOL = {
    "US": nth(8, MON, 3),           # most districts start mid-to-late August
    "CA": after(nth(9, MON, 1), 1),  # the Tuesday after Labour Day
    "GB": nth(9, MON, 1),           # England and Wales: early September (Scotland mid-August)
    "IE": nth(9, MON, 1),
    "FR": fixed(9, 1),              # la rentrée, national calendar
    "DE": fixed(8, 15),             # staggered by Land from late July to mid-September
    "AT": nth(9, MON, 1),
    "CH": nth(8, MON, 3),
    "NL": fixed(8, 25),             # three regions, late August to early September
    "BE": fixed(9, 1),
    "ES": fixed(9, 8),
    "PT": fixed(9, 12),
    "IT": fixed(9, 15),             # regions start 10–16 September
    "PL": fixed(9, 1),
    "CZ": fixed(9, 1),
    "RU": fixed(9, 1),              # Day of Knowledge
    "UA": fixed(9, 1),
    "CN": fixed(9, 1),
    "HK": fixed(9, 1),
    "TW": fixed(9, 1),
    "JP": fixed(4, 6),              # school year opens in early April
    "KR": fixed(3, 2),
    "MX": nth(8, MON, -1),          # SEP calendar: last Monday of August
    "BR": nth(2, MON, 1),           # early February, after the summer holidays
    "AR": nth(3, MON, 1),
    "CL": nth(3, MON, 1),
    "AU": fixed(1, 28),             # late January to early February by state
    "NZ": fixed(2, 3),
    "ZA": fixed(1, 14),
}

SHOPPING_DAYS: tuple[ShoppingDay, ...] = (
    ShoppingDay("valentines_day", N_("Valentine's Day"), VALENTINES),
    ShoppingDay("mothers_day", N_("Mother's Day"), MOTHERS_DAY),
    ShoppingDay("fathers_day", N_("Father's Day"), FATHERS_DAY),
    ShoppingDay("back_to_school", N_("Back to school"), BACK_TO_SCHOOL),
    ShoppingDay("singles_day", N_("Singles' Day (11.11)"), _same(fixed(11, 11), SINGLES_DAY_COUNTRIES)),
    ShoppingDay("black_friday", N_("Black Friday"), _same(after(thanksgiving_us, 1), BLACK_FRIDAY_COUNTRIES)),
    ShoppingDay("cyber_monday", N_("Cyber Monday"), _same(after(thanksgiving_us, 4), CYBER_MONDAY_COUNTRIES)),
)
BY_KEY = {day.key: day for day in SHOPPING_DAYS}

# Countries listed when none are asked for: every country one of the tables above covers.
MARKETS: tuple[str, ...] = tuple(sorted({c for day in SHOPPING_DAYS for c in day.rules}))
