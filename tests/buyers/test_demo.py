"""The `crossborder-crm demo` seed: a living panel, deterministic, all in the clock's past."""
from __future__ import annotations

import collections
import json
import re
import shutil
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from crossborder_crm.accounts.models import ApiToken, Seller
from crossborder_crm.accounts.service import check_login, seller_for_token
from crossborder_crm.buyers.demo import database_is_empty, seed_demo
from crossborder_crm.buyers.demo_data import NAMES_FILE, shop
from crossborder_crm.buyers.demo_history import shop_price
from crossborder_crm.buyers.demo_profiles import ascii_slug
from crossborder_crm.buyers.models import Activity, Buyer, BuyerSpend, Order
from crossborder_crm.clock import FixedClock
from crossborder_crm.db import Database
from crossborder_crm.errors import Conflict
from crossborder_crm.money import to_minor

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=timezone.utc)  # the conftest clock's instant
NATIVE_SCRIPTS = {
    "JP": r"[\u3040-\u30ff\u4e00-\u9fff]", "KR": r"[\uac00-\ud7af]", "RU": r"[\u0400-\u04ff]",
    "SA": r"[\u0600-\u06ff]", "IL": r"[\u0590-\u05ff]",
}


def _fresh_db(sqlite_template, folder) -> Database:
    path = folder / "crm.sqlite3"
    shutil.copy(sqlite_template, path)
    return Database(f"sqlite:///{path}")


@pytest.fixture(scope="module")
def seeded(sqlite_template, tmp_path_factory):
    """The full default demo (320 buyers), seeded once for the read-only checks below."""
    db = _fresh_db(sqlite_template, tmp_path_factory.mktemp("demo"))
    result = seed_demo(db, FixedClock(NOW))
    with db.reading() as s:
        buyers = list(s.scalars(select(Buyer).where(Buyer.seller_id == result.seller_id)))
        orders = list(s.scalars(select(Order).where(Order.seller_id == result.seller_id)))
        activities = list(s.scalars(select(Activity).where(Activity.seller_id == result.seller_id)))
    yield db, result, None, buyers, orders, activities
    db.dispose()


def test_seeds_at_least_300_buyers_in_at_least_30_countries(seeded):
    db, result, _, buyers, orders, _ = seeded
    assert result.buyers == len(buyers) == 320
    countries = collections.Counter(b.country for b in buyers)
    assert len(countries) >= 30 and result.countries == len(countries)
    assert countries.most_common(1)[0][0] == "US"  # weighted like a real cross-border shop
    assert countries["US"] > countries["DE"] > countries["NG"]
    assert result.orders == len(orders) > 500


def test_every_buyer_has_a_timezone_and_a_language(seeded):
    _, _, _, buyers, _, _ = seeded
    for b in buyers:
        assert ZoneInfo(b.timezone) and b.timezone_source and b.timezone_explanation
        assert b.language and b.language_source
    us_zones = {b.timezone for b in buyers if b.country == "US"}
    assert {"America/New_York", "America/Chicago", "America/Los_Angeles"} <= us_zones and len(us_zones) >= 5
    assert len({b.timezone for b in buyers if b.country in ("RU", "BR", "AU", "CA", "MX", "ID")}) >= 12
    sources = collections.Counter(b.timezone_source for b in buyers)
    assert {"given", "region", "postal_code", "country"} <= set(sources)  # inference had work to do
    languages = {b.language for b in buyers}
    assert {"ja-JP", "ko-KR", "ru-RU", "pt-BR", "de-DE", "fr-CA", "en"} <= languages
    assert {"given", "marketplace_locale", "country_language"} <= {b.language_source for b in buyers}


def test_names_are_native_and_emails_safe(seeded):
    _, _, _, buyers, _, _ = seeded
    for country, script in NATIVE_SCRIPTS.items():
        assert any(re.search(script, b.name) for b in buyers if b.country == country), country
    assert any(re.search(r"[À-ž]", b.name) for b in buyers if b.country in ("PL", "DE", "FR", "ES", "DK", "SE"))
    emails = [b.email for b in buyers if b.email]
    assert len(emails) > 280 and len(set(emails)) == len(emails)
    for email in emails:
        assert email.isascii() and email.rsplit("@", 1)[1] in ("example.com", "example.net", "example.org")
    assert any(b.phone for b in buyers)
    assert all(b.phone.startswith(("+1", "+447700900")) for b in buyers if b.phone)  # fictional ranges only


