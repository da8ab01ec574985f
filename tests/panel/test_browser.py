"""The panel in a real browser: headless Debian Chromium driven by Playwright, against a real server.

Flow: sign in, dashboard, search a buyer, open the profile, edit it (a field error, then a new
region that re-infers the time zone), switch to 简体中文. A full-page screenshot of each step goes
to $CRM_TEST_OUTPUT/screenshots/. A missing Chromium fails the test (CI installs it).
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from crossborder_crm import create_app
from crossborder_crm.accounts.service import create_seller
from crossborder_crm.buyers import service as buyers
from crossborder_crm.buyers.activity import add_activity
from crossborder_crm.buyers.orders import add_order
from crossborder_crm.clock import FixedClock
from crossborder_crm.outbox.sender import update_sender
from tests.conftest import OUTPUT_DIR, T0
from tests.panel.conftest import PASSWORD

CHROMIUM = os.environ.get("CRM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = OUTPUT_DIR / "screenshots"

pytestmark = pytest.mark.browser


def _seed(services) -> None:
    """A seller with a handful of buyers in several countries, some with orders."""
    seller = create_seller(services.db, services.clock, "Aurora Silk Co.", "owner@aurora.example",
                           PASSWORD)
    sid = seller.seller_id
    # A reply address, as the demo shop has: personal messages are refused without one.
    update_sender(services.db, services.clock, services.box, sid, {"reply_to": "care@aurora.example"})

    def make(data, orders=()):
        b = buyers.create_buyer(services.db, services.clock, sid, data)
        for n, (placed, currency, items) in enumerate(orders, 1):
            add_order(services.db, services.clock, sid, b.id, {
                "marketplace": "shopify", "external_id": f"{b.id}-{n}", "placed_at": placed,
                "currency": currency, "status": "paid", "items": items})
        return b

    lucia = make({"name": "Lucía García", "country": "ES", "email": "lucia@example.es",
                  "tags": ["vip", "repeat"], "consent": {"status": "granted", "source": "checkout"}},
                 [("2026-01-05T19:30:00Z", "EUR", [{"title": "Silk scarf", "sku": "SC-1",
                                                   "unit_price": "24.50", "quantity": 2}]),
                  ("2026-02-04T10:00:00Z", "EUR", [{"title": "Linen shirt", "unit_price": "60.00"}])])
    add_activity(services.db, services.clock, sid, lucia.id,
                        {"kind": "email_open", "occurred_at": "2026-03-01T20:15:00Z", "source": "mail"})
    make({"name": "Maria Smith", "country": "US", "email": "maria@example.com", "phone": "+1 212 555 0142"},
         [("2026-02-11T15:00:00Z", "USD", [{"title": "Silk pillowcase", "unit_price": "39.00"}])])
    make({"name": "Jean Dupont", "country": "FR", "email": "jean@example.fr", "tags": ["wholesale"]})
    make({"name": "Hanna Müller", "country": "DE", "region": "BY", "city": "München",
          "email": "hanna@example.de"},  # the layout test writes to her: a buyer without an address is refused
         [("2025-12-01T09:00:00Z", "EUR", [{"title": "Silk robe", "unit_price": "129.00"}])])
    make({"name": "Yuki Tanaka", "country": "JP", "email": "yuki@example.jp"},
         [("2026-01-20T03:00:00Z", "JPY", [{"title": "Tea towel set", "unit_price": "3200"}])])
    make({"name": "Ana Souza", "country": "BR", "region": "SP", "marketplace": "shopify",
          "marketplace_buyer_id": "77001", "marketplace_locale": "pt-BR"})


def serve_seeded(sqlite_db, tmp_path, seed):
    """Yield the URL of the app on a real HTTP server in a thread, CSRF on as in production, after `seed(services)`."""
    app = create_app({"MAIL_DIR": str(tmp_path / "mail"), "DATABASE_URL": sqlite_db.url,
                      "WTF_CSRF_ENABLED": True}, env="test", db=sqlite_db, clock=FixedClock(T0))
    seed(app.extensions["crm"])
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def signed_in_page(browser, live_server: str, email: str):
    """A new desktop-sized page, signed in as `email` through the login form."""
    page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US").new_page()
    page.set_default_timeout(15000)
    page.goto(live_server + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server + "/")
    return page


@pytest.fixture
def live_server(sqlite_db, tmp_path):
    """The demo-like shop on a live server."""
    yield from serve_seeded(sqlite_db, tmp_path, _seed)


@pytest.fixture
def browser():
    """Headless Debian Chromium; its absence is a failure with instructions, not a skip."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install it (Debian: apt-get install chromium) "
                    "or point CRM_CHROMIUM at a Chromium binary. The browser tests need it.")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extras install it
        pytest.fail("playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _shot(page, name: str) -> None:
    page.wait_for_load_state("load")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_seller_works_through_the_panel(live_server, browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    failed_requests: list[str] = []
    page.on("requestfailed", lambda req: failed_requests.append(req.url))
    page.on("response", lambda resp: resp.status >= 500 and failed_requests.append(resp.url))
    # Pages answer 404/422 on purpose below; anything else logged as an error (a CSP violation,
    # a missing asset) is a defect.
    page.on("console", lambda msg: msg.type == "error" and "the server responded with a status of"
            not in msg.text and failed_requests.append(msg.text))
    page.on("response", lambda resp: resp.status == 404 and "/panel-static/" in resp.url
            and failed_requests.append(resp.url))

    # Sign in: the private page sends us to the form, and back after signing in.
    page.goto(live_server + "/buyers")
    assert "/login" in page.url
    _shot(page, "01-login")
    page.fill("#email", "owner@aurora.example")
    page.fill("#password", "wrong password")
    page.click("button[type=submit]")
    assert page.inner_text("#login-error") == "Wrong email or password."
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server + "/buyers")

    # Dashboard.
    page.click("nav a[href='/']")
    assert page.inner_text("h1") == "Dashboard"
    assert page.inner_text("#stat-buyers .stat-value") == "6"
    assert page.inner_text("#stat-countries .stat-value") == "6"
    assert page.inner_text("#stat-with-orders .stat-value") == "4"
    _shot(page, "02-dashboard")

    # Buyers: the list, then a search.
    page.click("nav a[href='/buyers']")
    assert page.locator("#buyers-table tbody tr").count() == 6
    _shot(page, "03-buyers")
    page.fill("#q", "maria")
    page.click("#apply-filters")
    rows = page.locator("#buyers-table tbody tr")
    assert rows.count() == 1 and "Maria Smith" in rows.first.inner_text()
    assert "US" in rows.first.inner_text()
    _shot(page, "04-search")

    # The profile: inferred time zone with its source, marked low confidence.
    page.click("a.buyer-link")
    assert page.inner_text("#buyer-name").strip().endswith("Maria Smith")
    tz = page.inner_text("#timezone")
    assert "America/New_York" in tz and "low confidence" in tz
    assert "$39.00" in page.inner_text("#buyer-stats")
    _shot(page, "05-profile")

    # Edit: a bad email is reported next to the field; nothing is saved.
    page.click("#edit-buyer")
    page.fill("#f-email", "maria-at-example")
    page.fill("#f-city", "San Diego")
    page.click("#save-buyer")
    assert "@-sign" in page.inner_text("#e-email")
    assert page.get_attribute("#f-email", "aria-invalid") == "true"
    _shot(page, "06-edit-error")
    # Fixed, with a new region: the time zone is inferred again from it.
    page.fill("#f-email", "maria@example.com")
    page.fill("#f-region", "California")
    page.click("#save-buyer")
    page.wait_for_selector(".flash-success")
    assert "Buyer saved." in page.inner_text(".flash-success")
    tz = page.inner_text("#timezone")
    assert tz.startswith("America/Los_Angeles — inferred from region California"), tz
    assert "low confidence" not in tz
    assert "America/Los_Angeles" in page.inner_text("#local-time")
    _shot(page, "07-profile-after-edit")

    # Switch to Simplified Chinese: the choice sticks across pages.
    page.click("button.lang-option[value='zh_CN']")
    page.wait_for_selector("html[lang='zh-CN']")
    assert "当地时间" in page.inner_text("#local-time")
    assert "根据地区" in page.inner_text("#timezone")
    assert page.inner_text("nav a[href='/buyers']").split()[-1] == "买家"
    _shot(page, "08-profile-zh")
    page.click("nav a[href='/']")
    assert page.inner_text("h1") == "概览"
    _shot(page, "09-dashboard-zh")
    page.click("nav a[href='/buyers']")
    assert "搜索" in page.inner_text("#buyer-filters")
    _shot(page, "10-buyers-zh")
    page.click("nav a[href='/outbox']")
    assert page.inner_text("h1") == "发件箱"
    assert "发件箱还是空的" in page.inner_text("main")
    _shot(page, "11-outbox-empty-zh")

    page.click("nav a[href='/settings']")
    assert page.is_checked("#locale-zh_CN")
    _shot(page, "12-settings-zh")
    response = page.goto(live_server + "/buyers/999999")
    assert response.status == 404 and "页面不存在" in page.inner_text("main")
    _shot(page, "13-not-found-zh")

    # Sign out (a CSRF-protected POST) lands on the sign-in page, still in Chinese.
    page.click("form[action='/logout'] button")
    page.wait_for_url(live_server + "/login")
    assert "您已退出登录。" in page.inner_text("main")
    assert not failed_requests, failed_requests
    context.close()
