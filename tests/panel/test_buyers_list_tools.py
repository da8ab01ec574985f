"""The buyers list's tools: accent-insensitive search, result count and total, add a buyer, import
a file with its row-error report, export; the profile's purchase count; the edit form's choices."""
from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from crossborder_crm.accounts.service import create_seller
from crossborder_crm.buyers import orders
from crossborder_crm.buyers import service as buyers
from crossborder_crm.clock import FixedClock
from crossborder_crm.db import Database
from crossborder_crm.migrate import downgrade, upgrade
from tests.conftest import T0
from tests.panel.html import Page


def _names(page: Page) -> list[str]:
    return [row[0] for row in page.rows("buyers-table")]


def test_search_ignores_accents_and_case(panel_a, services, seller_a, shop_a):
    buyers.create_buyer(services.db, services.clock, seller_a.seller_id, {"name": "Hanna Müller", "country": "DE"})
    assert [n.split(" ")[:2] for n in _names(Page(panel_a.get("/buyers?q=muller").data))] == [["Hanna", "Müller"]]
    assert len(_names(Page(panel_a.get("/buyers?q=LUCIA").data))) == 1  # Lucía


def test_search_of_accented_text_finds_plain_text_too(panel_a, shop_a):
    assert len(_names(Page(panel_a.get("/buyers?q=Jéan").data))) == 1


def test_list_says_how_many_match_and_how_many_there_are(panel_a, shop_a):
    assert Page(panel_a.get("/buyers").data).text("result-count") == "3 buyers"
    assert Page(panel_a.get("/buyers?country=ES").data).text("result-count") == "1 buyer matches · 3 in total"


def test_add_a_buyer_infers_time_zone_and_language(panel_a, services, seller_a):
    r = panel_a.post("/buyers/new", data={"name": "Ana Souza", "country": "BR", "region": "SP",
                                          "email": "ana@example.br", "consent_status": "unknown"})
    assert r.status_code == 302
    page = Page(panel_a.get(r.headers["Location"]).data)
    assert "Ana Souza" in page.text("buyer-name")
    assert page.text("timezone").startswith("America/Sao_Paulo")


def test_add_a_buyer_without_a_country_is_refused_next_to_the_field(panel_a, services, seller_a):
    r = panel_a.post("/buyers/new", data={"name": "Nobody", "country": "", "consent_status": "unknown"})
    assert r.status_code == 422
    assert Page(r.data).attr("f-country", "aria-invalid") == "true"
    assert "Nobody" not in panel_a.get("/buyers").get_data(as_text=True)


def test_import_csv_reports_row_errors_and_imports_the_valid_rows(panel_a):
    data = "name,email,country\nZoë Quinn,zoe@example.ie,IE\nBad Row,bad@example.com,XX\n".encode()
    r = panel_a.post("/buyers/import", data={"file": (io.BytesIO(data), "buyers.csv")},
                     content_type="multipart/form-data")
    assert r.status_code == 200
    page = Page(r.data)
    assert page.text("report-created") == "1" and page.text("report-skipped") == "1"
    [row] = page.rows("import-errors")
    assert row[0] == "3" and row[1] == "country"
    assert len(_names(Page(panel_a.get("/buyers?q=zoe").data))) == 1  # folded after a bulk import


def test_import_check_only_writes_nothing(panel_a):
    data = b"name,email,country\nZed,zed@example.ie,IE\n"
    r = panel_a.post("/buyers/import", data={"file": (io.BytesIO(data), "b.csv"), "dry_run": "1"},
                     content_type="multipart/form-data")
    assert "nothing was written" in Page(r.data).text("import-report")
    assert _names(Page(panel_a.get("/buyers?q=zed").data)) == []


def test_import_without_a_file_says_so(panel_a):
    r = panel_a.post("/buyers/import", data={}, content_type="multipart/form-data")
    assert r.status_code == 422 and "Choose a CSV" in Page(r.data).text("e-file")


def test_export_gives_the_filtered_buyers_as_csv(panel_a, shop_a):
    r = panel_a.get("/buyers/export.csv?country=FR")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert [row["name"] for row in rows] == ["Jean Dupont"]


def test_list_links_to_add_import_and_export_with_the_filters(panel_a, shop_a):
    page = Page(panel_a.get("/buyers?country=ES").data)
    assert page.attr("add-buyer", "href") == "/buyers/new"
    assert page.attr("import-buyers", "href") == "/buyers/import"
    assert page.attr("export-buyers", "href") == "/buyers/export.csv?country=ES"


def test_profile_says_refunded_orders_are_not_counted(panel_a, services, seller_a, shop_a):
    jean, sid = shop_a["jean"], seller_a.seller_id
    for n, status in enumerate(["paid", "paid", "refunded"]):
        orders.add_order(services.db, services.clock, sid, jean.id, {
            "marketplace": "shopify", "currency": "EUR", "status": status, "external_id": f"J{n}",
            "placed_at": f"2026-01-0{n + 1}T10:00:00Z", "items": [{"title": "Scarf", "unit_price": "10.00"}]})
    page = Page(panel_a.get(f"/buyers/{jean.id}").data)
    assert page.text("orders-count") == "3"
    assert page.text("stat-purchases") == "Purchases 2 1 cancelled or refunded order is not counted"


def test_edit_form_offers_time_zones_with_their_offset(panel_a, shop_a):
    page = Page(panel_a.get(f"/buyers/{shop_a['lucia'].id}/edit").data)
    labels = {o.attrs.get("value"): o.text() for o in page.find("f-timezone").iter() if o.tag == "option"}
    assert labels["Asia/Tokyo"] == "Asia/Tokyo (UTC+09:00)"
    assert labels["America/New_York"] == "America/New York (UTC-04:00)"  # summer time from 8 March 2026
    assert page.attr("f-timezone-filter", "data-filter") == "f-timezone"


def test_edit_form_sorts_countries_ignoring_accents(panel_a, shop_a):
    page = Page(panel_a.get(f"/buyers/{shop_a['lucia'].id}/edit").data)
    codes = [o.attrs["value"] for o in page.find("f-country").iter() if o.tag == "option"]
    assert codes.index("AF") < codes.index("AX") < codes.index("AL")  # Afghanistan, Åland, Albania
    assert codes.index("QA") < codes.index("RE") < codes.index("RO")  # Qatar, Réunion, Romania
    assert codes.index("TR") < codes.index("TM")  # Türkiye, Turkmenistan


def test_countries_show_a_code_badge_not_an_emoji_flag(panel_a, shop_a):
    html = panel_a.get("/buyers").get_data(as_text=True)
    assert '<abbr class="cc" title="Spain">ES</abbr>' in html
    assert "\U0001F1EA\U0001F1F8" not in html


def test_migration_fills_the_search_text_of_existing_buyers(tmp_path):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    db = Database(url)
    clock = FixedClock(T0)
    seller = create_seller(db, clock, "S", "o@x.example", "correct horse 1")
    buyers.create_buyer(db, clock, seller.seller_id, {"name": "Hanna Müller", "country": "DE"})
    downgrade(url, "0005_translations")
    upgrade(url)
    with sa.create_engine(url).connect() as conn:
        assert conn.execute(sa.text("select search_text from buyers")).scalar() == "hanna muller"
