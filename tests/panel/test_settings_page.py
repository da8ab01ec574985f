"""The settings page: sending settings, the API token (shown once) and the webhook secrets."""
from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import select

from crossborder_crm.accounts.models import WEBHOOK_SOURCES, ApiToken, Seller, WebhookSecret
from crossborder_crm.accounts.service import seller_for_token
from tests.panel.html import Page

SENDER = {
    "from_name": "Shop A Team", "from_email": "hello@shop-a.example", "reply_to": "care@shop-a.example",
    "postal_address": "1 Harbour Road, Shenzhen, China", "quiet_start": "22:00", "quiet_end": "07:45",
    "marketing_cap_count": "3", "marketing_cap_days": "10", "conversation_deadline_hours": "36",
    "dkim_domain": "", "dkim_selector": "", "dkim_private_key": "",
}


@pytest.fixture(scope="module")
def dkim_key(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("dkim") / "key.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(path), "2048"], check=True, capture_output=True)
    return path.read_text()


def _seller(services, seller_id) -> Seller:
    with services.db.reading() as s:
        seller = s.get(Seller, seller_id)
        s.expunge(seller)
        return seller


def _secrets(services, seller_id) -> dict[str, str]:
    """The seller's webhook secrets in clear (they are stored encrypted)."""
    with services.db.reading() as s:
        return {source: services.box.decrypt(secret) for source, secret in s.execute(
            select(WebhookSecret.source, WebhookSecret.secret).where(WebhookSecret.seller_id == seller_id))}


def _prefix(services, seller_id) -> str:
    with services.db.reading() as s:
        return s.scalar(select(ApiToken.prefix).where(ApiToken.seller_id == seller_id,
                                                      ApiToken.revoked_at.is_(None)))


def test_the_page_shows_the_sections_and_current_values(panel_a, seller_a, services):
    r = panel_a.get("/settings")
    assert r.status_code == 200
    page = Page(r.data)
    for section in ("sending", "api-token", "webhooks"):
        assert page.find(section) is not None
    assert page.attr("f-quiet_start", "value") == "21:30"
    assert page.attr("f-marketing_cap_count", "value") == "2"
    assert _prefix(services, seller_a.seller_id) in page.text("token-info")
    assert "verified with the secret" in page.text("webhooks-notice")
    assert "DKIM is off" in page.text("dkim-status")
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]


def test_saving_sender_settings_changes_the_seller(panel_a, seller_a, services):
    r = panel_a.post("/settings/sender", data=SENDER)
    assert r.status_code == 302 and r.headers["Location"].endswith("/settings#sending")
    seller = _seller(services, seller_a.seller_id)
    assert (seller.from_name, seller.from_email, seller.reply_to) == (
        "Shop A Team", "hello@shop-a.example", "care@shop-a.example")
    assert seller.postal_address == "1 Harbour Road, Shenzhen, China"
    assert (seller.quiet_start, seller.quiet_end) == ("22:00", "07:45")
    assert (seller.marketing_cap_count, seller.marketing_cap_days) == (3, 10)
    assert seller.conversation_deadline_hours == 36
    page = Page(panel_a.get("/settings").data)
    assert "Sending settings saved." in page.text()
    assert page.attr("f-quiet_end", "value") == "07:45"


def test_tracking_is_off_until_the_seller_ticks_it(panel_a, seller_a, services):
    assert not _seller(services, seller_a.seller_id).track_engagement
    assert panel_a.post("/settings/sender", data={**SENDER, "track_engagement": "1"}).status_code == 302
    assert _seller(services, seller_a.seller_id).track_engagement
    page = Page(panel_a.get("/settings").get_data(as_text=True))
    assert "checked" in page.find("f-track_engagement").attrs
    panel_a.post("/settings/sender", data=SENDER)
    assert not _seller(services, seller_a.seller_id).track_engagement


def test_a_bad_quiet_hour_shows_the_field_error_and_saves_nothing(panel_a, seller_a, services):
    before = _seller(services, seller_a.seller_id)
    r = panel_a.post("/settings/sender", data={**SENDER, "quiet_start": "25:00"})
    assert r.status_code == 422
    page = Page(r.data)
    assert "21:30" in page.text("e-quiet_start")  # "Enter a time such as 21:30 …"
    assert page.attr("f-quiet_start", "aria-invalid") == "true"
    assert page.attr("f-quiet_start", "value") == "25:00"  # the typed value comes back
    assert page.find("sender-errors") is not None
    after = _seller(services, seller_a.seller_id)
    assert (after.quiet_start, after.from_name, after.marketing_cap_count) == (
        before.quiet_start, before.from_name, before.marketing_cap_count)


def test_a_required_field_left_empty_is_an_error(panel_a, seller_a, services):
    r = panel_a.post("/settings/sender", data={**SENDER, "marketing_cap_days": ""})
    assert r.status_code == 422
    assert Page(r.data).text("e-marketing_cap_days")
    assert _seller(services, seller_a.seller_id).from_name == "Shop A"


def test_field_errors_are_translated(panel_a, seller_a):
    panel_a.post("/settings/language", data={"locale": "zh_CN"})
    r = panel_a.post("/settings/sender", data={**SENDER, "from_email": "nope"})
    assert r.status_code == 422
    assert Page(r.data).text("e-from_email") == "请输入有效的电子邮件地址。"


