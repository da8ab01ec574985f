"""The message page: the rendered body (both parts), the buyer's language, the headers, the history,
why it goes when it goes (in the panel language), and rescheduling from the panel."""
from __future__ import annotations

from sqlalchemy import update

from crossborder_crm.accounts.models import Seller
from crossborder_crm.outbox.models import Message
from tests.panel.html import Page
from tests.panel.test_outbox_pages import get, schedule, set_status


def _set_seller(services, seller_id, **values):
    with services.db.transaction() as s:
        s.execute(update(Seller).where(Seller.id == seller_id).values(**values))


def test_message_page_shows_both_rendered_parts_in_the_buyers_language(panel_a, services, seller_a, shop_a):
    msg = schedule(services, seller_a.seller_id, shop_a["lucia"].id, subject="Tu pañuelo")
    page = Page(panel_a.get(f"/outbox/{msg.id}").data)
    assert "Tu pedido está listo." in page.text("message-text")
    assert page.attr("message-html", "src") == f"/outbox/{msg.id}/preview"
    assert page.attr("message-html", "sandbox") == ""
    assert "Spanish" in page.text("message-language")


def test_html_preview_is_served_sandboxed_and_frameable_only_by_the_panel(panel_a, services, seller_a, shop_a):
    msg = schedule(services, seller_a.seller_id, shop_a["lucia"].id)
    response = panel_a.get(f"/outbox/{msg.id}/preview")
    assert response.status_code == 200
    assert "Tu pedido está listo." in response.get_data(as_text=True)
    csp = response.headers["Content-Security-Policy"]
    assert "sandbox" in csp and "frame-ancestors 'self'" in csp and "script-src" not in csp
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_message_page_shows_the_main_headers(panel_a, services, seller_a, shop_a):
    _set_seller(services, seller_a.seller_id, from_email="shop@a.example", reply_to="help@a.example")
    msg = schedule(services, seller_a.seller_id, shop_a["lucia"].id)
    page = Page(panel_a.get(f"/outbox/{msg.id}").data)
    assert "shop@a.example" in page.text("header-from")
    assert page.text("header-reply-to") == "help@a.example"
    assert "Lucía García <lucia@example.es>" in page.text("header-to")
    assert page.text("header-message-id") == msg.rfc_message_id
    assert page.find("header-list-unsubscribe") is None  # not a marketing message


def test_marketing_message_page_shows_list_unsubscribe(panel_a, services, seller_a, shop_a):
    msg = schedule(services, seller_a.seller_id, shop_a["lucia"].id, kind="marketing")
    page = Page(panel_a.get(f"/outbox/{msg.id}").data)
    assert "/unsubscribe" in page.text("header-list-unsubscribe") or "mailto:" in page.text("header-list-unsubscribe")


def test_message_page_marks_the_sellers_times_as_theirs(panel_a, services, seller_a, shop_a):
    msg = schedule(services, seller_a.seller_id, shop_a["lucia"].id)
    page = Page(panel_a.get(f"/outbox/{msg.id}").data)
    assert "in Madrid" in page.text("message-moment") and "your time" in page.text("message-moment")
    assert page.text("message-history").count("your time") >= 2


def test_message_page_explains_the_moment_for_a_seller(panel_a, services, seller_a, shop_a):
    msg = schedule(services, seller_a.seller_id, shop_a["lucia"].id)
    why = Page(panel_a.get(f"/outbox/{msg.id}").data).text("why-text")
    assert "score" not in why and ">=" not in why
    assert "Lucía García is most active" in why and "24-hour reply deadline" in why and "in Madrid" in why


def test_message_page_explains_the_moment_in_chinese(panel_a, services, seller_a, shop_a):
    panel_a.post("/settings/language", data={"locale": "zh_CN"})
    msg = schedule(services, seller_a.seller_id, shop_a["lucia"].id)
    why = Page(panel_a.get(f"/outbox/{msg.id}").data).text("why-text")
    assert "24 小时" in why and "马德里" in why and "most active" not in why


