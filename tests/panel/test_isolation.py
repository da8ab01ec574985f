"""Tenants are sealed in the panel: seller B never sees or changes seller A's buyers, even by id."""
from __future__ import annotations

import pytest

from crossborder_crm.buyers import service as buyers
from tests.panel.html import Page

EDIT = {"name": "Hacked", "email": "evil@example.com", "phone": "", "country": "RU", "region": "",
        "city": "Nowhere", "postal_code": "", "timezone": "", "language": "", "tags": "owned",
        "notes": "pwned", "consent_status": "granted", "consent_status_was": "unknown"}


@pytest.mark.parametrize("path", ["/buyers/{id}", "/buyers/{id}/edit"])
def test_other_sellers_buyer_is_404(panel_b, shop_a, path):
    r = panel_b.get(path.format(id=shop_a["lucia"].id))
    assert r.status_code == 404
    text = Page(r.data).text()
    assert "This page does not exist" in text
    assert "Lucía" not in text and "lucia@example.es" not in text


def test_editing_another_sellers_buyer_is_404_and_changes_nothing(panel_b, services, seller_a, shop_a):
    lucia = shop_a["lucia"]
    before = buyers.get_buyer(services.db, seller_a.seller_id, lucia.id)
    r = panel_b.post(f"/buyers/{lucia.id}/edit", data=EDIT)
    assert r.status_code == 404
    after = buyers.get_buyer(services.db, seller_a.seller_id, lucia.id)
    assert (after.name, after.email, after.country, after.city, after.tags, after.notes,
            after.consent_status, after.updated_at) == (
        before.name, before.email, before.country, before.city, before.tags, before.notes,
        before.consent_status, before.updated_at)


def test_invalid_edit_of_another_sellers_buyer_is_404_too(panel_b, shop_a):
    """Not a 422 listing field errors: that would confirm the id exists."""
    r = panel_b.post(f"/buyers/{shop_a['lucia'].id}/edit", data={**EDIT, "email": "nope"})
    assert r.status_code == 404


def test_other_sellers_buyers_never_appear_in_lists_search_or_counts(panel_b, shop_a):
    assert Page(panel_b.get("/buyers").data).rows("buyers-table") == []
    for query in ("q=lucia", "country=ES", "tag=vip", "consent=granted", "has_orders=true"):
        assert Page(panel_b.get(f"/buyers?{query}").data).rows("buyers-table") == [], query
    page = Page(panel_b.get("/").data)
    assert page.text("stat-buyers").endswith("0") and page.text("stat-countries").endswith("0")
    # The filter menus list only the seller's own countries and languages.
    countries = [o.attrs["value"] for o in Page(panel_b.get("/buyers").data).all("option")
                 if o.parent.attrs.get("id") == "country"]
    assert countries == [""]


def test_each_seller_sees_their_own(panel_a, panel_b, services, seller_b, shop_a):
    own = buyers.create_buyer(services.db, services.clock, seller_b.seller_id,
                              {"name": "Bruno Costa", "country": "BR"})
    assert [r[0] for r in Page(panel_b.get("/buyers").data).rows("buyers-table")] == ["Bruno Costa"]
    assert panel_b.get(f"/buyers/{own.id}").status_code == 200
    assert panel_a.get(f"/buyers/{own.id}").status_code == 404
    assert "Bruno" not in Page(panel_a.get("/buyers").data).text()
