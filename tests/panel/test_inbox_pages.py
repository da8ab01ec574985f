"""The complaint inbox pages: the list (overdue first), drafting from a pasted complaint, the reply's
workflow, the live tone check, the remedy policy form, sealed per seller, in both panel languages."""
from __future__ import annotations

from datetime import timedelta

from crossborder_crm.campaigns.segments_service import refresh_segments
from crossborder_crm.replies.drafting import create_draft
from tests.panel.html import Page


def complaint(services, seller, buyer_id, text="¿Dónde está mi pedido? No ha llegado.", kind="dispute", **kw):
    return create_draft(services.db, services.clock, seller.seller_id,
                        {"kind": kind, "text": text, "buyer_id": buyer_id}, **kw)


def test_the_inbox_lists_the_overdue_complaint_first(panel_a, services, seller_a, shop_a):
    now = services.clock.now()
    fresh = complaint(services, seller_a, shop_a["lucia"].id, received_at=now - timedelta(hours=1))
    old = complaint(services, seller_a, shop_a["jean"].id, "Le colis est arrivé cassé.",
                    received_at=now - timedelta(hours=30))
    rows = Page(panel_a.get("/inbox").data).rows("inbox-table")
    assert [r[1].split()[0] for r in rows] == ["Jean", "Lucía"]
    assert rows[0][0].startswith("Overdue") and not rows[1][0].startswith("Overdue")
    assert (old.id, fresh.id) != (None, None)


def test_an_answered_complaint_leaves_the_open_view(panel_a, services, seller_a, shop_a):
    d = complaint(services, seller_a, shop_a["lucia"].id)
    panel_a.post(f"/inbox/{d.id}/approve")
    panel_a.post(f"/inbox/{d.id}/copied")
    assert Page(panel_a.get("/inbox").data).rows("inbox-table") == []
    assert len(Page(panel_a.get("/inbox?view=sent").data).rows("inbox-table")) == 1


def test_a_pasted_complaint_is_drafted_and_opened(panel_a, shop_a):
    r = panel_a.post("/inbox/new", data={"kind": "review", "text": "Llegó roto.", "rating": "1",
                                         "order_ref": "1001"})
    assert r.status_code == 302
    page = Page(panel_a.get(r.headers["Location"]).data)
    assert "Lucía García" in page.text("draft-buyer") and "Damaged" in page.text("complaint-categories")
    assert page.find("reply-public") is not None


def test_a_bad_pasted_complaint_is_refused_next_to_its_field(panel_a, shop_a):
    r = panel_a.post("/inbox/new", data={"kind": "review", "text": "Llegó roto.", "rating": "9"})
    assert r.status_code == 422 and "at most 5" in Page(r.data).text("e-rating")
    r = panel_a.post("/inbox/new", data={"kind": "review", "text": "  "})
    assert r.status_code == 422 and Page(r.data).text("e-text")


def test_the_seller_edits_approves_and_sends_the_reply(panel_a, services, seller_a, shop_a):
    d = complaint(services, seller_a, shop_a["lucia"].id)
    panel_a.post(f"/inbox/{d.id}/save", data={"subject": "Su pedido", "body": "Hola Lucía, lo sentimos."})
    panel_a.post(f"/inbox/{d.id}/approve")
    panel_a.post(f"/inbox/{d.id}/send")
    page = Page(panel_a.get(f"/inbox/{d.id}").data)
    assert page.find("draft-message") is not None
    message_url = page.attr("draft-message", "href")
    assert "Hola Lucía, lo sentimos." in panel_a.get(message_url).data.decode()


def test_sending_before_approval_says_why(panel_a, services, seller_a, shop_a):
    d = complaint(services, seller_a, shop_a["lucia"].id)
    r = panel_a.post(f"/inbox/{d.id}/send", follow_redirects=True)
    assert "approve the draft before sending it" in r.data.decode()


def test_the_live_tone_check_answers_with_warnings(panel_a):
    r = panel_a.post("/inbox/tone", json={"text": "That is not our fault.", "language": "en"})
    [w] = r.get_json()["warnings"]
    assert (w["kind"], w["phrase"]) == ("blaming", "not our fault")


def test_the_remedy_policy_form_saves_and_shows_the_change(panel_a):
    r = panel_a.post("/inbox/policy", data={"low-poor_quality": "refund_full", "high-poor_quality": "return",
                                            "sla_hours": "12"})
    assert r.status_code == 302
    page = Page(panel_a.get("/inbox/policy").data)
    assert page.attr("f-sla_hours", "value") == "12"
    assert 'value="refund_full" selected' in panel_a.get("/inbox/policy").data.decode()


