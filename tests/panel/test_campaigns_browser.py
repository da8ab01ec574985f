"""The campaign screens in a real browser (headless Chromium, CSRF on): the wizard's audience preview
follows the filter without a reload, a saved audience fills the filter (and one is saved from it), the saved
draft opens its page, a launch shows its progress and then the outcome, and the email preview frame shows the
buyer's email."""
from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from crossborder_crm.accounts.models import Seller
from crossborder_crm.campaigns import lifecycle
from crossborder_crm.campaigns.saved_audiences import save_audience
from tests.panel import test_browser as base

pytestmark = pytest.mark.browser

browser = base.browser
_shot = base._shot
OWNER = "owner@aurora.example"
CONTENT = {"language": "en", "versions": {"en": {"subject": "Spring news for {name}",
                                                 "body": "Hello {name},\n\nOur spring silk is in.\n\n{shop}"}}}


def _seed(svc) -> None:
    """The demo-like shop (six buyers in six countries), one draft announcement to every buyer, and a saved
    audience of the US buyers."""
    base._seed(svc)
    with svc.db.reading() as s:
        seller_id = s.scalar(select(Seller.id))
    lifecycle.create_campaign(svc.db, svc.clock, seller_id, {
        "name": "Spring news", "kind": "announcement", "confirm_all": True, "content": CONTENT})
    save_audience(svc.db, svc.clock, seller_id, {"name": "US buyers", "filter": {"countries": ["US"]}})


@pytest.fixture
def live_server(sqlite_db, tmp_path):
    yield from base.serve_seeded(sqlite_db, tmp_path, _seed)


def _page(browser, live_server):
    """A signed-in page that records what must not happen: script errors, CSP refusals, 5xx answers."""
    page = base.signed_in_page(browser, live_server, OWNER)
    page.problems = []
    page.on("console", lambda msg: msg.type == "error" and "status of 422" not in msg.text
            and page.problems.append(msg.text))
    page.on("pageerror", lambda exc: page.problems.append(str(exc)))
    page.on("response", lambda r: r.status >= 500 and page.problems.append(r.url))
    page.on("dialog", lambda dialog: dialog.accept())  # the Launch button asks first
    return page


def _recipients(page) -> str:
    return page.inner_text("#preview-recipients").strip()


def test_the_wizard_counts_the_audience_live_and_saves_a_draft(live_server, browser):
    page = _page(browser, live_server)
    page.click("nav a[href='/campaigns']")
    page.click("#new-campaign")
    # Counted once on load (ES with consent, US; the rest left out), then after each change.
    expect(page.locator("#preview-recipients")).to_have_text("2")
    assert "No marketing consent" in page.inner_text("#preview-excluded")
    page.evaluate("window.stillHere = true")  # gone if the page reloaded

    page.select_option("#f-countries", ["US"])
    expect(page.locator("#preview-recipients")).to_have_text("1")
    assert "United States (US)" in page.inner_text("#preview-by-country")
    page.select_option("#f-countries", ["US", "DE"])
    expect(page.locator("#preview-excluded")).to_contain_text("consent")
    assert _recipients(page) == "1" and page.evaluate("window.stillHere") is True
    _shot(page, "campaign-wizard")

    # Only the chosen kind's details show; a sale asks for its dates.
    assert page.is_visible("#details-send-on") and not page.is_visible("#details-sale")
    page.check("#f-kind-sale")
    assert page.is_visible("#details-sale") and not page.is_visible("#details-send-on")
    page.check("#f-kind-announcement")

    page.fill("#f-name", "US and Germany")
    page.fill("#f-subject", "News for {name}")
    page.fill("#f-body", "Hello {name}, our spring silk is in.")
    page.click("#add-language")
    page.fill("#f-version_lang-1", "de")
    page.fill("#f-version_subject-1", "Neues für {name}")
    page.fill("#f-version_body-1", "Hallo {name}, unsere Frühlingsseide ist da.")
    page.click("#save-campaign")
    page.wait_for_selector("#campaign-name")
    assert "US and Germany" in page.inner_text("#campaign-name") and page.inner_text("#campaign-status") == "Draft"
    assert "Neues für {name}" in page.inner_text("#version-de")
    assert page.inner_text("#preview-recipients").startswith("1")
    assert not page.problems, page.problems


