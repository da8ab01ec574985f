"""Demo data for `crossborder-crm demo`: one seller with a few hundred lifelike buyers.

A Shenzhen home-goods shop selling abroad: buyers in 38 countries, weighted like a real
cross-border shop, with native-script names where that is natural, regions and postal codes
that give the time-zone inference real work, marketplace identities, tags, a consent mix, and
18 months of orders and activity placed at plausible local hours (mostly evenings) so the
send-time model has something to learn.

Everything is validated like API input: sellers and buyers through the account and buyer
services, orders and activity through the same schemas and service helpers in one transaction per
buyer (see `_record_history`), which keeps 320 buyers at a few seconds on SQLite. All values come
from ``random.Random(seed)`` and ``clock.now()``: the same seed on the same clock gives the same
panel (only the seller's key and API token, which are secrets, differ). Each record is written
"as of" its own moment — a buyer is created shortly before their first order or event, an order
is recorded a few minutes after it was placed — so created/updated times look lived-in too.
"""
from __future__ import annotations

import json
import random
import unicodedata
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

from sqlalchemy import select

from crossborder_crm.accounts.models import Seller
from crossborder_crm.accounts.service import create_seller
from crossborder_crm.buyers import inference
from crossborder_crm.buyers.models import Activity
from crossborder_crm.buyers.schemas import ActivityCreate, OrderCreate
from crossborder_crm.buyers.service import create_buyer, get_buyer_row, order_from_spec, refresh_stats
from crossborder_crm.clock import Clock, FixedClock
from crossborder_crm.db import Database
from crossborder_crm.validation import parse

DATA_FILE = Path(__file__).with_name("data") / "demo_names.json"

SELLER_ADDRESS = ("Lotus & Pine Home Goods Co., Ltd., Unit 1208, 88 Keyuan Road, Nanshan District, "
                  "Shenzhen, Guangdong 518057, China")
HISTORY_DAYS = 540  # ~18 months of orders
EMAIL_DOMAINS = (("example.com", 6), ("example.net", 2), ("example.org", 2))  # reserved (RFC 2606)

# Share of buyers per country: a Chinese cross-border home-goods shop's typical mix.
COUNTRY_WEIGHTS: dict[str, float] = {
    "US": 20, "GB": 7, "DE": 7, "FR": 5, "CA": 4.5, "AU": 4.5, "ES": 3, "IT": 3, "NL": 2.5, "JP": 3,
    "BR": 3, "MX": 2.5, "KR": 2, "PL": 2, "SE": 1.8, "CH": 1.5, "AT": 1.2, "BE": 1.5, "IE": 1, "DK": 1,
    "NO": 1, "PT": 1, "NZ": 1.2, "RU": 2, "TR": 1, "SA": 1.2, "AE": 1.5, "IL": 1.2, "IN": 1.5, "ID": 1,
    "PH": 1, "SG": 1, "HK": 1, "TW": 1, "CL": 1, "AR": 0.8, "ZA": 1, "NG": 0.6,
}

CURRENCY: dict[str, str] = {
    "US": "USD", "GB": "GBP", "DE": "EUR", "FR": "EUR", "ES": "EUR", "IT": "EUR", "NL": "EUR", "AT": "EUR",
    "BE": "EUR", "PT": "EUR", "IE": "EUR", "PL": "PLN", "SE": "SEK", "DK": "DKK", "NO": "NOK", "CH": "CHF",
    "CA": "CAD", "AU": "AUD", "NZ": "NZD", "BR": "BRL", "MX": "MXN", "CL": "CLP", "AR": "USD", "JP": "JPY",
    "KR": "KRW", "HK": "HKD", "TW": "TWD", "RU": "USD", "TR": "USD", "SA": "SAR", "AE": "AED", "IL": "ILS",
    "IN": "INR", "ID": "IDR", "PH": "PHP", "SG": "SGD", "ZA": "ZAR", "NG": "USD",
}
# Countries next to the euro area where some orders are paid in EUR.
SOMETIMES_EUR = frozenset({"CH", "NO", "SE", "DK", "PL"})