def test_profiles_look_lived_in(seeded):
    _, _, _, buyers, _, _ = seeded
    assert {"shopify", "woocommerce", "amazon", "ebay", "aliexpress"} <= {b.marketplace for b in buyers}
    assert sum(1 for b in buyers if b.marketplace_buyer_id) > 200
    tags = collections.Counter(t for b in buyers for t in b.tags)
    assert {"vip", "wholesale", "repeat", "newsletter"} <= set(tags)
    consent = collections.Counter(b.consent_status for b in buyers)
    assert {"granted", "unknown", "denied"} <= set(consent)
    eu = [b for b in buyers if b.country in ("DE", "FR", "ES", "IT", "NL", "AT", "BE")]
    assert sum(b.consent_status in ("granted", "unknown") for b in eu) / len(eu) > 0.7
    assert any(b.postal_code for b in buyers) and any(b.postal_code is None for b in buyers)
    assert any(b.notes for b in buyers)


def test_order_histories_and_stats(seeded):
    db, _, _, buyers, orders, _ = seeded
    counts = collections.Counter(b.order_count for b in buyers)
    assert counts[0] > 0 and counts[1] > 0 and max(counts) <= 8
    assert sum(n for k, n in counts.items() if k >= 2) > 100
    cycles = [float(b.avg_days_between_orders) for b in buyers if b.avg_days_between_orders is not None]
    assert sum(25 <= c <= 70 for c in cycles) > 30  # regular repurchasers every ~30/45/60 days
    assert all(b.next_purchase_at is not None for b in buyers if b.order_count >= 2)
    assert any(b.next_purchase_at > NOW for b in buyers if b.next_purchase_at)  # someone is due soon
    for b in buyers:
        if b.order_count:
            assert b.first_order_at <= b.last_order_at
    currencies = {o.currency for o in orders}
    assert {"USD", "EUR", "GBP", "JPY", "BRL", "AUD", "CAD", "KRW"} <= currencies
    with db.reading() as s:
        spend = s.execute(select(BuyerSpend.currency, func.sum(BuyerSpend.total_minor)).group_by(
            BuyerSpend.currency)).all()
        items = [it for o in s.scalars(select(Order).limit(200)) for it in o.items]
    assert len(spend) >= 15 and all(total > 0 for _, total in spend)
    assert {it.category for it in items} >= {"teaware", "ceramics", "linen", "candles"}
    jpy = [o for o in orders if o.currency == "JPY"]
    assert jpy and all(o.total_minor % 10 == 0 for o in jpy)
    assert {"delivered", "refunded"} <= {o.status for o in orders}


def test_orders_mostly_at_buyer_local_evening(seeded):
    _, _, _, buyers, orders, activities = seeded
    zone = {b.id: ZoneInfo(b.timezone) for b in buyers}
    hours = [o.placed_at.astimezone(zone[o.buyer_id]).hour for o in orders]
    assert sum(18 <= h <= 23 for h in hours) / len(hours) > 0.5
    assert sum(2 <= h <= 5 for h in hours) / len(hours) < 0.03
    kinds = collections.Counter(a.kind for a in activities)
    assert {"order_placed", "email_open", "email_click", "visit", "message_received"} <= set(kinds)
    assert kinds["order_placed"] == len(orders)


def test_all_times_are_in_the_clocks_past(seeded):
    _, _, _, buyers, orders, activities = seeded
    earliest = NOW - timedelta(days=560)
    for o in orders:
        assert earliest < o.placed_at < NOW and o.placed_at <= o.created_at <= NOW
    for a in activities:
        assert earliest < a.occurred_at < NOW and a.created_at <= NOW
    for b in buyers:
        assert b.created_at <= b.updated_at <= NOW
        assert b.consent_at is None or b.consent_at <= NOW
        if b.first_order_at:
            assert b.created_at <= b.first_order_at
    assert max(o.placed_at for o in orders) > NOW - timedelta(days=7)  # recent activity on the panel


