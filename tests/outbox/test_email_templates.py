"""Every email kind rendered in every shipped language: translated, filled, local formats, RTL, both parts."""
from __future__ import annotations

import re
from dataclasses import replace

import pytest
from babel.messages.pofile import read_po

from crossborder_crm.i18n.catalogs import catalog_paths
from crossborder_crm.outbox.render import RenderInput, render
from crossborder_crm.shipments.notices import DELAY, FOLLOW_UP, INCIDENT, MILESTONE_TEMPLATES

KINDS = MILESTONE_TEMPLATES + (DELAY, INCIDENT, FOLLOW_UP)
LANGUAGES = sorted(p.parent.parent.name.replace("_", "-") for p in catalog_paths("emails"))
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
CONTEXT = {
    "order_ref": "#1001", "items": [{"name": "Silk scarf", "quantity": 2}], "order_total_minor": 4990,
    "currency": "EUR", "carrier_name": "DHL Express", "tracking_number": "JD014600006281230704",
    "tracking_url": "https://track.example/JD014600006281230704", "shipped_at": "2026-12-01T10:00:00+00:00",
    "expected_delivery": "2026-12-12T00:00:00+00:00", "destination_country": "DE", "last_location": "Leipzig Hub",
    "last_checkpoint_at": "2026-12-03T09:00:00+00:00", "duties_note": "Import duties of EUR 4.10 to pay",
    "days_without_news": 8, "incident_reason": "port strike", "help_url": "https://shop.example/help",
}


def notice(template: str, locale: str, **context) -> RenderInput:
    return RenderInput(locale=locale, buyer_name="Anna", seller_name="Shenzhen Outdoor Co.",
                       postal_address="88 Keyuan Rd, Shenzhen", subject=None, body=None, template=template,
                       context=dict(CONTEXT, **context), unsubscribe_url=None, preferences_url=None)


def english_fragments() -> set[str]:
    """Pieces of every English email string long enough that a translation never keeps them."""
    with catalog_paths("emails")[0].parent.parent.parent.joinpath("en/LC_MESSAGES/emails.po").open("rb") as f:
        cat = read_po(f)
    pieces = set()
    for m in cat:
        for text in (m.id if isinstance(m.id, tuple) else (m.id,)):
            pieces.update(p.strip(" .,:()") for p in PLACEHOLDER.split(text or ""))
    return {p for p in pieces if len(p) >= 14}


ENGLISH = english_fragments()


@pytest.mark.parametrize("locale", [lang for lang in LANGUAGES if lang != "en"])
@pytest.mark.parametrize("template", KINDS)
def test_every_notice_is_fully_translated_and_filled(template, locale):
    out = render(notice(template, locale))
    for part in (out.subject, out.text, out.html):
        assert part.strip()
        assert not PLACEHOLDER.search(part), part
        assert [p for p in ENGLISH if p in part] == []


@pytest.mark.parametrize("template", KINDS)
def test_every_notice_has_its_own_subject_and_both_parts(template):
    out = render(notice(template, "en"))
    assert out.subject and out.subject in out.html
    assert "Hello Anna," in out.text and "Hello Anna," in out.html
    assert "Shenzhen Outdoor Co." in out.text


def test_the_expected_date_is_written_in_the_buyers_calendar_format():
    assert "12. Dezember 2026" in render(notice("shipment_in_transit", "de-DE")).text
    assert "2026年12月12日" in render(notice("shipment_in_transit", "ja-JP")).text
    assert "December 12, 2026" in render(notice("shipment_in_transit", "en-US")).text


def test_money_is_written_in_the_buyers_locale():
    assert "49,90\xa0€" in render(notice("shipment_in_transit", "de-DE")).text
    assert "€49.90" in render(notice("shipment_in_transit", "en-US")).text


def test_a_currency_without_minor_units_is_not_divided():
    assert "¥4,990" in render(notice("shipment_in_transit", "en-US", currency="JPY")).text


def test_the_destination_country_is_named_in_the_buyers_language():
    assert "Deutschland" in render(notice("shipment_arrived_destination", "de-DE")).text


@pytest.mark.parametrize("locale", ["ar", "he"])
def test_arabic_and_hebrew_notices_are_right_to_left(locale):
    out = render(notice("shipment_delivered", locale))
    assert 'dir="rtl"' in out.html and f'lang="{locale}"' in out.html


def test_the_footer_speaks_the_buyers_language():
    out = render(RenderInput(locale="fr", buyer_name="Luc", seller_name="S", postal_address=None, subject="Promo",
                             body="Bonjour", template=None, context={}, unsubscribe_url="https://x.example/u/t",
                             preferences_url=None))
    assert "Unsubscribe" not in out.text and "https://x.example/u/t" in out.text


def test_the_delay_notice_counts_days_with_the_languages_plural_forms():
    assert "8 дней" in render(notice("shipment_delay", "ru")).text
    assert "1 день" in render(notice("shipment_delay", "ru", days_without_news=1)).text


def test_a_late_parcel_without_a_quiet_spell_gets_the_late_wording():
    out = render(notice("shipment_delay", "en", days_without_news=None))
    assert "taking longer than expected" in out.text


def test_unknown_facts_are_left_out_not_printed_empty():
    out = render(notice("shipment_in_transit", "en", carrier_name=None, tracking_url=None, expected_delivery=None,
                        order_ref=None))
    assert "Carrier:" not in out.text and "Expected delivery" not in out.text and "Track your parcel" not in out.html
    assert "the carrier" in out.text


def test_the_help_link_is_a_link_in_html_and_escaped():
    out = render(notice("shipment_delivered", "en", help_url='https://shop.example/help?a=1&b="2"'))
    assert '<a href="https://shop.example/help?a=1&amp;b=&#34;2&#34;"' in out.html


def test_a_buyer_language_without_a_catalog_gets_english():
    assert render(notice("shipment_delivered", "th")).subject == "Your order has been delivered"


def test_a_machine_translated_written_message_says_so_and_keeps_the_original():
    out = render(RenderInput(locale="es", buyer_name="Ana", seller_name="S", postal_address=None, subject="Hola",
                             body="Hola Ana", template=None, unsubscribe_url=None, preferences_url=None,
                             context={"translated_from": "de", "original_body": "Hallo <Ana>"}))
    assert "alemán" in out.text and "Hallo <Ana>" in out.text
    assert "Hallo &lt;Ana&gt;" in out.html


def test_a_subject_given_with_the_message_wins_over_the_templates():
    assert render(replace(notice("shipment_delivered", "de"), subject="Ihr Paket")).subject == "Ihr Paket"