# USD -> currency, and how shop prices end in that currency.
FX: dict[str, tuple[str, str]] = {
    "USD": ("1", "99"), "EUR": ("0.92", "99"), "GBP": ("0.79", "99"), "CAD": ("1.36", "99"),
    "AUD": ("1.52", "95"), "NZD": ("1.66", "99"), "CHF": ("0.89", "90"), "SGD": ("1.35", "90"),
    "ZAR": ("18.6", "99"), "AED": ("3.67", "00"), "SAR": ("3.75", "00"), "ILS": ("3.7", "90"),
    "PLN": ("4.0", "99"), "BRL": ("5.1", "90"), "SEK": ("10.6", "9"), "NOK": ("10.7", "9"), "DKK": ("6.9", "5"),
    "MXN": ("17.2", "9"), "HKD": ("7.8", "9"), "INR": ("83", "99h"), "PHP": ("56", "99h"), "TWD": ("32", "99h"),
    "JPY": ("150", "80h"), "KRW": ("1350", "900k"), "CLP": ("950", "990k"), "IDR": ("15800", "000k"),
}

# (sku, title, category, price in USD, consumable: bought again and again)
CATALOGUE: tuple[tuple[str, str, str, str, bool], ...] = (
    ("TEA-CUP-CEL4", "Jingdezhen Celadon Teacup Set (4)", "teaware", "34", False),
    ("TEA-POT-YX300", "Yixing Clay Teapot 300 ml", "teaware", "58", False),
    ("TEA-KET-IRON", "Cast Iron Tetsubin Kettle 1.2 L", "teaware", "89", False),
    ("TEA-TRAY-BAM", "Bamboo Gongfu Tea Tray", "teaware", "42", False),
    ("TEA-INF-GLS", "Glass Tea Infuser Bottle 450 ml", "teaware", "19", False),
    ("TEA-MATCHA-SET", "Matcha Whisk & Bowl Set", "teaware", "36", False),
    ("TEA-OOLONG-100", "Osmanthus Oolong Tea, 100 g tin", "tea", "16", True),
    ("TEA-JASMINE-100", "Jasmine Pearl Green Tea, 100 g tin", "tea", "18", True),
    ("TEA-PUER-357", "Aged Pu-erh Tea Cake 357 g", "tea", "39", True),
    ("CER-MUG-SPK", "Speckled Stoneware Mug 350 ml", "ceramics", "22", False),
    ("CER-BOWL-RAMEN", "Hand-Glazed Ramen Bowl", "ceramics", "28", False),
    ("CER-VASE-TRIO", "Ceramic Bud Vase Trio", "ceramics", "39", False),
    ("CER-PLATE-4", "Matte Stoneware Dinner Plates (Set of 4)", "ceramics", "64", False),
    ("CER-PLATTER", "Crackle Glaze Serving Platter", "ceramics", "46", False),
    ("LIN-CLOTH", "Stonewashed Linen Tablecloth 150×250 cm", "linen", "72", False),
    ("LIN-NAP-4", "Linen Napkins (Set of 4)", "linen", "29", False),
    ("LIN-DUVET-Q", "Linen Duvet Cover, Queen", "linen", "129", False),
    ("LIN-TOWEL-WAF", "Waffle Cotton Bath Towel", "linen", "26", False),
    ("LIN-APRON", "Linen Cross-Back Apron", "linen", "32", False),
    ("CAN-SOY-SANDAL", "Soy Wax Candle – Sandalwood & Cedar", "candles", "24", True),
    ("CAN-OSMANTHUS", "Osmanthus Scented Candle", "candles", "26", True),
    ("CAN-BEES-TAPER", "Beeswax Taper Candles (Pair)", "candles", "14", True),
    ("CAN-DIFF-WTEA", "Reed Diffuser – White Tea 200 ml", "candles", "31", False),
    ("CAN-DIFF-REFILL", "Reed Diffuser Refill 200 ml", "candles", "17", True),
    ("INC-HOLDER-CER", "Ceramic Incense Holder", "candles", "15", False),
    ("INC-STICKS-SAND", "Sandalwood Incense Sticks (40)", "candles", "9", True),
    ("DEC-BASKET-RAT", "Rattan Storage Basket", "decor", "38", False),
    ("DEC-LANTERN", "Paper Lantern Pendant Shade 45 cm", "decor", "44", False),
    ("DEC-MACRAME", "Macramé Wall Hanging", "decor", "33", False),
    ("KIT-TRAY-BAM", "Bamboo Serving Tray", "kitchen", "27", False),
    ("KIT-CHOP-5", "Acacia Wood Chopsticks (5 Pairs)", "kitchen", "12", False),
    ("KIT-STEAMER", "Bamboo Steamer Basket 25 cm", "kitchen", "23", False),
    ("KIT-BOARD-WAL", "Walnut Serving Board", "kitchen", "49", False),
)
CATEGORIES = ("teaware", "tea", "ceramics", "linen", "candles", "decor", "kitchen")

