"""The "write to buyer" form and the reschedule form: a message that could never be sent is refused with
the reason where it belongs (and said up front on the buyer page); a time inside the buyer's quiet
hours asks for "send anyway", and a message sent so says it in its explanation."""
from __future__ import annotations

from sqlalchemy import update

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers import service as buyers
from crossborder_crm.outbox.store import add_suppression
from tests.panel.html import Page
from tests.panel.test_outbox_pages import count, get, schedule, write

LATE = "2026-03-12T23:30"  # Madrid; the default quiet hours are 21:30–08:30 buyer's time
ZH = {"Accept-Language": "zh-CN"}


def _set_seller(services, seller_id, **values):
    with services.db.transaction() as s:
        s.execute(update(Seller).where(Seller.id == seller_id).values(**values))


def _update_buyer(services, seller_id, buyer_id, **data):
    buyers.update_buyer(services.db, services.clock, seller_id, buyer_id, data)


def _suppress(services, seller_id, email, scope):
    with services.db.transaction() as s:
        add_suppression(s, seller_id, email, "hard_bounce" if scope == "all" else "unsubscribe", scope,
                        services.clock.now())


def _buyer_row(services, seller_id, buyer_id) -> tuple:
    b = buyers.get_buyer(services.db, seller_id, buyer_id)
    return b.email, b.consent_status, b.updated_at, b.last_buyer_message_at


# --------------------------------------------------------------------------- undeliverable: refused

def test_writing_to_a_buyer_without_email_is_refused_at_the_top_and_nothing_changes(panel_a, services, seller_a,
                                                                                  shop_a):
    jean = shop_a["jean"]
    _update_buyer(services, seller_a.seller_id, jean.id, email=None)
    before = _buyer_row(services, seller_a.seller_id, jean.id)
    r = write(panel_a, jean.id)
    assert r.status_code == 422
    assert "This buyer has no email address: add one (Edit) to write to them." in Page(r.data).text("write-errors")
    assert count(services) == 0
    assert _buyer_row(services, seller_a.seller_id, jean.id) == before


def test_writing_to_a_bounced_address_is_refused_at_the_top(panel_a, services, seller_a, shop_a):
    _suppress(services, seller_a.seller_id, "jean@example.fr", "all")
    r = write(panel_a, shop_a["jean"].id)
    assert r.status_code == 422
    assert "bounced or they complained" in Page(r.data).text("write-errors")
    assert count(services) == 0


def test_marketing_to_a_buyer_who_withdrew_consent_is_refused_next_to_the_kind(panel_a, services, seller_a,
                                                                               shop_a):
    jean = shop_a["jean"]
    _update_buyer(services, seller_a.seller_id, jean.id, consent={"status": "withdrawn", "source": "panel"})
    r = write(panel_a, jean.id, kind="marketing")
    assert r.status_code == 422
    page = Page(r.data)
    assert page.text("e-kind") == ("This buyer withdrew their consent to marketing email: a marketing message "
                                   "will not be sent.")
    assert page.attr("f-kind", "aria-invalid") == "true"
    assert count(services) == 0


def test_marketing_to_an_unsubscribed_buyer_is_refused_next_to_the_kind(panel_a, services, seller_a, shop_a):
    _suppress(services, seller_a.seller_id, "lucia@example.es", "marketing")
    r = write(panel_a, shop_a["lucia"].id, kind="marketing")
    assert r.status_code == 422
    assert "unsubscribed from marketing email" in Page(r.data).text("e-kind")
    assert count(services) == 0


def test_a_conversation_without_a_reply_address_is_refused_with_a_link_to_settings(panel_a, services, seller_a,
                                                                                  shop_a):
    _set_seller(services, seller_a.seller_id, from_email=None, reply_to=None)
    r = write(panel_a, shop_a["lucia"].id)
    assert r.status_code == 422
    page = Page(r.data)
    assert "needs an address the buyer can reply to" in page.text("write-errors")
    assert page.attr("write-errors-settings", "href") == "/settings#sending"
    assert count(services) == 0


def test_the_refusal_is_in_the_panel_language(panel_a, services, seller_a, shop_a):
    jean = shop_a["jean"]
    _update_buyer(services, seller_a.seller_id, jean.id, email=None)
    r = panel_a.post(f"/buyers/{jean.id}/messages", headers=ZH, data={
        "subject": "Hi", "body": "x", "kind": "conversation", "when": "best", "local": "",
        "nonce": "n0nce-for-the-test-1234"})
    assert r.status_code == 422
    text = Page(r.data).text("write-errors")
    assert "email address" not in text and "电子邮件" in text


# --------------------------------------------------------------------------- said up front

def test_the_buyer_page_says_up_front_when_the_buyer_cannot_be_mailed(panel_a, services, seller_a, shop_a):
    jean = shop_a["jean"]
    assert Page(panel_a.get(f"/buyers/{jean.id}").data).find("write-blocked") is None
    _update_buyer(services, seller_a.seller_id, jean.id, email=None)
    page = Page(panel_a.get(f"/buyers/{jean.id}").data)
    assert "This buyer has no email address" in page.text("write-blocked")
    assert page.find("consent-warning") is None  # said once, at the top


