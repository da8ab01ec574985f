"""Who the demo buyers are: names in their own script, emails, phones, marketplaces, tags, consent."""
from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from typing import Any

from crossborder_crm.buyers.demo_data import shop
from crossborder_crm.buyers.demo_ids import MarketplaceIds

_TRANSLIT = str.maketrans({"ß": "ss", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ı": "i", "œ": "oe",
                           "þ": "th", "ð": "d", "ħ": "h"})
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
_UMLAUT_COUNTRIES = frozenset({"DE", "AT", "CH"})


def ascii_slug(text: str, country: str = "") -> str:
    """Lower-case ASCII letters and digits of a Latin name: "Łukasz" -> "lukasz", "Müller" -> "mueller" in DE."""
    text = text.lower()
    if country in _UMLAUT_COUNTRIES:
        text = text.translate(_UMLAUTS)
    text = unicodedata.normalize("NFKD", text.translate(_TRANSLIT))
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum())


def _forms(entry: Any, gender: str) -> tuple[str, str]:
    """(display form, Latin form) of a name entry from demo_names.json."""
    if isinstance(entry, dict):
        entry = entry[gender]
    if isinstance(entry, list):
        return entry[0], entry[1]
    return entry, entry


@dataclass(frozen=True)
class _Person:
    name: str
    given_latin: str
    family_latin: str | None


def _person(rng: random.Random, pool: dict, gender: str) -> _Person:
    given, given_lat = _forms(rng.choice(pool[f"given_{gender}"]), gender)
    if rng.random() < pool.get("single_name", 0):
        return _Person(given, given_lat, None)
    fam_entry = rng.choice(pool["family"])
    family, family_lat = _forms(fam_entry, gender)
    fmt = pool.get("format", "given_family")
    if rng.random() < pool.get("latin_share", 0):  # typed in Latin letters on a global marketplace
        return _Person(f"{given_lat} {family_lat}", given_lat, family_lat)
    if rng.random() < pool.get("two_surnames", 0):
        others = [e for e in pool["family"] if e != fam_entry]
        family = f"{family} {_forms(rng.choice(others), gender)[0]}"
    if fmt == "family_given":
        name = f"{family} {given}"
    elif fmt == "family_given_nospace":
        name = f"{family}{given}"
    elif rng.random() < pool.get("family_first", 0):
        name = f"{family} {given}"
    else:
        name = f"{given} {family}"
    return _Person(name, given_lat, family_lat)


def _email(rng: random.Random, person: _Person, country: str, used: set[str]) -> str:
    g = ascii_slug(person.given_latin, country) or "buyer"
    f = ascii_slug(person.family_latin or "", country)
    if f:
        local = rng.choices(
            (f"{g}.{f}", f"{g}{f}", f"{g[0]}.{f}", f"{f}.{g}", f"{g}_{f}{rng.randrange(1, 99)}",
             f"{g}{rng.randrange(70, 100)}", f"{f}{g[0]}"),
            (30, 14, 12, 8, 8, 8, 6))[0]
    else:
        local = f"{g}{rng.randrange(70, 100)}"
    domains = shop().email_domains
    domain = rng.choices(list(domains), list(domains.values()))[0]
    email, n = f"{local}@{domain}", 2
    while email in used:
        email, n = f"{local}{n}@{domain}", n + 1
    used.add(email)
    return email


def _phone(rng: random.Random, country: str) -> str | None:
    area_codes = shop().phone_area_codes
    if country in area_codes:
        return f"+1 {rng.choice(area_codes[country])}-555-01{rng.randrange(100):02d}"
    if country == "GB":  # Ofcom's range for drama: 07700 900xxx
        return f"07700 900{rng.randrange(1000):03d}"
    return None


def pick_pool(rng: random.Random, country: dict) -> dict:
    """One of a country's name pools (by weight), with the country's cities unless it has its own."""
    pools = list(country["pools"].values())
    pool = rng.choices(pools, [p.get("weight", 1) for p in pools])[0]
    return {**pool, "cities": pool.get("cities") or country["cities"]}


def buyer_payload(rng: random.Random, cc: str, pool: dict, emails: set[str], ids: MarketplaceIds,
                  habit: str, n_orders: int, wholesale: bool, favourite: str) -> dict:
    """A buyer as API input, plus "_consent" (the consent status to record once its time is known)."""
    tables = shop()
    gender = rng.choice("mf")
    person = _person(rng, pool, gender)
    city = rng.choice(pool["cities"])
    data: dict[str, Any] = {"name": person.name, "country": cc, "city": city[0]}
    if rng.random() > 0.04:  # a few buyers came without an email (marketplaces that hide it)
        data["email"] = _email(rng, person, cc, emails)
    if city[1] and rng.random() > 0.06:
        data["region"] = city[1]
    if city[2] and rng.random() < 0.8:
        data["postal_code"] = city[2]
    if len(city) > 3 and "tz" in city[3]:  # the storefront reported the browser's zone
        data["timezone"] = city[3]["tz"]
    if rng.random() < 0.35 and (phone := _phone(rng, cc)):
        data["phone"] = phone
    market = rng.choices(tables.marketplaces, tables.market_mix[tables.market_style.get(cc, "default")])[0]
    locale = pool.get("locale")
    if market is not None:
        data["marketplace"] = market
        if rng.random() < 0.9:
            local_part = data.get("email", person.given_latin).split("@")[0]
            data["marketplace_buyer_id"] = ids.customer(market, cc, ascii_slug(local_part) or "buyer")
        if locale is None and rng.random() < tables.english_browsers.get(cc, 0):
            locale = "en"
        if locale and market in ("shopify", "woocommerce", "amazon"):
            data["marketplace_locale"], locale = locale, None
    if pool.get("language"):
        data["language"] = pool["language"]
    elif locale and rng.random() < 0.7:
        data["language"] = locale
    tags = []
    if wholesale:
        tags.append("wholesale")
    if n_orders >= 6 or (wholesale and n_orders >= 3):
        tags.append("vip")
    if n_orders >= 2:
        tags.append("repeat")
    if rng.random() < 0.3 and n_orders:
        tags.append(tables.category_tags[favourite])
    if rng.random() < 0.1:
        tags.append("gift-buyer")
    if n_orders and rng.random() < 0.12:
        tags.append("review-left")
    if habit == "prospect" and rng.random() < 0.5:
        tags.append("lead")
    consent = rng.choices(("granted", "unknown", "denied", "withdrawn"),
                          (45, 40, 8, 7) if cc in tables.eea_like else (58, 32, 6, 4))[0]
    if consent == "granted" and rng.random() < 0.6:
        tags.append("newsletter")
    data["tags"] = tags
    if rng.random() < 0.08:
        data["notes"] = rng.choice(tables.notes)
    data["_consent"] = consent
    return data