MARKETPLACES = ("shopify", "woocommerce", "amazon", "ebay", "aliexpress", None)
_MARKET_MIX: dict[str, tuple[int, ...]] = {  # weights in MARKETPLACES order; None = added by hand
    "default": (40, 10, 20, 12, 14, 4),
    "aliexpress": (22, 6, 6, 10, 52, 4),  # where AliExpress is the habit
    "amazon": (34, 6, 36, 10, 10, 4),
    "ebay": (34, 10, 16, 28, 8, 4),
}
_MARKET_STYLE = {"RU": "aliexpress", "BR": "aliexpress", "ES": "aliexpress", "PL": "aliexpress",
                 "TR": "aliexpress", "SA": "aliexpress", "IL": "aliexpress", "KR": "aliexpress",
                 "CL": "aliexpress", "MX": "aliexpress", "AR": "aliexpress", "NG": "aliexpress",
                 "US": "amazon", "DE": "amazon", "JP": "amazon", "GB": "amazon", "IN": "amazon",
                 "AU": "ebay", "IT": "ebay"}
# Where a good share of shoppers browse the shop in English rather than the local language.
_ENGLISH_BROWSERS = {"NL": 0.15, "SE": 0.12, "DK": 0.12, "NO": 0.12, "IL": 0.2, "DE": 0.05, "CH": 0.1,
                     "AE": 0.3, "SA": 0.1, "IN": 0.5, "HK": 0.3}
_EEA_LIKE = frozenset({"DE", "FR", "ES", "IT", "NL", "PL", "SE", "DK", "AT", "BE", "PT", "IE", "GB", "CH", "NO"})
# Fictional phone ranges only: North America 555-01xx, UK Ofcom drama numbers 07700 900xxx.
_PHONE_AREA_CODES = {"US": ("212", "415", "312", "512", "206", "303", "617", "404", "305", "713"),
                     "CA": ("416", "604", "514", "403", "613", "902")}

_NOTES = (
    "Prefers tracked shipping.", "Asked for gift wrapping on every order.", "客户要求礼品包装。",
    "Ships to a parcel forwarder — keep the customs value accurate.", "收到的茶杯有一个破损，已补发。",
    "Interested in wholesale pricing for a café.", "No scented samples please (fragrance allergy).",
    "老客户，优先回复。", "Left a lovely review with photos.", "Wants to be told when the celadon set is restocked.",
    "喜欢手工陶瓷，新品上架时通知。", "Reseller — needs invoices with VAT number.",
)
_MESSAGES = (
    "Asked when the order will arrive", "Asked whether the glaze is food-safe", "Asked for a restock date",
    "Reported a chipped cup on arrival", "Asked about bulk pricing", "Asked to change the delivery address",
    "Asked for care instructions for linen", "Thanked us for the handwritten note", "Asked about customs fees",
    "Asked if the teapot works on an induction hob",
)
# Hour weights for the "anything goes" share of events: low at night, a lunch bump, evening peak.
_BACKGROUND_HOURS = (1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 3, 4, 4, 4, 4, 5, 5, 4, 4, 4, 5, 6, 8, 9, 9, 7, 3)