def test_the_buyer_page_says_up_front_when_the_seller_has_no_reply_address(panel_a, services, seller_a, shop_a):
    _set_seller(services, seller_a.seller_id, from_email=None, reply_to=None)
    page = Page(panel_a.get(f"/buyers/{shop_a['lucia'].id}").data)
    assert "needs an address the buyer can reply to" in page.text("write-blocked")
    assert page.attr("write-blocked-settings", "href") == "/settings#sending"


def test_the_buyer_page_warns_about_marketing_to_an_unsubscribed_buyer(panel_a, services, seller_a, shop_a):
    _suppress(services, seller_a.seller_id, "lucia@example.es", "marketing")
    page = Page(panel_a.get(f"/buyers/{shop_a['lucia'].id}").data)
    assert "unsubscribed from marketing email" in page.text("consent-warning")
    assert page.find("write-blocked") is None


# --------------------------------------------------------------------------- quiet hours: write form

def test_a_time_in_quiet_hours_is_refused_with_a_warning_and_a_send_anyway_box(panel_a, services, shop_a):
    r = write(panel_a, shop_a["lucia"].id, when="local", local=LATE)
    assert r.status_code == 422
    page = Page(r.data)
    assert page.text("e-local") == ("Thu, Mar 12 23:30 in Madrid is inside the buyer's quiet hours (21:30–08:30 "
                                    "their time): nothing is sent then unless you say so.")
    assert "Send anyway during Lucía García's quiet hours" in page.text("override-quiet-choice")
    assert "checked" not in page.find("f-override-quiet").attrs
    assert count(services) == 0


def test_the_form_has_no_send_anyway_box_until_a_quiet_time_is_chosen(panel_a, shop_a):
    assert Page(panel_a.get(f"/buyers/{shop_a['lucia'].id}").data).find("f-override-quiet") is None


def test_send_anyway_schedules_it_and_the_pages_say_it_is_in_quiet_hours(panel_a, services, seller_a, shop_a):
    r = write(panel_a, shop_a["lucia"].id, when="local", local=LATE, override_quiet_hours="1")
    assert r.status_code == 302
    [msg] = [get(services, m.id) for m in _messages(services, seller_a)]
    assert msg.explanation_data["code"] == "seller_local_quiet_override"
    said = ("You chose Thu, Mar 12 23:30 in Madrid, inside the buyer's quiet hours (21:30–08:30 their time), "
            "and asked to send it anyway.")
    assert said in Page(panel_a.get(r.headers["Location"]).data).text("write-confirmation")
    assert said in Page(panel_a.get("/outbox").data).text(f"why-{msg.id}")
    assert said in Page(panel_a.get(f"/outbox/{msg.id}").data).text("why-text")


def test_send_anyway_is_ignored_for_the_best_moment(panel_a, services, seller_a, shop_a):
    assert write(panel_a, shop_a["lucia"].id, override_quiet_hours="1").status_code == 302
    [msg] = _messages(services, seller_a)
    assert not msg.explanation_data["code"].endswith("quiet_override")


def test_the_quiet_hours_warning_in_chinese(panel_a, shop_a):
    r = panel_a.post(f"/buyers/{shop_a['lucia'].id}/messages", headers=ZH, data={
        "subject": "Hi", "body": "x", "kind": "conversation", "when": "local", "local": LATE,
        "nonce": "n0nce-for-the-test-1234"})
    assert r.status_code == 422
    page = Page(r.data)
    assert "quiet hours" not in page.text("e-local") and "马德里" in page.text("e-local")
    assert "quiet hours" not in page.text("override-quiet-choice")


# --------------------------------------------------------------------------- quiet hours: reschedule

def test_reschedule_into_quiet_hours_is_refused_with_a_send_anyway_box(panel_a, services, seller_a, shop_a):
    msg = schedule(services, seller_a.seller_id, shop_a["lucia"].id)
    r = panel_a.post(f"/outbox/{msg.id}/reschedule", data={"when": "local", "local": LATE})
    assert r.status_code == 422
    page = Page(r.data)
    assert "inside the buyer's quiet hours (21:30–08:30" in page.text("e-local")
    assert page.find("rs-override-quiet") is not None
    assert get(services, msg.id).scheduled_at == msg.scheduled_at


def test_reschedule_into_quiet_hours_with_send_anyway_moves_it_and_says_so(panel_a, services, seller_a, shop_a):
    msg = schedule(services, seller_a.seller_id, shop_a["lucia"].id)
    r = panel_a.post(f"/outbox/{msg.id}/reschedule",
                     data={"when": "local", "local": LATE, "override_quiet_hours": "1"})
    assert r.status_code == 302
    assert get(services, msg.id).scheduled_at.isoformat().startswith("2026-03-12T22:30")  # 23:30 in Madrid
    why = Page(panel_a.get(r.headers["Location"]).data).text("why-text")
    assert "inside the buyer's quiet hours (21:30–08:30 their time), and asked to send it anyway." in why


def _messages(services, seller_a):
    from crossborder_crm.outbox import service

    return service.list_messages(services.db, seller_a.seller_id)[0]