def test_a_saved_audience_fills_the_filter_and_the_preview_counts_it(live_server, browser):
    page = _page(browser, live_server)
    page.click("nav a[href='/campaigns']")
    page.click("#new-campaign")
    expect(page.locator("#preview-recipients")).to_have_text("2")
    page.select_option("#saved-audience", label="US buyers")
    expect(page.locator("#f-countries")).to_have_values(["US"])
    expect(page.locator("#preview-recipients")).to_have_text("1")
    assert "United States (US)" in page.inner_text("#preview-by-country")

    # Saving the filter: a taken name is refused next to the name, a new one joins the menu.
    page.select_option("#f-countries", ["ES", "US"])
    expect(page.locator("#preview-recipients")).to_have_text("2")
    page.fill("#f-saved_audience_name", "US buyers")
    page.click("#save-audience")
    expect(page.locator("#saved-audience-error")).to_contain_text("already have a saved audience named")
    page.fill("#f-saved_audience_name", "Spain and the US")
    page.press("#f-saved_audience_name", "Enter")  # saves the audience, not the campaign
    expect(page.locator("#saved-audience-status")).to_contain_text("Saved as")
    assert page.locator("#saved-audience-error").is_hidden() and page.locator("#campaign-name").count() == 0
    page.select_option("#saved-audience", label="US buyers")
    expect(page.locator("#preview-recipients")).to_have_text("1")
    page.select_option("#saved-audience", label="Spain and the US")
    expect(page.locator("#f-countries")).to_have_values(["ES", "US"])
    expect(page.locator("#preview-recipients")).to_have_text("2")
    _shot(page, "campaign-saved-audience")
    unexpected = [p for p in page.problems if "status of 409" not in p]  # the taken name's answer
    assert not unexpected, unexpected


def test_a_launch_shows_its_progress_then_the_outcome(live_server, browser, monkeypatch):
    release = threading.Event()
    real = lifecycle.launch_campaign

    def held(*args, **kwargs):  # the planning waits until the test has seen the progress bar
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(lifecycle, "launch_campaign", held)
    try:
        _launch_and_watch(browser, live_server, release)
    finally:
        release.set()  # never leave the planning thread waiting past the test


def _launch_and_watch(browser, live_server, release) -> None:
    page = _page(browser, live_server)
    page.click("nav a[href='/campaigns']")
    page.click("#campaigns-table a.campaign-link")
    assert page.inner_text("#preview-recipients").startswith("2")
    page.click("#launch-campaign")
    page.wait_for_selector("#launch-progress")
    assert "0 of 6 matching buyers" in page.inner_text("#launch-count")
    assert page.get_attribute("#launch-bar", "max") == "6"
    _shot(page, "campaign-launching")

    release.set()
    page.wait_for_selector("#last-plan", timeout=15000)  # the poll saw it done and reloaded the page
    assert "2 emails planned" in page.inner_text("#last-plan")
    assert page.inner_text("#campaign-status") == "Launched"
    assert "Already planned by this campaign" in page.inner_text("#exclusions-table")
    assert page.inner_text("#result-planned .stat-value") == "2"
    assert page.is_visible("#tracking-line")
    _shot(page, "campaign-launched")
    assert not page.problems, page.problems


def test_the_email_preview_frame_shows_the_buyers_email(live_server, browser):
    page = _page(browser, live_server)
    page.click("nav a[href='/campaigns']")
    page.click("#campaigns-table a.campaign-link")
    page.wait_for_selector("#email-frame")
    first = page.locator("#email-buyer option:checked").inner_text().split(" · ")[0]
    assert page.inner_text("#email-subject") == f"Spring news for {first}"
    assert first in page.frame_locator("#email-frame").locator("body").inner_text()

    page.select_option("#email-buyer", label=next(
        o for o in page.locator("#email-buyer option").all_inner_texts() if o.startswith("Yuki Tanaka")))
    expect(page.locator("#email-subject")).to_contain_text("Yuki")
    body = page.frame_locator("#email-frame").locator("body").inner_text()
    assert "Yuki Tanaka" in body and "Our spring silk is in." in body
    _shot(page, "campaign-email-preview")
    assert not page.problems, page.problems