@dataclass(frozen=True)
class DemoResult:
    """What `crossborder-crm demo` prints: how to log in and what was created."""

    seller_id: int
    seller_key: str
    api_token: str
    email: str
    password: str
    buyers: int
    orders: int
    activities: int = 0
    countries: int = 0


def database_is_empty(db: Database) -> bool:
    """True while no seller exists yet (`make run` seeds the demo only then)."""
    with db.reading() as s:
        return s.scalar(select(Seller.id).limit(1)) is None


@cache
def _names() -> dict[str, Any]:
    with DATA_FILE.open(encoding="utf-8") as fh:
        return json.load(fh)["countries"]


# --------------------------------------------------------------------------- names and emails

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
    domain = rng.choices([d for d, _ in EMAIL_DOMAINS], [w for _, w in EMAIL_DOMAINS])[0]
    email, n = f"{local}@{domain}", 2
    while email in used:
        email, n = f"{local}{n}@{domain}", n + 1
    used.add(email)
    return email


def _phone(rng: random.Random, country: str) -> str | None:
    if country in _PHONE_AREA_CODES:
        return f"+1 {rng.choice(_PHONE_AREA_CODES[country])}-555-01{rng.randrange(100):02d}"
    if country == "GB":
        return f"07700 900{rng.randrange(1000):03d}"
    return None


# --------------------------------------------------------------------------- prices


@cache
def _price(usd: str, currency: str) -> str:
    """Shop price of a catalogue item in a currency, with the usual local price endings."""
    rate, style = FX[currency]
    x = Decimal(usd) * Decimal(rate)
    if style.endswith("k"):  # zero-decimal currencies priced in thousands: 38900 KRW, 18990 CLP, 459000 IDR
        thousands = max(int((x / 1000).to_integral_value(ROUND_HALF_UP)), 1)
        return str(thousands * 1000 - (1000 - int(style[:-1])) % 1000)
    if style.endswith("h"):  # priced in hundreds: 2499 INR, 5080 JPY
        hundreds = max(int((x / 100).to_integral_value(ROUND_HALF_UP)), 1)
        return str(hundreds * 100 - (100 - int(style[:-1])) % 100)
    if len(style) == 1:  # whole units ending in 9 or 5: 359 SEK, 235 DKK
        tens = max(int((x / 10).to_integral_value(ROUND_HALF_UP)), 1)
        return f"{tens * 10 - 10 + int(style)}.00"
    whole = int(x.to_integral_value(ROUND_CEILING))  # 24.99, 129.90, 89.00
    return f"{Decimal(whole) - Decimal((100 - int(style)) % 100) / 100:.2f}"


# --------------------------------------------------------------------------- times


def _local_hour(rng: random.Random, peak: int, weekend: bool) -> int:
    r = rng.random()
    if r < 0.62:
        return round(rng.gauss(peak, 1.2)) % 24
    if r < 0.82:
        return rng.randint(10, 17) if weekend else rng.choice((7, 8, 12, 12, 13))
    return rng.choices(range(24), _BACKGROUND_HOURS)[0]


def _local_time(rng: random.Random, now: datetime, tz: ZoneInfo, days_ago: float, peak: int) -> datetime:
    """A moment `days_ago` local days back at an hour this buyer is likely to be awake; always before now."""
    day = now.astimezone(tz).date() - timedelta(days=int(days_ago))
    hour = _local_hour(rng, peak, day.weekday() >= 5)
    local = datetime.combine(day, time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=tz)
    local = local.astimezone(timezone.utc).astimezone(tz)  # settle times in a DST gap
    while local > now - timedelta(minutes=10):
        local = (local - timedelta(days=1)).astimezone(timezone.utc).astimezone(tz)
    return local


