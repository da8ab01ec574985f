"""Every panel page in a real browser at 1366×768 and 1024×768, in English and Chinese: no page
scrolls sideways and every action button is on screen. A full-page screenshot of each page goes to
$CRM_TEST_OUTPUT/screenshots/layout-<width>-<lang>-<page>.png. Plus the outbox's cancel confirmation
and the message page's sandboxed preview, clicked through.
"""
from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest
from sqlalchemy import select, update
from werkzeug.serving import make_server

from crossborder_crm import create_app
from crossborder_crm.buyers.models import Buyer
from crossborder_crm.clock import FixedClock
from crossborder_crm.outbox import service as outbox
from crossborder_crm.outbox.models import Message
from tests.conftest import T0
from tests.panel import test_browser as base
from tests.panel.conftest import PASSWORD

pytestmark = pytest.mark.browser

browser = base.browser
SIZES = ((1366, 768), (1024, 768))
LANGS = ("en", "zh_CN")
LONG_SUBJECT = "Your silk scarf order #1001 has shipped from Hangzhou and is on its way to Madrid"


def _messages(services) -> dict[str, int]:
    """Messages in several states, one with a long subject and a long error, for the outbox."""
    with services.db.reading() as s:
        ids = dict(s.execute(select(Buyer.name, Buyer.id)).all())
        seller_id = s.scalar(select(Buyer.seller_id))
    made = {}
    for name, subject, kind in (("Lucía García", LONG_SUBJECT, "conversation"),
                                ("Yuki Tanaka", "新品上市：真丝围巾", "marketing"),
                                ("Hanna Müller", "Ihre Bestellung", "conversation"),
                                ("Jean Dupont", "Votre commande", "conversation")):
        msg = outbox.schedule_message(services.db, services.clock, seller_id, {
            "buyer_id": ids[name], "subject": subject, "body": "Hello,\n\nthank you for your order.",
            "kind": kind}, mail_domain="crm.localhost").message
        made[name] = msg.id
    with services.db.transaction() as s:
        s.execute(update(Message).where(Message.id == made["Hanna Müller"]).values(
            status="failed", attempts=8,
            last_error="451 4.7.1 Greylisting in action, please come back later; "
                       "the remote server at mx.example.de:25 said so eight times in a row"))
        s.execute(update(Message).where(Message.id == made["Jean Dupont"]).values(
            status="sent", sent_at=datetime(2026, 3, 9, 19, 5, tzinfo=timezone.utc), attempts=1))
    return made


@pytest.fixture
def live(sqlite_db, tmp_path):
    """The app on a real HTTP server, seeded with buyers and messages; (base URL, message ids)."""
    app = create_app({"MAIL_DIR": str(tmp_path / "mail"), "DATABASE_URL": sqlite_db.url,
                      "WTF_CSRF_ENABLED": True}, env="test", db=sqlite_db, clock=FixedClock(T0))
    services = app.extensions["crm"]
    base._seed(services)
    made = _messages(services)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", made
    finally:
        server.shutdown()
        thread.join(timeout=10)


def _sign_in(page, url: str, lang: str) -> None:
    page.goto(url + "/login")
    page.fill("#email", "owner@aurora.example")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(url + "/")
    if lang != "en":
        page.click(f"button.lang-option[value='{lang}']")
        page.wait_for_selector("html[lang='zh-CN']")


# Buttons that count as actions: everything clickable that looks like a button, unless it is
# inside something the seller has to open first (a closed <details>) or is hidden on purpose.
_ACTIONS_JS = """() => Array.from(document.querySelectorAll(
    "main button, main [role=button], main input[type=submit]"))
  .filter(el => !el.closest("[hidden], details:not([open])"))
  .map(el => { const r = el.getBoundingClientRect();
               return {label: (el.id || el.textContent.trim()).slice(0, 40), left: r.left, right: r.right,
                       width: r.width, height: r.height}; })"""


def _check(page, name: str, width: int) -> list[str]:
    """Problems on the current page: sideways scrolling, an action button off screen or squashed."""
    page.wait_for_load_state("load")
    base.SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(base.SHOTS / f"{name}.png"), full_page=True)
    problems = []
    scroll, client = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    if scroll > client:
        problems.append(f"{name}: scrolls sideways ({scroll} > {client})")
    clipped = page.evaluate("""() => Array.from(document.querySelectorAll("main .overflow-auto"))
        .filter(box => box.scrollWidth > box.clientWidth + 1).map(box => box.firstElementChild.id)""")
    if clipped:
        problems.append(f"{name}: a table is wider than its card: {clipped}")
    for b in page.evaluate(_ACTIONS_JS):
        if b["width"] <= 0 or b["height"] <= 0 or b["left"] < 0 or b["right"] > width:
            problems.append(f"{name}: action {b['label']!r} is not fully on screen ({b})")
    return problems


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_no_page_scrolls_sideways_and_every_action_is_on_screen(live, browser, size, lang):
    url, made = live
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    _sign_in(page, url, lang)
    page.goto(url + "/buyers?q=lucia")
    lucia = page.get_attribute("a.buyer-link", "href")
    pages = {
        "dashboard": "/",
        "buyers": "/buyers",
        "buyer": lucia,
        "buyer-edit": f"{lucia}/edit",
        "buyer-new": "/buyers/new",
        "buyers-import": "/buyers/import",
        "outbox": "/outbox",
        "message": f"/outbox/{made['Lucía García']}",
        "message-failed": f"/outbox/{made['Hanna Müller']}",
        "settings": "/settings",
    }
    problems = []
    for name, path in pages.items():
        page.goto(url + path)
        problems += _check(page, f"layout-{width}-{lang}-{name}", width)
    page.goto(url + lucia)
    heat, card = (page.locator(sel).bounding_box() for sel in ("#heatmap", "#online-heatmap"))
    assert heat["width"] >= 0.9 * card["width"], "the heatmap does not fill its card"
    page.goto(url + "/outbox")
    sent_at = page.locator("#outbox-table thead th").nth(4).bounding_box()
    assert sent_at and sent_at["x"] + sent_at["width"] <= width, "the 'Sent at' column is cut off"
    for msg_id in (made["Lucía García"], made["Hanna Müller"]):
        box = page.locator(f"#cancel-{msg_id}").bounding_box()
        assert box and box["x"] + box["width"] <= width, f"Cancel of message {msg_id} is off screen"
    assert not problems, "\n".join(problems)
    context.close()


def test_cancel_asks_first_and_only_a_yes_cancels(live, browser):
    url, made = live
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    _sign_in(page, url, "en")
    page.goto(url + "/outbox")
    target = made["Lucía García"]
    asked: list[str] = []
    page.once("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    page.click(f"#cancel-{target}")
    page.wait_for_timeout(300)  # a dismissed confirm submits nothing: there is no navigation to await
    assert asked and asked[0].startswith("Cancel “Your silk scarf order")
    assert "Scheduled" in page.inner_text(f"#message-{target}")
    page.once("dialog", lambda d: d.accept())
    page.click(f"#cancel-{target}")
    page.wait_for_selector(".flash-success")
    assert "Cancelled" in page.inner_text(f"#message-{target}")
    context.close()


def test_message_page_shows_the_html_part_in_a_sandboxed_frame(live, browser):
    url, made = live
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    _sign_in(page, url, "en")
    page.goto(url + f"/outbox/{made['Yuki Tanaka']}")
    frame = page.frame_locator("#message-html")
    assert "thank you for your order" in frame.locator("body").inner_text()
    assert "List-Unsubscribe" in page.inner_text("#message-headers")
    assert not errors, errors
    context.close()
