"""The outbox in a real browser: a buyer's likely-online heatmap, writing at the best moment, the
outbox. Same server, seed and Chromium as test_browser.py; screenshots go to the same folder (20-…).
"""
from __future__ import annotations

import pytest

from tests.panel import test_browser as base
from tests.panel.conftest import PASSWORD

pytestmark = pytest.mark.browser

# The fixtures of test_browser.py, shared (not its test, which would run twice if imported).
live_server = base.live_server
browser = base.browser
_shot = base._shot


def _watch(page) -> list[str]:
    """Failed requests, server errors, console errors (a CSP violation, a missing asset)."""
    failed: list[str] = []
    page.on("requestfailed", lambda req: failed.append(req.url))
    page.on("response", lambda resp: resp.status >= 500 and failed.append(resp.url))
    page.on("console", lambda msg: msg.type == "error" and "the server responded with a status of"
            not in msg.text and failed.append(msg.text))
    return failed


def test_seller_writes_to_a_buyer_at_the_best_moment(live_server, browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    failed = _watch(page)

    page.goto(live_server + "/login")
    page.fill("#email", "owner@aurora.example")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server + "/")

    # Open a buyer: the heatmap, where its pattern comes from, the next good moment.
    page.click("nav a[href='/buyers']")
    page.click("a.buyer-link:has-text('Lucía García')")
    page.wait_for_selector("#heatmap")
    assert page.locator("#heatmap tbody tr").count() == 7
    assert page.locator("#heatmap tbody td.heat-cell").count() == 7 * 24
    assert page.locator("#heatmap td.heat-next").count() == 1
    assert page.locator("#heatmap td.heat-quiet").count() == 7 * 10  # 22:00–08:00 in full
    assert page.inner_text("#timing-source").startswith("Learned from 3 activity events of this buyer")
    next_line = " ".join(page.inner_text("#next-moment-line").split())
    assert " in Madrid (" in next_line and next_line.endswith(" your time)")
    assert "reply deadline" in page.inner_text("#next-moment-why")
    page.locator("#buyer-timing").screenshot(path=str(base.SHOTS / "20-buyer-heatmap-detail.png"))
    _shot(page, "21-buyer-heatmap")

    # Write: a missing subject is reported next to the field, nothing is scheduled.
    page.click("#write-link")
    assert page.is_checked("#when-best") and page.is_checked("#kind-conversation")
    page.fill("#f-body", "Hola Lucía, your silk scarf ships tomorrow morning.")
    page.click("#schedule-message")
    assert page.inner_text("#e-subject") == "Write a subject."
    assert page.get_attribute("#f-subject", "aria-invalid") == "true"
    assert page.input_value("#f-body") == "Hola Lucía, your silk scarf ships tomorrow morning."
    assert "No messages yet" in page.inner_text("#buyer-messages")
    _shot(page, "22-write-error")

    # Fixed: scheduled at the best moment, shown in the buyer's time and the seller's.
    page.fill("#f-subject", "Your silk scarf")
    page.click("#schedule-message")
    page.wait_for_selector("#write-confirmation")
    assert "Message scheduled." in page.inner_text(".flash-success")
    assert " ".join(page.inner_text("#confirm-when").split()) == next_line
    assert "reply deadline" in page.inner_text("#write-confirmation")
    assert "Your silk scarf" in page.inner_text("#buyer-messages-table")
    page.locator("#buyer-outbox").screenshot(path=str(base.SHOTS / "23-write-confirmation-detail.png"))
    _shot(page, "24-write-confirmation")

    # Reloading the confirmation page does not schedule it again.
    page.reload()
    assert page.locator("#buyer-messages-table tbody tr").count() == 1

    # The outbox: scheduled, with both times and the reason.
    page.click("#confirm-outbox-link")
    page.wait_for_selector("#outbox-table")
    rows = page.locator("#outbox-table tbody tr")
    assert rows.count() == 1
    row = rows.first.inner_text()
    assert "Lucía García" in row and "Your silk scarf" in row and "Scheduled" in row
    assert "Madrid" in row and "your time" in row
    page.click("#clear-buyer-filter")
    page.click("#tab-scheduled")
    assert page.locator("#outbox-table tbody tr").count() == 1
    _shot(page, "25-outbox-scheduled")

    # Cancel it (a CSRF-protected POST, after a yes to the question); it moves to the Cancelled tab.
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#outbox-table tbody tr").first.locator("button:has-text('Cancel')").click()
    page.wait_for_selector(".flash-success")
    assert "Message cancelled" in page.inner_text(".flash-success")
    assert "No messages here" in page.inner_text("main")
    page.click("#tab-cancelled")
    assert "Cancelled" in page.locator("#outbox-table tbody tr").first.inner_text()
    _shot(page, "26-outbox-cancelled")

    # The same in Simplified Chinese.
    page.click("button.lang-option[value='zh_CN']")
    page.wait_for_selector("html[lang='zh-CN']")
    assert page.inner_text("h1") == "发件箱"
    assert "已取消" in page.inner_text("#outbox-table")
    _shot(page, "27-outbox-zh")
    page.click("#outbox-table a.buyer-link")
    page.wait_for_selector("#heatmap")
    assert "下一个合适的联系时间" in page.inner_text("#next-moment")
    assert "马德里" in page.inner_text("#next-moment-line")
    _shot(page, "28-buyer-heatmap-zh")

    assert not failed, failed
    context.close()


def test_seller_sends_anyway_inside_the_buyers_quiet_hours(live_server, browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(15000)
    failed = _watch(page)
    page.goto(live_server + "/login")
    page.fill("#email", "owner@aurora.example")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live_server + "/")
    page.goto(live_server + "/buyers/1#write")  # Lucía García, Madrid

    # 23:30 in Madrid is in the quiet hours: refused with a warning and a "send anyway" box.
    page.fill("#f-subject", "Your silk scarf")
    page.fill("#f-body", "It ships tonight.")
    page.check("#when-local")
    page.fill("#f-local", "2026-03-12T23:30")
    assert page.locator("#f-override-quiet").count() == 0
    page.click("#schedule-message")
    assert "inside the buyer's quiet hours (21:30–08:30" in page.inner_text("#e-local")
    assert "Send anyway during Lucía García's quiet hours" in page.inner_text("#override-quiet-choice")
    _shot(page, "29-write-quiet-hours")

    # Ticked and sent again: scheduled, and the reason says the seller asked for it.
    page.check("#f-override-quiet")
    page.click("#schedule-message")
    page.wait_for_selector("#write-confirmation")
    assert "and asked to send it anyway" in page.inner_text("#write-confirmation")
    _shot(page, "30-write-quiet-hours-sent")
    assert not failed, failed
    context.close()