def _order_days(rng: random.Random, habit: str, cycle: int) -> list[float]:
    """Days ago of a buyer's orders, oldest first."""
    if habit == "prospect":
        return []
    if habit == "once":
        return [rng.uniform(1, HISTORY_DAYS)]
    if habit == "occasional":
        k = rng.randint(2, 5)
        for _ in range(20):
            days = sorted((rng.uniform(1, HISTORY_DAYS) for _ in range(k)), reverse=True)
            if all(a - b >= 12 for a, b in zip(days, days[1:])):
                return days
        return days[:1]
    days = [rng.uniform(1, cycle * 1.3)]  # regular: last order somewhere in the current cycle
    target = rng.randint(4, 8)
    while len(days) < target:
        back = days[-1] + cycle * rng.uniform(0.85, 1.15)
        if back > HISTORY_DAYS:
            break
        days.append(back)
    return sorted(days, reverse=True)


# --------------------------------------------------------------------------- seeding


def _quotas(total: int) -> dict[str, int]:
    """Buyers per country: proportional to COUNTRY_WEIGHTS (largest remainder), every country present
    when there are enough buyers."""
    countries = list(COUNTRY_WEIGHTS)
    floor_each = 2 if total >= 3 * len(countries) else 1 if total >= len(countries) else 0
    rest = total - floor_each * len(countries)
    weight_sum = sum(COUNTRY_WEIGHTS.values())
    shares = {cc: rest * COUNTRY_WEIGHTS[cc] / weight_sum for cc in countries}
    quotas = {cc: floor_each + int(shares[cc]) for cc in countries}
    left = total - sum(quotas.values())
    for cc in sorted(countries, key=lambda c: (-(shares[c] - int(shares[c])), -COUNTRY_WEIGHTS[c], c))[:left]:
        quotas[cc] += 1
    return {cc: n for cc, n in quotas.items() if n}


