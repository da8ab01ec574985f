"""The dashboard's "needs your attention" counts and links; the shop's time zone on Settings; the
heatmap's deadline window and "now" marker."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.activity import add_activity
from tests.panel.html import Page
from tests.panel.test_outbox_pages import schedule, set_status


def test_dashboard_counts_what_needs_attention_and_links_to_each_list(panel_a, services, seller_a, shop_a):
    sid, lucia = seller_a.seller_id, shop_a["lucia"].id
    schedule(services, sid, lucia)  # goes out today, Shanghai time
    set_status(services, schedule(services, sid, lucia).id, "failed", last_error="550 no such user")
    set_status(services, schedule(services, sid, lucia).id, "suppressed", last_error="buyer unsubscribed")
    add_activity(services.db, services.clock, sid, shop_a["jean"].id,
                 {"kind": "message_received", "occurred_at": "2026-03-09T20:00:00Z", "source": "mail"})
    page = Page(panel_a.get("/").data)
    assert page.text("attn-today").startswith("1 ")
    assert page.text("attn-failed").startswith("1 ") and page.attr("attn-failed", "href") == "/outbox?status=failed"
    assert page.text("attn-suppressed").startswith("1 ")
    assert page.attr("attn-suppressed", "href") == "/outbox?status=suppressed"
    assert page.text("attn-replies").startswith("1 ")


def test_a_reply_sent_after_the_buyers_message_clears_it(panel_a, services, seller_a, shop_a):
    sid, jean = seller_a.seller_id, shop_a["jean"].id
    add_activity(services.db, services.clock, sid, jean,
                 {"kind": "message_received", "occurred_at": "2026-03-09T20:00:00Z", "source": "mail"})
    set_status(services, schedule(services, sid, jean).id, "sent",
               sent_at=datetime(2026, 3, 9, 22, 0, tzinfo=timezone.utc))
    assert Page(panel_a.get("/").data).text("attn-replies").startswith("0 ")


def test_settings_change_the_shop_time_zone(panel_a, services, seller_a):
    r = panel_a.post("/settings/timezone", data={"timezone": "Europe/Berlin"})
    assert r.status_code == 302
    with services.db.reading() as s:
        assert s.scalar(select(Seller.timezone).where(Seller.id == seller_a.seller_id)) == "Europe/Berlin"
    page = Page(panel_a.get("/settings").data)
    assert page.text("shop-timezone") == "Europe/Berlin"
    selected = [o.attrs["value"] for o in page.find("f-shop-timezone").iter() if "selected" in o.attrs]
    assert selected == ["Europe/Berlin"]


def test_settings_refuse_an_unknown_time_zone(panel_a, services, seller_a):
    r = panel_a.post("/settings/timezone", data={"timezone": "Mars/Olympus"}, follow_redirects=True)
    assert "Choose a time zone from the list." in r.get_data(as_text=True)
    with services.db.reading() as s:
        assert s.scalar(select(Seller.timezone).where(Seller.id == seller_a.seller_id)) == "Asia/Shanghai"


def _cells(page: Page):
    return [[c for c in row.iter() if c.tag == "td"] for row in page.find("heatmap").iter() if row.tag == "tr"][1:]


def test_heatmap_marks_now_and_the_reply_deadline_window(panel_a, shop_a):
    page = Page(panel_a.get(f"/buyers/{shop_a['lucia'].id}").data)
    cells = _cells(page)
    now = [(d, h) for d, row in enumerate(cells) for h, c in enumerate(row) if "heat-now" in c.attrs["class"]]
    assert now == [(1, 3)]  # Tuesday 03:00 in Madrid (02:00 UTC)
    window = [(d, h) for d, row in enumerate(cells) for h, c in enumerate(row) if "heat-window" in c.attrs["class"]]
    assert len(window) == 25 and window[0] == (1, 3) and window[-1] == (2, 3)  # 24 hours from now
    nxt = [(d, h) for d, row in enumerate(cells) for h, c in enumerate(row) if "heat-next" in c.attrs["class"]]
    assert nxt[0] in window
    assert "24-hour reply deadline" in page.text("heat-legend")
    assert "even when a darker hour comes later" in page.text("heat-note")
