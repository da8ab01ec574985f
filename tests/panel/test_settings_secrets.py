"""Webhook secrets on the settings page: shown in full once, right after they are made, masked afterwards."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from crossborder_crm import create_app
from crossborder_crm.accounts.models import WEBHOOK_SOURCES
from crossborder_crm.accounts.service import create_seller, webhook_secret
from crossborder_crm.clock import FixedClock
from tests.conftest import OUTPUT_DIR, T0
from tests.panel.conftest import PASSWORD, login
from tests.panel.html import Page


def test_the_settings_page_shows_webhook_secrets_only_masked(panel_a, seller_a):
    body = panel_a.get("/settings").get_data(as_text=True)
    page = Page(body)
    for source, secret in seller_a.webhook_secrets.items():
        assert secret not in body
        assert page.text(f"webhook-secret-{source}") == secret[:4] + "…"


def test_a_rotated_webhook_secret_is_shown_on_that_response_only(panel_a, seller_a, services):
    r = panel_a.post("/settings/webhooks/shopify/rotate")
    assert r.status_code == 200 and "no-store" in r.headers["Cache-Control"]
    new = Page(r.data).attr("new-webhook-secret-shopify", "value")
    assert new == webhook_secret(services.db, services.box, seller_a.seller_id, "shopify")
    assert new not in (r.headers.get("Set-Cookie") or "")
    later = panel_a.get("/settings").get_data(as_text=True)
    assert new not in later
    assert Page(later).text("webhook-secret-shopify") == new[:4] + "…"


def test_the_new_secret_box_says_which_platform_to_update(panel_a):
    page = Page(panel_a.post("/settings/webhooks/woocommerce/rotate").data)
    assert "The WooCommerce webhook secret was replaced" in page.text("new-webhook-secret-box")
    assert page.find("new-webhook-secret-shopify") is None  # only the one just made


def test_the_new_secret_box_is_translated(panel_a):
    panel_a.post("/settings/language", data={"locale": "zh_CN"})
    page = Page(panel_a.post("/settings/webhooks/shopify/rotate").data)
    assert "这是您的新签名密钥。请立即复制：它只显示这一次。" in page.text("new-webhook-secret-box")


def test_the_rotate_form_keeps_its_platform_in_view(panel_a):
    page = Page(panel_a.get("/settings").data)
    for source in WEBHOOK_SOURCES:
        form = page.find(f"rotate-{source}").parent
        assert form.attrs["action"].endswith(f"/settings/webhooks/{source}/rotate#webhook-{source}")


def test_a_seller_without_webhook_secrets_is_offered_to_create_one(client, services):
    seller = create_seller(services.db, services.clock, "No Hooks", "nohooks@example.com", PASSWORD)
    login(client, "nohooks@example.com")
    page = Page(client.get("/settings").data)
    assert "None yet" in page.text("webhook-secret-generic")
    assert page.text("rotate-generic") == "Create secret"
    made = Page(client.post("/settings/webhooks/generic/rotate").data).attr("new-webhook-secret-generic", "value")
    assert made == webhook_secret(services.db, services.box, seller.seller_id, "generic")
    assert Page(client.get("/settings").data).text("rotate-generic") == "Rotate secret"


# ----------------------------------------------------------------------------- in a real browser

CHROMIUM = os.environ.get("CRM_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture
def secrets_server(sqlite_db, tmp_path):
    """The app with CSRF on, on a real HTTP server in a thread, with one seller."""
    app = create_app({"MAIL_DIR": str(tmp_path / "mail"), "DATABASE_URL": sqlite_db.url,
                      "WTF_CSRF_ENABLED": True}, env="test", db=sqlite_db, clock=FixedClock(T0))
    svc = app.extensions["crm"]
    create_seller(svc.db, svc.clock, "Aurora Silk Co.", "owner@aurora.example", PASSWORD, box=svc.box)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.mark.browser
def test_in_a_browser_a_rotated_secret_is_gone_after_the_next_visit(secrets_server):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it or set CRM_CHROMIUM")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = chromium.new_page(viewport={"width": 1366, "height": 900})
            page.set_default_timeout(15000)
            page.goto(secrets_server + "/settings")
            page.fill("#email", "owner@aurora.example")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(secrets_server + "/settings")
            page.click("#rotate-aftership")
            page.wait_for_selector("#new-webhook-secret-aftership")
            assert page.url.endswith("/settings/webhooks/aftership/rotate#webhook-aftership")
            secret = page.input_value("#new-webhook-secret-aftership")
            assert len(secret) == 48
            shots = OUTPUT_DIR / "screenshots"
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots / "settings-webhook-secret-once.png"), full_page=True)
            page.goto(secrets_server + "/settings")
            assert secret not in page.content()
            assert page.inner_text("#webhook-secret-aftership") == secret[:4] + "…"
        finally:
            chromium.close()