class _Ids:
    """Marketplace order and customer ids, unique per marketplace, in each platform's shape."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.seen: set[tuple[str, str]] = set()
        self.counter = {"woocommerce": 4100, "manual": 0}

    def _unique(self, market: str, make) -> str:
        while True:
            value = make()
            if (market, value) not in self.seen:
                self.seen.add((market, value))
                return value

    def order(self, market: str) -> str:
        r = self.rng
        if market in self.counter:
            self.counter[market] += 1
            n = self.counter[market]
            return f"M-{n:05d}" if market == "manual" else str(n)
        make = {
            "shopify": lambda: str(r.randrange(5_400_000_000_000, 6_200_000_000_000)),
            "amazon": lambda: f"{r.choice((111, 112, 113, 114))}-{r.randrange(10**7):07d}-{r.randrange(10**7):07d}",
            "ebay": lambda: f"{r.randrange(10, 28)}-{r.randrange(10**5):05d}-{r.randrange(10**5):05d}",
            "aliexpress": lambda: str(r.randrange(8_100_000_000_000_000, 8_200_000_000_000_000)),
        }[market]
        return self._unique("order:" + market, make)

    def customer(self, market: str, country: str, email_local: str) -> str:
        r = self.rng

        def letters(alphabet: str, n: int) -> str:
            return "".join(r.choice(alphabet) for _ in range(n))

        make = {
            "shopify": lambda: str(r.randrange(6_000_000_000_000, 8_000_000_000_000)),
            "woocommerce": lambda: str(r.randrange(200, 9000)),
            "amazon": lambda: "A" + letters("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", 13),
            "ebay": lambda: f"{email_local.replace('.', '_')[:20]}_{r.randrange(10, 999)}",
            "aliexpress": lambda: f"{country.lower()}{r.randrange(10**9, 10**10)}{letters('abcdefghjkmnpqrstuvwxyz', 3)}",
        }[market]
        return self._unique("customer:" + market, make)


def _pick_pool(rng: random.Random, country: dict) -> dict:
    pools = list(country["pools"].values())
    pool = rng.choices(pools, [p.get("weight", 1) for p in pools])[0]
    return {**pool, "cities": pool.get("cities") or country["cities"]}


def _buyer_payload(rng: random.Random, cc: str, pool: dict, emails: set[str], ids: _Ids,
                   habit: str, n_orders: int, wholesale: bool, favourite: str) -> dict:
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
    market = rng.choices(MARKETPLACES, _MARKET_MIX[_MARKET_STYLE.get(cc, "default")])[0]
    locale = pool.get("locale")
    if market is not None:
        data["marketplace"] = market
        if rng.random() < 0.9:
            local_part = data.get("email", person.given_latin).split("@")[0]
            data["marketplace_buyer_id"] = ids.customer(market, cc, ascii_slug(local_part) or "buyer")
        if locale is None and rng.random() < _ENGLISH_BROWSERS.get(cc, 0):
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
        tags.append({"teaware": "tea-lover", "tea": "tea-lover", "ceramics": "ceramics-collector",
                     "candles": "candles", "linen": "linen", "decor": "decor", "kitchen": "kitchen"}[favourite])
    if rng.random() < 0.1:
        tags.append("gift-buyer")
    if n_orders and rng.random() < 0.12:
        tags.append("review-left")
    if habit == "prospect" and rng.random() < 0.5:
        tags.append("lead")
    consent = rng.choices(("granted", "unknown", "denied", "withdrawn"),
                          (45, 40, 8, 7) if cc in _EEA_LIKE else (58, 32, 6, 4))[0]
    if consent == "granted" and rng.random() < 0.6:
        tags.append("newsletter")
    data["tags"] = tags
    if rng.random() < 0.08:
        data["notes"] = rng.choice(_NOTES)
    data["_consent"] = consent
    return data


DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"


def seed_demo(db: Database, clock: Clock, *, seed: int = 7, buyers: int = 320,
              seller_name: str = "Lotus & Pine Home Goods", email: str = DEMO_EMAIL,
              password: str = DEMO_PASSWORD, progress: Callable[[int], None] | None = None) -> DemoResult:
    """Create the demo seller and `buyers` buyers with orders and activity; deterministic per seed.

    Raises Conflict if a user with `email` already exists (seed only an empty database; see
    `database_is_empty`).
    """
    if buyers < 1:
        raise ValueError("buyers must be at least 1")
    rng = random.Random(seed)
    now = clock.now()
    seller = create_seller(db, FixedClock(now - timedelta(days=HISTORY_DAYS + 30)), seller_name, email, password,
                           default_language="en", timezone="Asia/Shanghai", postal_address=SELLER_ADDRESS)
    names = _names()
    countries = [cc for cc, n in _quotas(buyers).items() for _ in range(n)]
    rng.shuffle(countries)
    emails: set[str] = set()
    ids = _Ids(rng)
    n_orders = n_activities = 0
    for cc in countries:
        n = _seed_buyer(db, rng, now, seller.seller_id, cc, _pick_pool(rng, names[cc]), emails, ids)
        n_orders += n[0]
        n_activities += n[1]
        if progress is not None:
            progress(1)
    return DemoResult(seller.seller_id, seller.seller_key, seller.api_token, seller.user_email, password,
                      len(countries), n_orders, n_activities, len(set(countries)))


def _seed_buyer(db: Database, rng: random.Random, now: datetime, seller_id: int, cc: str, pool: dict,
                emails: set[str], ids: _Ids) -> tuple[int, int]:
    habit = rng.choices(("prospect", "once", "occasional", "regular"), (13, 30, 35, 22))[0]
    wholesale = habit in ("occasional", "regular") and rng.random() < 0.06
    cycle = rng.choice((60, 75, 90)) if wholesale else rng.choice((30, 45, 60))
    days = _order_days(rng, habit, cycle)
    favourite = rng.choice(CATEGORIES)
    data = _buyer_payload(rng, cc, pool, emails, ids, habit, len(days), wholesale, favourite)
    consent = data.pop("_consent")
    # The zone the service will infer (the same function), so local hours are right from the start.
    tz = ZoneInfo(inference.infer_timezone(cc, data.get("region"), data.get("postal_code"), data.get("city"),
                                           given=data.get("timezone")).value)
    peak = rng.choices((20, 21, 19, 22, 23, 13, 8), (26, 22, 16, 12, 8, 9, 7))[0]
    staple = None
    if habit == "regular":
        staples = [p for p in CATALOGUE if p[4] and p[2] == favourite] or [p for p in CATALOGUE if p[4]]
        staple = rng.choice(staples)
    orders = [_order(rng, now, tz, d, peak, cc, data.get("marketplace"), ids, favourite, wholesale, staple)
              for d in days]
    activities = _activities(rng, now, tz, peak, habit, data.get("marketplace"), [at for at, _ in orders])
    moments = [at for at, _ in orders] + [at for at, _ in activities]
    first_order = min((at for at, _ in orders), default=None)
    if first_order is not None and min(moments) == first_order:
        created = first_order - timedelta(minutes=rng.randint(1, 20))  # signed up at checkout
    else:
        first = min(moments) if moments else _local_time(rng, now, tz, rng.uniform(1, 200), peak)
        created = first - timedelta(minutes=rng.randint(3, 4 * 24 * 60))
    created = min(created, now - timedelta(minutes=30))
    if consent != "unknown":
        at = (created + timedelta(minutes=rng.randint(0, 20)) if consent == "granted"
              else created + (now - created) * rng.uniform(0.1, 0.95))
        source = ("checkout" if data.get("marketplace") in ("shopify", "woocommerce") and consent == "granted"
                  else rng.choice(("form", "import", "email")))
        data["consent"] = {"status": consent, "source": source, "at": at.astimezone(tz).isoformat()}
    buyer = create_buyer(db, FixedClock(created), seller_id, data)
    _record_history(db, seller_id, buyer.id,
                    [(o, min(now, at + timedelta(minutes=rng.randint(1, 25)))) for at, o in orders],
                    [(a, min(now, at + timedelta(seconds=rng.randint(5, 300)))) for at, a in activities])
    return len(orders), len(activities)


def _record_history(db: Database, seller_id: int, buyer_id: int, orders: list[tuple[dict, datetime]],
                    activities: list[tuple[dict, datetime]]) -> None:
    """`service.add_order` and `service.add_activity` for one buyer's whole history in one transaction.

    Same validation (OrderCreate / ActivityCreate via `parse`, prices via `order_from_spec`) and the
    same rows: each order, its "order_placed" activity, the refreshed buyer statistics. One call per
    order or event would be ~3,800 transactions, each reloading the buyer: too slow for `make run`.
    Each item carries the moment it was recorded (its created_at). If add_order grows side effects,
    mirror them here (or give the service a bulk variant and call that).
    """
    order_specs = [(parse(OrderCreate, data, "order"), recorded) for data, recorded in orders]
    act_specs = [(parse(ActivityCreate, data, "activity"), recorded) for data, recorded in activities]
    with db.transaction() as s:
        buyer = get_buyer_row(s, seller_id, buyer_id)
        for spec, recorded in order_specs:
            order = order_from_spec(spec, seller_id, buyer_id, recorded)
            s.add(order)
            s.add(Activity(seller_id=seller_id, buyer_id=buyer_id, kind="order_placed", occurred_at=spec.placed_at,
                           source=order.marketplace, detail=f"order {order.external_id}", created_at=recorded))
        s.add_all(Activity(seller_id=seller_id, buyer_id=buyer_id, kind=spec.kind, occurred_at=spec.occurred_at,
                           source=spec.source, detail=spec.detail, created_at=recorded) for spec, recorded in act_specs)
        s.flush()
        if order_specs:
            refresh_stats(s, buyer)
            buyer.updated_at = max(recorded for _, recorded in order_specs)


def _order(rng: random.Random, now: datetime, tz: ZoneInfo, days_ago: float, peak: int, cc: str,
           market: str | None, ids: _Ids, favourite: str, wholesale: bool,
           staple: tuple | None) -> tuple[datetime, dict]:
    placed = _local_time(rng, now, tz, days_ago, peak)
    currency = CURRENCY[cc]
    if cc in SOMETIMES_EUR and rng.random() < 0.15:
        currency = "EUR"
    market = market or "manual"
    if market in ("amazon", "ebay", "aliexpress") and rng.random() < 0.08:
        market = "shopify"  # came back to the shop directly
    favourites = [p for p in CATALOGUE if p[2] == favourite]
    picks = []
    if staple is not None and rng.random() < 0.75:  # regulars come back for something that runs out
        picks.append(staple)
    while not picks or (len(picks) < 4 and rng.random() < 0.35):
        product = rng.choice(favourites if rng.random() < 0.5 else CATALOGUE)
        if product not in picks:
            picks.append(product)
    items = []
    for sku, title, category, usd, _ in picks:
        qty = rng.choice((6, 12, 12, 24, 36)) if wholesale else rng.choices((1, 2, 3, 4), (80, 14, 4, 2))[0]
        items.append({"sku": sku, "title": title, "category": category, "quantity": qty,
                      "unit_price": _price(usd, currency)})
    age = (now - placed).total_seconds() / 86400
    if age < 2:
        status = "paid"
    elif age < 10:
        status = "shipped"
    else:
        status = rng.choices(("delivered", "refunded", "cancelled"), (95, 3, 2))[0]
    return placed, {"marketplace": market, "external_id": ids.order(market), "placed_at": placed.isoformat(),
                    "currency": currency, "status": status, "items": items}


def _activities(rng: random.Random, now: datetime, tz: ZoneInfo, peak: int, habit: str, market: str | None,
                order_times: list[datetime]) -> list[tuple[datetime, dict]]:
    """Opens, clicks, visits and messages: more of them recently, at the buyer's usual hours."""
    out: list[tuple[datetime, dict]] = []
    shop = market if market in ("shopify", "woocommerce") else "storefront"

    def add(kind: str, days_ago: float, detail: str | None = None) -> None:
        at = _local_time(rng, now, tz, days_ago, peak)
        source = {"visit": shop, "message_received": market or "email"}.get(kind, "email")
        out.append((at, {"kind": kind, "occurred_at": at.isoformat(), "source": source,
                         **({"detail": detail} if detail else {})}))

    for placed in order_times:  # browsing before a purchase, a question after some
        ago = (now - placed).total_seconds() / 86400
        if rng.random() < 0.5:
            add("visit", ago + rng.uniform(0.5, 4), "viewed product pages")
        if rng.random() < 0.12 and ago > 3:
            add("message_received", max(ago - rng.uniform(2, 12), 0.2), rng.choice(_MESSAGES))
    if rng.random() < 0.1:
        return out
    count = rng.randint(2, 8) if habit == "prospect" else rng.randint(2, 14)
    for _ in range(count):
        ago = min(rng.expovariate(1 / 45), 240)
        kind = rng.choices(("email_open", "email_click", "visit", "message_received"), (50, 16, 26, 8))[0]
        detail = {"email_open": "newsletter", "email_click": rng.choice(("new arrivals", "restock", "sale")),
                  "visit": None, "message_received": rng.choice(_MESSAGES)}[kind]
        add(kind, ago, detail)
    return out