def test_a_bad_policy_number_is_shown_next_to_its_field(panel_a):
    r = panel_a.post("/inbox/policy", data={"sla_hours": "0"})
    assert r.status_code == 422 and "from 1 to 336" in Page(r.data).text("e-sla_hours")


def test_another_sellers_complaint_is_not_found(panel_b, services, seller_a, shop_a):
    d = complaint(services, seller_a, shop_a["lucia"].id)
    assert panel_b.get(f"/inbox/{d.id}").status_code == 404
    assert panel_b.post(f"/inbox/{d.id}/approve").status_code == 404
    assert Page(panel_b.get("/inbox").data).rows("inbox-table") == []


def test_the_inbox_speaks_chinese(panel_a, services, seller_a, shop_a):
    complaint(services, seller_a, shop_a["lucia"].id)
    panel_a.post("/settings/language", data={"locale": "zh_CN"})
    html = panel_a.get("/inbox").data.decode()
    assert "起草回复" in html and "未收到" in html


def test_repeated_questions_are_suggested_and_saved_as_replies(panel_a, services, seller_a, shop_a):
    for who in ("lucia", "jean", "maria"):
        complaint(services, seller_a, shop_a[who].id, "Do you ship to Canada?", kind="message")
    page = Page(panel_a.get("/inbox/faq").data)
    assert "3 buyers asked this" in page.text("suggestion-1")
    r = panel_a.post("/inbox/faq", data={"title": "Shipping to Canada", "body": "Yes, in 7 to 12 days.",
                                         "source": "faq"})
    assert r.status_code == 302
    assert "Yes, in 7 to 12 days." in Page(panel_a.get("/inbox/faq").data).text("saved")


def test_a_saved_reply_is_offered_on_the_draft_page(panel_a, services, seller_a, shop_a):
    panel_a.post("/inbox/faq", data={"title": "Shipping to Canada", "body": "Yes, in 7 to 12 days.",
                                     "source": "manual"})
    d = complaint(services, seller_a, shop_a["lucia"].id)
    page = Page(panel_a.get(f"/inbox/{d.id}").data)
    button = page.all("button", **{"class": "compact secondary outline insert-reply"})
    assert [b.attrs.get("data-insert") for b in button] == ["Yes, in 7 to 12 days."]


def test_an_empty_saved_reply_is_refused_next_to_its_field(panel_a):
    r = panel_a.post("/inbox/faq", data={"title": "", "body": "x", "source": "manual"})
    assert r.status_code == 422 and Page(r.data).text("e-title")


def test_the_insights_page_shows_the_week_and_the_breakdown(panel_a, services, seller_a, shop_a):
    complaint(services, seller_a, shop_a["lucia"].id, "No ha llegado mi pedido.")
    complaint(services, seller_a, shop_a["jean"].id, "Le colis est arrivé cassé.", kind="review")
    page = Page(panel_a.get("/inbox/insights").data)
    rows = page.rows("insights-table")
    assert sorted(r[0].split(" for ")[0] for r in rows) == ["Damaged", "Not received"]
    assert "for the supplier" in page.text("insights-table")
    assert page.text("digest-open") == "2"


def test_the_insights_break_down_by_carrier_and_route(panel_a, services, seller_a, shop_a):
    complaint(services, seller_a, shop_a["lucia"].id, "No ha llegado mi pedido.")
    rows = Page(panel_a.get("/inbox/insights?by=carrier,route").data).rows("insights-table")
    assert rows and rows[0][0] == "—"  # no parcel on record for Lucía's latest order


def test_a_bad_insights_window_is_said_and_the_default_shown(panel_a):
    r = panel_a.get("/inbox/insights?from=2026-03-10&to=2026-01-01")
    assert r.status_code == 422 and Page(r.data).text("e-to")


def test_the_buyer_page_shows_the_segment_and_why(panel_a, services, seller_a, shop_a):
    refresh_segments(services.db, services.clock, seller_a.seller_id)
    page = Page(panel_a.get(f"/buyers/{shop_a['maria'].id}").data)
    assert "No orders yet" in page.text("stat-segment")
    page = Page(panel_a.get(f"/buyers/{shop_a['lucia'].id}").data)
    assert "last order" in page.text("stat-segment")


def test_the_buyers_list_filters_by_segment(panel_a, services, seller_a, shop_a):
    refresh_segments(services.db, services.clock, seller_a.seller_id)
    rows = Page(panel_a.get("/buyers?segment=no_orders").data).rows("buyers-table")
    assert sorted(r[0].split()[0] for r in rows) == ["Jean", "Maria"]  # Lucía has orders