def test_dkim_key_is_kept_when_left_empty_and_never_rendered(panel_a, seller_a, services, dkim_key):
    dkim = {"dkim_domain": "shop-a.example", "dkim_selector": "s1"}
    r = panel_a.post("/settings/sender", data={**SENDER, **dkim, "dkim_private_key": dkim_key})
    assert r.status_code == 302
    stored = services.box.decrypt(_seller(services, seller_a.seller_id).dkim_private_key)
    assert "PRIVATE KEY" in stored
    body = panel_a.get("/settings").get_data(as_text=True)
    page = Page(body)
    assert "DKIM on: s1._domainkey.shop-a.example" in page.text("dkim-status")
    assert "PRIVATE KEY-----" not in body and stored.strip().splitlines()[1] not in body
    # Saving again with the key field empty keeps the stored key.
    r = panel_a.post("/settings/sender", data={**SENDER, **dkim, "from_name": "Renamed"})
    assert r.status_code == 302
    seller = _seller(services, seller_a.seller_id)
    assert seller.from_name == "Renamed" and services.box.decrypt(seller.dkim_private_key) == stored
    # An error page does not echo a posted key either.
    r = panel_a.post("/settings/sender", data={**SENDER, **dkim, "quiet_end": "x",
                                               "dkim_private_key": dkim_key})
    assert r.status_code == 422
    assert dkim_key.strip().splitlines()[1] not in r.get_data(as_text=True)
    # Emptying domain and selector turns DKIM off.
    assert panel_a.post("/settings/sender", data=SENDER).status_code == 302
    seller = _seller(services, seller_a.seller_id)
    assert (seller.dkim_domain, seller.dkim_selector, seller.dkim_private_key) == (None, None, None)


def test_dkim_without_a_key_names_the_key_field(panel_a, seller_a, services):
    r = panel_a.post("/settings/sender", data={**SENDER, "dkim_domain": "shop-a.example",
                                               "dkim_selector": "s1"})
    assert r.status_code == 422
    assert Page(r.data).text("e-dkim_private_key")
    assert _seller(services, seller_a.seller_id).dkim_domain is None


def test_rotating_the_token_shows_it_once_and_revokes_the_old_one(panel_a, seller_a, services):
    old = seller_a.api_token
    assert seller_for_token(services.db, old) == seller_a.seller_id
    r = panel_a.post("/settings/api-token")
    assert r.status_code == 200
    assert "no-store" in r.headers["Cache-Control"]
    new = Page(r.data).attr("new-token", "value")
    assert new and new != old
    assert seller_for_token(services.db, new) == seller_a.seller_id
    assert seller_for_token(services.db, old) is None
    assert "previous token no longer works" in Page(r.data).text("new-token-box")
    assert new[:10] in Page(r.data).text("token-prefix")
    # Not in a cookie, not on the next page.
    assert new not in (r.headers.get("Set-Cookie") or "")
    again = panel_a.get("/settings").get_data(as_text=True)
    assert new not in again and new[:10] in again


def test_rotating_a_webhook_secret_changes_it(panel_a, seller_a, services):
    before = _secrets(services, seller_a.seller_id)
    r = panel_a.post("/settings/webhooks/shopify/rotate")
    assert r.status_code == 200
    after = _secrets(services, seller_a.seller_id)
    assert after["shopify"] != before["shopify"]
    assert {k: v for k, v in after.items() if k != "shopify"} == \
        {k: v for k, v in before.items() if k != "shopify"}
    assert Page(r.data).attr("new-webhook-secret-shopify", "value") == after["shopify"]
    assert panel_a.post("/settings/webhooks/nope/rotate").status_code == 404


def test_webhook_urls_contain_the_seller_key(panel_a, seller_a, app):
    page = Page(panel_a.get("/settings").data)
    base = app.config["PUBLIC_URL"].rstrip("/")
    for source in WEBHOOK_SOURCES:
        assert page.attr(f"webhook-url-{source}", "value") == \
            f"{base}/webhooks/{source}/{seller_a.seller_key}"
        assert page.text(f"webhook-secret-{source}").endswith("…")


def test_seller_b_never_sees_seller_a_secrets_or_token(panel_a, panel_b, seller_a, seller_b, services):
    panel_a.post("/settings/api-token")
    body = panel_b.get("/settings").get_data(as_text=True)
    for secret in _secrets(services, seller_a.seller_id).values():
        assert secret not in body
    assert _prefix(services, seller_a.seller_id) not in body
    assert seller_a.seller_key not in body
    assert _prefix(services, seller_b.seller_id) in body
    # B's rotations touch only B.
    a_before = _secrets(services, seller_a.seller_id)
    panel_b.post("/settings/webhooks/generic/rotate")
    panel_b.post("/settings/api-token")
    assert _secrets(services, seller_a.seller_id) == a_before
    assert _prefix(services, seller_a.seller_id) is not None


def test_settings_posts_need_sign_in(client, seller_a):
    for path in ("/settings/sender", "/settings/api-token", "/settings/webhooks/shopify/rotate"):
        r = client.post(path, data=SENDER)
        assert r.status_code == 302 and "/login" in r.headers["Location"]