def test_the_demo_api_token_is_dated_when_it_was_made_not_with_the_shop_history(seeded):
    db, result, _, _, _, _ = seeded
    with db.reading() as s:
        made = s.scalar(select(ApiToken.created_at).where(ApiToken.seller_id == result.seller_id))
    assert made == NOW


def test_the_demo_shop_has_a_reply_address_so_buyers_can_answer(seeded):
    db, result, _, _, _, _ = seeded
    with db.reading() as s:
        reply_to = s.scalar(select(Seller.reply_to).where(Seller.id == result.seller_id))
    assert reply_to and reply_to.startswith("service@")


def test_demo_credentials_work(seeded):
    db, result, _, _, _, _ = seeded
    assert seller_for_token(db, result.api_token) == result.seller_id
    assert check_login(db, FixedClock(NOW), result.email, result.password).user_id is not None
    with pytest.raises(Conflict):  # seeding twice is refused, not duplicated
        seed_demo(db, FixedClock(NOW), buyers=3)


def _snapshot(db: Database, seller_id: int) -> list:
    with db.reading() as s:
        buyers = [(b.name, b.email, b.country, b.region, b.timezone, b.language, b.tags, b.consent_status,
                   b.marketplace_buyer_id, b.order_count, b.created_at)
                  for b in s.scalars(select(Buyer).where(Buyer.seller_id == seller_id).order_by(Buyer.id))]
        orders = [(o.external_id, o.placed_at, o.currency, o.total_minor, o.status)
                  for o in s.scalars(select(Order).where(Order.seller_id == seller_id).order_by(Order.id))]
        acts = [(a.kind, a.occurred_at) for a in s.scalars(
            select(Activity).where(Activity.seller_id == seller_id).order_by(Activity.id))]
    return [buyers, orders, acts]


def test_same_seed_gives_the_same_data(sqlite_template, tmp_path):
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir(), (tmp_path / "c").mkdir()
    dbs = [_fresh_db(sqlite_template, tmp_path / x) for x in "abc"]
    try:
        first = seed_demo(dbs[0], FixedClock(NOW), seed=3, buyers=40)
        second = seed_demo(dbs[1], FixedClock(NOW), seed=3, buyers=40)
        other = seed_demo(dbs[2], FixedClock(NOW), seed=4, buyers=40)
        a, b = _snapshot(dbs[0], first.seller_id), _snapshot(dbs[1], second.seller_id)
        assert a == b and len(a[0]) == 40
        assert [x[0] for x in a[0]] != [x[0] for x in _snapshot(dbs[2], other.seller_id)[0]]
        assert first.api_token != second.api_token  # secrets are never derived from the seed
        assert len({x[2] for x in a[0]}) >= 25  # even a small demo spans the world
    finally:
        for db in dbs:
            db.dispose()


def test_database_is_empty_before_and_after(sqlite_db, clock):
    assert database_is_empty(sqlite_db)
    result = seed_demo(sqlite_db, clock, buyers=5, seller_name="Tiny Demo", email="tiny@example.com")
    assert not database_is_empty(sqlite_db)
    assert result.buyers == 5 and result.email == "tiny@example.com"


def test_name_data_is_complete():
    data = json.loads(NAMES_FILE.read_text(encoding="utf-8"))["countries"]
    tables = shop()
    assert set(tables.country_weights) == set(data) == set(tables.currency)
    for cc, country in data.items():
        for pool in country["pools"].values():
            assert pool["given_m"] and pool["given_f"] and pool["family"], cc
            for city in pool.get("cities") or country["cities"]:
                if len(city) > 3:
                    ZoneInfo(city[3]["tz"])
    for currency in set(tables.currency.values()) | {"EUR"}:
        for product in tables.catalogue:
            assert to_minor(shop_price(product.usd, currency), currency) > 0


@pytest.mark.parametrize("text,country,expected", [
    ("Łukasz", "PL", "lukasz"), ("Müller", "DE", "mueller"), ("Müller", "US", "muller"),
    ("Søren", "DK", "soren"), ("O'Brien", "IE", "obrien"), ("Yılmaz", "TR", "yilmaz"), ("Zoë", "GB", "zoe"),
    ("van der Merwe", "ZA", "vandermerwe"), ("Weiß", "DE", "weiss"),
])
def test_ascii_slug(text, country, expected):
    assert ascii_slug(text, country) == expected