def test_suppressed_message_page_says_why_in_the_panel_language(panel_a, services, seller_a, shop_a):
    msg = schedule(services, seller_a.seller_id, shop_a["lucia"].id, kind="marketing")
    set_status(services, msg.id, "suppressed", attempts=1, last_error="buyer unsubscribed")
    panel_a.post("/settings/language", data={"locale": "zh_CN"})
    page = Page(panel_a.get(f"/outbox/{msg.id}").data)
    assert "退订" in page.text("message-last-error")
    assert page.find("reschedule-form") is None


def test_reschedule_to_a_local_time_moves_the_message(panel_a, services, seller_a, shop_a):
    msg = schedule(services, seller_a.seller_id, shop_a["lucia"].id)
    response = panel_a.post(f"/outbox/{msg.id}/reschedule", data={"when": "local", "local": "2026-03-14T10:30"})
    assert response.status_code == 302
    moved = get(services, msg.id)
    assert moved.scheduled_at.isoformat().startswith("2026-03-14T09:30")  # 10:30 in Madrid (UTC+1)
    assert moved.explanation_data["code"] == "seller_local"
    page = Page(panel_a.get(response.headers["Location"]).data)
    assert "You chose Sat, Mar 14 10:30 in Madrid." in page.text("why-text")


def test_reschedule_to_a_past_time_is_refused_next_to_the_field(panel_a, services, seller_a, shop_a):
    msg = schedule(services, seller_a.seller_id, shop_a["lucia"].id)
    response = panel_a.post(f"/outbox/{msg.id}/reschedule", data={"when": "local", "local": "2026-03-01T10:00"})
    assert response.status_code == 422
    assert "already passed" in Page(response.data).text("e-local")
    assert get(services, msg.id).scheduled_at == msg.scheduled_at


def test_reschedule_of_a_sent_message_changes_nothing(panel_a, services, seller_a, shop_a):
    msg = schedule(services, seller_a.seller_id, shop_a["lucia"].id)
    set_status(services, msg.id, "sent")
    response = panel_a.post(f"/outbox/{msg.id}/reschedule", data={"when": "best"}, follow_redirects=True)
    assert "can no longer be rescheduled" in response.get_data(as_text=True)
    assert get(services, msg.id).status == "sent"


def test_another_sellers_message_page_is_not_found(panel_b, services, seller_a, shop_a):
    msg = schedule(services, seller_a.seller_id, shop_a["lucia"].id)
    assert panel_b.get(f"/outbox/{msg.id}").status_code == 404
    assert panel_b.get(f"/outbox/{msg.id}/preview").status_code == 404
    assert panel_b.post(f"/outbox/{msg.id}/reschedule", data={"when": "best"}).status_code == 404


def test_outbox_row_links_to_the_message_and_folds_the_reason(panel_a, services, seller_a, shop_a):
    msg = schedule(services, seller_a.seller_id, shop_a["lucia"].id)
    page = Page(panel_a.get("/outbox").data)
    assert page.attr(f"open-{msg.id}", "href") == f"/outbox/{msg.id}"
    assert page.find(f"why-{msg.id}").tag == "details"
    assert "Why this moment" not in [" ".join(c.split()) for c in page.rows("outbox-table")[0]]


def test_cancel_asks_for_confirmation(panel_a, services, seller_a, shop_a):
    msg = schedule(services, seller_a.seller_id, shop_a["lucia"].id, subject="Hola")
    page = Page(panel_a.get("/outbox").data)
    form = [f for f in page.all("form") if f.attrs.get("action") == f"/outbox/{msg.id}/cancel"][0]
    assert "Cancel “Hola”?" in form.attrs["data-confirm"]


def test_old_messages_without_structured_reason_show_the_stored_one(panel_a, services, seller_a, shop_a):
    msg = schedule(services, seller_a.seller_id, shop_a["lucia"].id)
    with services.db.transaction() as s:
        s.execute(update(Message).where(Message.id == msg.id).values(explanation_data=None))
    page = Page(panel_a.get(f"/outbox/{msg.id}").data)
    assert page.text("why-text") == msg.explanation
