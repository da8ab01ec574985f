"""The panel and translated written messages: the write form's translation choice, and the message
page showing the original beside the translation with the note."""
from __future__ import annotations

import pytest

from crossborder_crm.i18n.translation_cache import CachedTranslator
from crossborder_crm.i18n.translator import FakeTranslator
from tests.panel.html import Page
from tests.panel.test_outbox_pages import NONCE, get

WRITTEN = {"subject": "Your scarf", "body": "It ships tomorrow.\n\nLi"}


@pytest.fixture
def translator_on(services):
    services.translator = CachedTranslator(FakeTranslator(), services.db, services.clock)
    return services.translator


def write(client, buyer_id, **fields):
    data = {**WRITTEN, "kind": "conversation", "when": "best", "local": "", "nonce": NONCE, **fields}
    response = client.post(f"/buyers/{buyer_id}/messages", data=data)
    assert response.status_code == 302, response.data[-2000:]
    return int(response.headers["Location"].split("scheduled=")[1].split("#")[0].split("&")[0])


def test_the_form_offers_translation_into_the_buyers_language(panel_a, shop_a, translator_on):
    page = Page(panel_a.get(f"/buyers/{shop_a['lucia'].id}").data)
    assert "checked" in page.find("f-translate").attrs
    assert "Spanish" in page.text("translate-choice")


def test_a_ticked_box_sends_the_translation(panel_a, services, shop_a, translator_on):
    msg = get(services, write(panel_a, shop_a["lucia"].id, translate="1"))
    assert (msg.subject, msg.original_subject) == ("[es] Your scarf", "Your scarf")
    assert msg.translation_note == "machine-translated from en by fake"


def test_an_unticked_box_sends_it_as_written(panel_a, services, shop_a, translator_on):
    msg = get(services, write(panel_a, shop_a["lucia"].id))  # an unticked checkbox is not posted
    assert msg.subject == "Your scarf" and msg.original_body is None
    assert msg.translation_note == "not translated, as the seller asked: sent as written"


def test_with_the_translator_off_the_form_says_the_message_goes_as_written(panel_a, shop_a):
    page = Page(panel_a.get(f"/buyers/{shop_a['lucia'].id}").data)
    assert page.find("f-translate") is None
    assert "Machine translation is off" in page.text("translate-off")


def test_a_buyer_of_the_sellers_language_gets_no_translation_choice(panel_a, shop_a, translator_on):
    page = Page(panel_a.get(f"/buyers/{shop_a['maria'].id}").data)
    assert page.find("f-translate") is None and page.find("translate-off") is None


def test_the_message_page_shows_the_original_beside_the_translation(panel_a, services, shop_a, translator_on):
    message_id = write(panel_a, shop_a["lucia"].id, translate="1")
    page = Page(panel_a.get(f"/outbox/{message_id}").data)
    assert page.text("translation-note") == "machine-translated from en by fake"
    translated = page.text("translated-text")
    assert "[es] Your scarf" in translated and "[es] It ships tomorrow." in translated
    original = page.text("original-text")
    assert "Your scarf" in original and "It ships tomorrow." in original and "[es]" not in original
    assert "English" in original


def test_a_message_sent_as_written_shows_why_without_an_original(panel_a, services, shop_a):
    message_id = write(panel_a, shop_a["lucia"].id, translate="1")  # the translator is off
    page = Page(panel_a.get(f"/outbox/{message_id}").data)
    assert page.text("translation-note") == "translator off: sent as written"
    assert page.find("original-text") is None


def test_a_message_in_the_buyers_own_language_shows_no_translation_part(panel_a, services, shop_a, translator_on):
    message_id = write(panel_a, shop_a["maria"].id)
    page = Page(panel_a.get(f"/outbox/{message_id}").data)
    assert page.find("translation-note") is None
