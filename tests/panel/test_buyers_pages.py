"""Dashboard, buyer list (search, filters, sort, pages), buyer profile and the edit form."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from crossborder_crm.buyers import service as buyers
from tests.panel.html import Page


# --------------------------------------------------------------------------- dashboard

def test_dashboard_counts_and_top_countries(panel_a, shop_a):
    page = Page(panel_a.get("/").data)
    assert page.text("stat-buyers").endswith("3")
    assert page.text("stat-countries").endswith("3")
    assert page.text("stat-with-orders").endswith("1")
    assert page.text("stat-consent").endswith("1")
    countries = page.rows("top-countries")
    assert [row[0] for row in countries] == ["ES Spain", "FR France", "US United States"]
    assert [row[1] for row in countries] == ["1", "1", "1"]
    assert "Lucía García" in page.text("recent-buyers")


def test_empty_dashboard_explains_where_buyers_come_from(panel_a):
    page = Page(panel_a.get("/").data)
    assert page.text("stat-buyers").endswith("0")
    assert "No buyers yet" in page.text()


# --------------------------------------------------------------------------- list

def test_list_shows_each_buyer_with_flag_local_time_language_orders(panel_a, shop_a):
    page = Page(panel_a.get("/buyers").data)
    rows = {row[0].split(" ")[0]: row for row in page.rows("buyers-table")}
    assert list(rows) == ["Jean", "Lucía", "Maria"]  # by name
    lucia = rows["Lucía"]
    assert lucia[1] == "ES"
    assert lucia[2] == "Tue 03:00 Europe/Madrid"  # 02:00 UTC on 10 March 2026
    assert lucia[3] == "es-ES" and lucia[4] == "3" and lucia[5] == "€109.00 ¥1,500"
    assert lucia[6] == "Feb 20, 2026" and lucia[7] == "Granted"
    assert "vip" in lucia[0] and "lucia@example.es" in lucia[0]
    assert rows["Maria"][6] == "—" and rows["Maria"][5] == "—" and rows["Maria"][4] == "0"


@pytest.mark.parametrize("query,expected", [
    ("q=lucia", ["Lucía"]),
    ("q=EXAMPLE.FR", ["Jean"]),
    ("country=es", ["Lucía"]),
    ("language=fr", ["Jean"]),
    ("tag=VIP", ["Lucía"]),
    ("consent=granted", ["Lucía"]),
    ("consent=unknown", ["Jean", "Maria"]),
    ("has_orders=true", ["Lucía"]),
    ("has_orders=false", ["Jean", "Maria"]),
    ("sort=-name", ["Maria", "Lucía", "Jean"]),
    ("sort=-order_count", ["Lucía", "Maria", "Jean"]),
    ("q=nobody", []),
])
def test_search_filters_and_sort(panel_a, shop_a, query, expected):
    r = panel_a.get(f"/buyers?{query}")
    assert r.status_code == 200
    page = Page(r.data)
    assert [row[0].split(" ")[0] for row in page.rows("buyers-table")] == expected
    if not expected:
        assert "No buyers match" in page.text()


def test_filters_are_kept_in_the_form(panel_a, shop_a):
    page = Page(panel_a.get("/buyers?q=lu&country=ES&has_orders=true&sort=-name").data)
    assert page.attr("q", "value") == "lu"
    selected = {opt.parent.attrs["id"]: opt.attrs["value"] for opt in page.all("option")
                if "selected" in opt.attrs}
    assert selected == {"country": "ES", "has_orders": "true", "sort": "-name"}


@pytest.mark.parametrize("query,field", [("country=XX", "country"), ("consent=maybe", "consent"),
                                         ("has_orders=perhaps", "has_orders"),
                                         ("sort=password", "sort"), ("language=!!", "language")])
def test_a_bad_filter_is_shown_next_to_it(panel_a, shop_a, query, field):
    r = panel_a.get(f"/buyers?{query}")
    assert r.status_code == 422
    page = Page(r.data)
    assert page.text(f"e-{field}")
    assert page.attr(field, "aria-invalid") == "true"
    assert page.rows("buyers-table") == [] and "Check the filters" in page.text()


def test_a_forged_cursor_is_an_error_not_a_crash(panel_a, shop_a):
    r = panel_a.get("/buyers?cursor=bm9wZQ")
    assert r.status_code == 422
    assert "not a cursor" in Page(r.data).text()


def _go(client, href):
    return Page(client.get(href).data)


def test_pages_forward_and_back(panel_a, services, seller_a):
    for i in range(5):
        buyers.create_buyer(services.db, services.clock, seller_a.seller_id,
                            {"name": f"Buyer {i}", "country": "DE"})
    first = _go(panel_a, "/buyers?limit=2&country=DE")
    assert [r[0] for r in first.rows("buyers-table")] == ["Buyer 0", "Buyer 1"]
    assert first.find("page-prev") is None
    second = _go(panel_a, first.attr("page-next", "href"))
    assert [r[0] for r in second.rows("buyers-table")] == ["Buyer 2", "Buyer 3"]
    assert "Page 2" in second.text()
    third = _go(panel_a, second.attr("page-next", "href"))
    assert [r[0] for r in third.rows("buyers-table")] == ["Buyer 4"]
    assert third.find("page-next") is None
    # Filters survive paging.
    assert parse_qs(urlsplit(third.attr("page-prev", "href")).query)["country"] == ["DE"]
    back = _go(panel_a, third.attr("page-prev", "href"))
    assert [r[0] for r in back.rows("buyers-table")] == ["Buyer 2", "Buyer 3"]
    start = _go(panel_a, back.attr("page-prev", "href"))
    assert [r[0] for r in start.rows("buyers-table")] == ["Buyer 0", "Buyer 1"]
    assert start.find("page-prev") is None
    assert _go(panel_a, third.attr("page-first", "href")).rows("buyers-table")[0][0] == "Buyer 0"


def test_no_buyers_at_all_shows_an_empty_state(panel_a):
    page = Page(panel_a.get("/buyers").data)
    assert page.find("buyers-table") is None and "No buyers yet" in page.text()


# --------------------------------------------------------------------------- profile

def test_profile_says_where_inferred_values_came_from(panel_a, shop_a):
    jean = Page(panel_a.get(f"/buyers/{shop_a['jean'].id}").data)
    assert jean.text("timezone") == "Europe/Paris — inferred from country France"
    assert jean.text("language").startswith("fr-FR (French (France)) — main official language of France")
    lucia = Page(panel_a.get(f"/buyers/{shop_a['lucia'].id}").data)
    tz = lucia.text("timezone")
    assert tz.startswith("Europe/Madrid — the most populous time zone of Spain") and tz.endswith("low confidence")
    maria = Page(panel_a.get(f"/buyers/{shop_a['maria'].id}").data)
    assert maria.text("language").startswith("en (English) — given on the buyer profile")


def test_profile_shows_local_time_stats_orders_and_activity(panel_a, shop_a):
    page = Page(panel_a.get(f"/buyers/{shop_a['lucia'].id}").data)
    assert page.text("local-time") == "Local time now Tue 03:00 Europe/Madrid UTC+01:00 low confidence"
    stats = page.text("buyer-stats")
    assert "Purchases 3" in stats
    assert "€109.00 2 orders" in stats and "¥1,500 1 order" in stats
    assert "Average days between orders 22.76" in stats
    assert "Predicted next purchase Mar 15, 2026 (in 5 days)" in stats
    orders = page.rows("orders")
    assert orders[0][0] == "Feb 20, 2026, 09:00" and orders[0][3] == "¥1,500"
    assert orders[2][2] == "2 × Silk scarf SC-1 @ €24.50" and orders[2][3] == "€49.00"
    assert orders[2][4] == "Paid"
    activity = page.text("activity")
    assert activity.index("Email opened") < activity.index("Order placed")
    assert "Mar 1, 2026, 21:15" in activity


def test_profile_in_chinese_formats_for_the_panel_locale(panel_a, shop_a):
    panel_a.post("/settings/language", data={"locale": "zh_CN"})
    page = Page(panel_a.get(f"/buyers/{shop_a['lucia'].id}").data)
    assert "当地时间 周二 03:00" in page.text("local-time")
    assert "可信度低" in page.text("local-time")
    stats = page.text("buyer-stats")
    assert "€109.00 2 笔订单" in stats and "JP¥1,500 1 笔订单" in stats
    assert "2026年3月15日" in stats
    assert "西班牙人口最多的时区" in page.text("timezone").replace(" ", "") \
        or "ES 人口最多的时区" in page.text("timezone")
    assert page.rows("orders")[2][4] == "已付款"


def test_unknown_buyer_is_a_404_page(panel_a):
    r = panel_a.get("/buyers/987654")
    assert r.status_code == 404
    assert "This page does not exist" in Page(r.data).text()


# --------------------------------------------------------------------------- edit

def _form(panel, buyer_id) -> dict:
    page = Page(panel.get(f"/buyers/{buyer_id}/edit").data)
    data = {n.attrs["name"]: n.attrs.get("value", "") for n in page.all("input") if n.attrs.get("name")}
    data["notes"] = page.find("f-notes").text()
    for select in page.all("select"):
        chosen = [o for o in select.iter() if o.tag == "option" and "selected" in o.attrs]
        data[select.attrs["name"]] = chosen[0].attrs["value"] if chosen else ""
    return data


def test_edit_form_shows_the_profile_and_leaves_inferred_values_empty(panel_a, shop_a):
    page = Page(panel_a.get(f"/buyers/{shop_a['lucia'].id}/edit").data)
    assert page.attr("f-name", "value") == "Lucía García"
    assert page.attr("f-tags", "value") == "vip, repeat"
    zone = page.find("f-timezone")
    assert zone.tag == "select" and not [o for o in zone.iter() if o.tag == "option" and "selected" in o.attrs]
    assert [o for o in zone.iter() if o.tag == "option"][0].text() == "Infer from the address (now Europe/Madrid)"
    assert page.attr("f-language", "placeholder") == "Inferred: es-ES"
    form = _form(panel_a, shop_a["maria"].id)
    assert form["language"] == "en" and form["country"] == "US" and form["consent_status"] == "unknown"


def test_changing_the_region_re_infers_the_timezone(panel_a, services, seller_a, shop_a):
    maria = shop_a["maria"]
    form = _form(panel_a, maria.id)
    form.update(region="California", city="San Diego", phone="+1 415 555 2671", notes="Prefers email")
    r = panel_a.post(f"/buyers/{maria.id}/edit", data=form)
    assert r.status_code == 302 and r.headers["Location"] == f"/buyers/{maria.id}"
    page = Page(panel_a.get(r.headers["Location"]).data)
    assert "Buyer saved." in page.text()
    assert page.text("timezone").startswith("America/Los_Angeles — inferred from region California")
    assert "Mon 19:00" in page.text("local-time")
    stored = buyers.get_buyer(services.db, seller_a.seller_id, maria.id)
    assert (stored.region, stored.city, stored.phone, stored.notes) == (
        "California", "San Diego", "+14155552671", "Prefers email")
    assert stored.language == "en" and stored.language_source == "given"


def test_a_given_timezone_is_kept_until_cleared(panel_a, services, seller_a, shop_a):
    jean = shop_a["jean"]
    form = _form(panel_a, jean.id)
    form["timezone"] = "america/martinique"
    panel_a.post(f"/buyers/{jean.id}/edit", data=form)
    stored = buyers.get_buyer(services.db, seller_a.seller_id, jean.id)
    assert (stored.timezone, stored.timezone_source) == ("America/Martinique", "given")
    form = _form(panel_a, jean.id)
    assert form["timezone"] == "America/Martinique"
    form["timezone"] = ""
    panel_a.post(f"/buyers/{jean.id}/edit", data=form)
    stored = buyers.get_buyer(services.db, seller_a.seller_id, jean.id)
    assert (stored.timezone, stored.timezone_source) == ("Europe/Paris", "country")


@pytest.mark.parametrize("field,value,status,message", [
    ("email", "not-an-email", 422, "An email address must have an @-sign."),
    ("email", "jean@example.fr", 409, "already used by buyer"),
    ("timezone", "Mars/Olympus", 422, "unknown time zone 'Mars/Olympus'"),
    ("language", "xx-!!", 422, "is not a locale Babel knows"),
    ("phone", "12", 422, "is not a possible number"),
    ("name", "", 422, "is required"),
    ("country", "XX", 422, "unknown country code 'XX'"),
    ("tags", "ok, " + "x" * 70, 422, "at most 64 characters"),
    ("consent_status", "maybe", 422, "must be one of"),
])
def test_a_bad_field_is_reported_next_to_it_and_nothing_changes(panel_a, services, seller_a, shop_a,
                                                                field, value, status, message):
    lucia = shop_a["lucia"]
    before = buyers.get_buyer(services.db, seller_a.seller_id, lucia.id)
    form = _form(panel_a, lucia.id)
    form.update({field: value, "city": "Sevilla"})
    r = panel_a.post(f"/buyers/{lucia.id}/edit", data=form)
    assert r.status_code == status
    page = Page(r.data)
    assert message in page.text(f"e-{field}")
    assert page.attr(f"f-{field}", "aria-invalid") == "true"
    assert "The buyer was not saved" in page.text("form-errors")
    # What was typed is shown again, so nothing is lost.
    if field == "timezone":
        assert [o.attrs["value"] for o in page.find("f-timezone").iter() if "selected" in o.attrs] == [value]
    elif field not in ("country", "consent_status"):
        assert page.attr(f"f-{field}", "value") == value
    assert page.attr("f-city", "value") == "Sevilla"
    after = buyers.get_buyer(services.db, seller_a.seller_id, lucia.id)
    assert (after.city, after.email, after.updated_at) == (before.city, before.email, before.updated_at)


def test_consent_is_only_recorded_when_changed(panel_a, services, seller_a, shop_a, clock):
    jean = shop_a["jean"]
    form = _form(panel_a, jean.id)
    form["consent_status"] = "granted"
    panel_a.post(f"/buyers/{jean.id}/edit", data=form)
    stored = buyers.get_buyer(services.db, seller_a.seller_id, jean.id)
    assert (stored.consent_status, stored.consent_source, stored.consent_at) == ("granted", "panel", clock.now())
    # The buyer unsubscribes while the seller has the form open; saving it must not undo that.
    stale = _form(panel_a, jean.id)
    clock.advance(timedelta(hours=1))
    buyers.update_buyer(services.db, services.clock, seller_a.seller_id, jean.id,
                        {"consent": {"status": "withdrawn", "source": "unsubscribe"}})
    stale["notes"] = "called about sizes"
    panel_a.post(f"/buyers/{jean.id}/edit", data=stale)
    stored = buyers.get_buyer(services.db, seller_a.seller_id, jean.id)
    assert (stored.consent_status, stored.notes) == ("withdrawn", "called about sizes")


def test_tags_are_split_and_normalised(panel_a, services, seller_a, shop_a):
    jean = shop_a["jean"]
    form = _form(panel_a, jean.id)
    form["tags"] = "Wholesale,  VIP ;repeat, vip"
    panel_a.post(f"/buyers/{jean.id}/edit", data=form)
    assert buyers.get_buyer(services.db, seller_a.seller_id, jean.id).tags == ["wholesale", "vip", "repeat"]
    assert [r[0].split(" ")[0] for r in Page(panel_a.get("/buyers?tag=wholesale").data).rows("buyers-table")] == ["Jean"]
