"""Delivery feedback in the panel: the buyer page's list, the message page's include, Settings → Webhooks."""
from __future__ import annotations

from crossborder_crm.feedback.events import Feedback
from crossborder_crm.feedback.rules import Policy
from crossborder_crm.feedback.service import record
from tests.feedback.conftest import add_buyer, sent_message
from tests.feedback.keys import sendgrid_public_b64
from tests.panel.html import Page

TOPIC = "arn:aws:sns:eu-west-1:123456789012:ses-bounces"


def _bounce(services, seller, recipient="ana@example.es", **kw):
    record(services.db, services.clock, Policy(), seller.seller_id, "sendgrid",
           [Feedback("sg-1", "hard_bounce", recipient, None, "bounce · 5.1.1 · 550 unknown recipient", b"{}", **kw)])


def test_the_buyer_page_lists_the_buyers_bounces(panel_a, services, seller_a):
    buyer = add_buyer(services, seller_a.seller_id, "ana@example.es")
    _bounce(services, seller_a)
    [row] = Page(panel_a.get(f"/buyers/{buyer.id}").data).rows("delivery-events-table")
    assert row[1:3] == ["SendGrid", "Hard bounce address suppressed for all mail"]
    assert "550 unknown recipient" in row[3]


def test_a_buyer_without_feedback_says_so(panel_a, services, seller_a):
    buyer = add_buyer(services, seller_a.seller_id, "ana@example.es")
    assert "No bounces or complaints" in Page(panel_a.get(f"/buyers/{buyer.id}").data).text("delivery-events-none")


def test_another_sellers_bounce_for_the_same_address_is_not_shown(panel_b, services, seller_a, seller_b):
    theirs = add_buyer(services, seller_b.seller_id, "ana@example.es")
    _bounce(services, seller_a)
    assert Page(panel_b.get(f"/buyers/{theirs.id}").data).rows("delivery-events-table") == []


def test_the_message_page_lists_the_messages_bounces(panel_a, services, seller_a):
    buyer = add_buyer(services, seller_a.seller_id, "ana@example.es")
    msg = sent_message(services, seller_a, buyer.id, "ana@example.es")
    _bounce(services, seller_a, message_ids=(msg.rfc_message_id.strip("<>"),))
    [row] = Page(panel_a.get(f"/outbox/{msg.id}").data).rows("delivery-events-table")
    assert row[2].startswith("Hard bounce")


def test_settings_shows_each_providers_url(panel_a, seller_a, app):
    page = Page(panel_a.get("/settings").data)
    base = app.config["PUBLIC_URL"].rstrip("/")
    for provider in ("ses", "postmark", "sendgrid", "mailgun"):
        assert page.attr(f"feedback-url-{provider}", "value") == f"{base}/webhooks/{provider}/{seller_a.seller_key}"


def test_a_postmark_password_is_shown_once_then_masked(panel_a):
    made = Page(panel_a.post("/settings/feedback/postmark/password").data)
    password = made.attr("new-feedback-secret-postmark", "value")
    assert password and made.text("feedback-username-postmark") == "postmark"
    later = panel_a.get("/settings").get_data(as_text=True)
    assert password not in later and Page(later).text("feedback-secret-postmark") == password[:4] + "…"


def test_a_pasted_sendgrid_key_is_saved_and_shown_by_fingerprint(panel_a):
    r = panel_a.post("/settings/feedback/sendgrid", data={"credential": sendgrid_public_b64()})
    assert r.status_code == 302
    assert Page(panel_a.get("/settings").data).text("feedback-secret-sendgrid").startswith("EC · SHA256 ")


def test_a_key_that_is_not_ec_is_refused_next_to_its_field(panel_a):
    r = panel_a.post("/settings/feedback/sendgrid", data={"credential": "not a key"})
    page = Page(r.data)
    assert r.status_code == 422 and "public key" in page.text("feedback-error-sendgrid")
    assert page.text("feedback-credential-sendgrid") == "not a key"


def test_saved_ses_topics_are_listed(panel_a):
    panel_a.post("/settings/feedback/ses", data={"credential": TOPIC})
    assert Page(panel_a.get("/settings").data).text("feedback-secret-ses") == TOPIC


def test_the_last_events_per_provider_are_listed(panel_a, services, seller_a):
    _bounce(services, seller_a)
    [row] = Page(panel_a.get("/settings").data).rows("feedback-events-sendgrid")
    assert row[1:] == ["Hard bounce", "ana@example.es", "address suppressed for all mail"]


def test_an_unknown_provider_form_is_404(panel_a):
    assert panel_a.post("/settings/feedback/postmark", data={"credential": "x"}).status_code == 404
