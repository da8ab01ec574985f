"""Machine-made email catalogs: placeholders protected and checked, filled once per language by the
worker's job, installed from the cache only once complete, English until then."""
from __future__ import annotations

import pytest

from crossborder_crm.i18n.emails import email_translations, machine_translated, template_values
from crossborder_crm.i18n.machine_catalog import (EmailTemplate, TemplateMessage, build_catalog, email_template,
                                                  fill_machine_catalogs, forget_machine_catalogs, protect,
                                                  read_template, refresh_machine_catalogs, restore)
from crossborder_crm.i18n.translation_cache import CachedTranslator, text_digest
from crossborder_crm.i18n.translator import FakeTranslator, TranslationFailed
from crossborder_crm.outbox.render import RenderInput, clear_caches, render

SMALL = EmailTemplate((TemplateMessage("Hello %(name)s,"), TemplateMessage("Unsubscribe"),
                       TemplateMessage("%(num)d day late", "%(num)d days late")))


@pytest.fixture(autouse=True)
def no_machine_catalogs():
    """Each test starts and ends with no machine catalog installed in the process."""
    forget_machine_catalogs()
    clear_caches()
    yield
    forget_machine_catalogs()
    clear_caches()


class FailsAfter(FakeTranslator):
    """Translates `n` texts, then fails."""

    def __init__(self, n: int):
        super().__init__()
        self.n = n

    def translate(self, text, target, source):
        if len(self.calls) >= self.n:
            self.calls.append((text, target, source))
            raise TranslationFailed("libre answered 500")
        return super().translate(text, target, source)


def cached_for(template: EmailTemplate, translate) -> dict[str, str]:
    """What the cache would hold for every string of `template`, translated by `translate`."""
    return {text_digest(p.text): translate(p.text) for p in template.to_translate()}


def delivered_notice(locale: str) -> RenderInput:
    from tests.outbox.test_email_templates import CONTEXT

    return RenderInput(locale=locale, buyer_name="Somchai", seller_name="Shop", postal_address=None, subject=None,
                       body=None, template="shipment_delivered", context=template_values(locale, CONTEXT),
                       unsubscribe_url=None, preferences_url=None)


# ------------------------------------------------------------------------------ placeholders


def test_placeholders_go_to_the_translator_as_numbered_tokens():
    p = protect("Carrier: %(carrier)s, order %(order)s (100%%)")
    assert p.text == "Carrier: {0}, order {1} (100%)"
    assert p.placeholders == ("%(carrier)s", "%(order)s")


def test_a_translation_gets_its_placeholders_back_in_its_own_order():
    p = protect("Carrier: %(carrier)s, order %(order)s")
    assert restore("Bestellung {1}, Spediteur {0}", p) == "Bestellung %(order)s, Spediteur %(carrier)s"


@pytest.mark.parametrize("translated", ["Transporteur :", "Transporteur : {0} {0}", "Transporteur : {0} {1}"])
def test_a_translation_that_lost_doubled_or_invented_a_placeholder_is_refused(translated):
    assert restore(translated, protect("Carrier: %(carrier)s")) is None


def test_a_percent_sign_in_a_translation_stays_a_percent_sign():
    restored = restore("Remise 50 % : {0}", protect("Discount: %(amount)s"))
    assert restored % {"amount": "4 €"} == "Remise 50 % : 4 €"


def test_full_width_tokens_are_read_back():
    assert restore("承运人：｛０｝", protect("Carrier: %(carrier)s")) == "承运人：%(carrier)s"


def test_markup_a_translation_brings_is_refused():
    assert restore("<b>Abmelden</b>", protect("Unsubscribe")) is None


def test_a_string_with_braces_of_its_own_is_not_sent():
    assert protect("Use code {SALE}") is None


# ------------------------------------------------------------------------------ the template


def _pot(tmp_path, name: str, created: str, msgid: str):
    path = tmp_path / name
    path.write_text(f'msgid ""\nmsgstr ""\n"POT-Creation-Date: {created}\\n"\n\nmsgid "{msgid}"\nmsgstr ""\n')
    return read_template(path)


def test_the_template_hash_follows_its_messages_not_its_dates(tmp_path):
    a = _pot(tmp_path, "a.pot", "2026-12-04 01:00+0000", "Hello")
    b = _pot(tmp_path, "b.pot", "2027-01-01 09:00+0000", "Hello")
    c = _pot(tmp_path, "c.pot", "2026-12-04 01:00+0000", "Hello!")
    assert a.digest == b.digest != c.digest


def test_the_packaged_template_holds_the_email_strings():
    msgids = {m.msgid for m in email_template().messages}
    assert {"This email was translated automatically.", "Unsubscribe"} <= msgids


# ------------------------------------------------------------------------------- the catalog


def test_no_catalog_until_every_string_has_a_translation():
    cached = cached_for(SMALL, lambda t: f"[th] {t}")
    cached.pop(text_digest("Unsubscribe"))
    assert build_catalog(SMALL, cached) is None


def test_a_complete_catalog_translates_with_placeholders_filled():
    catalog = build_catalog(SMALL, cached_for(SMALL, lambda t: f"[th] {t}"))
    assert catalog.gettext("Hello %(name)s,") % {"name": "Somchai"} == "[th] Hello Somchai,"
    assert catalog.ngettext("%(num)d day late", "%(num)d days late", 3) % {"num": 3} == "[th] 3 days late"
    assert catalog.machine_made


def test_a_message_whose_placeholder_was_lost_stays_english():
    catalog = build_catalog(SMALL, cached_for(SMALL, lambda t: "[th] " + t.replace("{0}", "")))
    assert catalog.gettext("Hello %(name)s,") == "Hello %(name)s,"
    assert catalog.gettext("Unsubscribe") == "[th] Unsubscribe"
    assert catalog.ngettext("%(num)d day late", "%(num)d days late", 1) == "%(num)d day late"


# ---------------------------------------------------------------------------------- the fill


def test_the_fill_translates_each_string_once_per_language(database, clock):
    inner = FakeTranslator()
    translator = CachedTranslator(inner, database, clock)
    result = fill_machine_catalogs(translator, ["th-TH", "th", "vi-VN"], template=SMALL)
    assert (result.complete, result.translated) == (["th", "vi"], 2 * len(SMALL.to_translate()))
    assert fill_machine_catalogs(translator, ["th-TH", "vi-VN"], template=SMALL).translated == 0
    assert len(inner.calls) == 2 * len(SMALL.to_translate())


def test_the_fill_leaves_languages_with_a_shipped_catalog_alone(database, clock):
    inner = FakeTranslator()
    fill_machine_catalogs(CachedTranslator(inner, database, clock), ["en", "en-US", "en-GB"], template=SMALL)
    assert inner.calls == []


def test_a_language_stops_at_its_first_failure_and_the_others_go_on(database, clock):
    inner = FailsAfter(len(SMALL.to_translate()))
    result = fill_machine_catalogs(CachedTranslator(inner, database, clock), ["th", "vi"], template=SMALL)
    assert result.complete == ["th"] and result.failed == {"vi": "libre answered 500"}
    assert len(inner.calls) == len(SMALL.to_translate()) + 1


def test_the_fill_stops_when_its_time_is_up(database, clock):
    inner = FakeTranslator()
    result = fill_machine_catalogs(CachedTranslator(inner, database, clock), ["th"], budget_seconds=0, template=SMALL)
    assert result.out_of_time and inner.calls == []


# -------------------------------------------------------------------- installing, rendering


def test_a_complete_catalog_is_installed_and_the_email_says_it_was_translated(database, clock):
    translator = CachedTranslator(FakeTranslator(), database, clock)
    fill_machine_catalogs(translator, ["th-TH"])
    assert refresh_machine_catalogs(translator) is True
    assert machine_translated("th-TH") and email_translations("th").gettext("Unsubscribe") == "[th] Unsubscribe"
    clear_caches()
    out = render(delivered_notice("th-TH"))
    assert out.subject.startswith("[th] ")
    assert "[th] This email was translated automatically." in out.text
    assert "[th] This email was translated automatically." in out.html


def test_until_the_catalog_is_complete_the_email_goes_in_english(database, clock):
    translator = CachedTranslator(FailsAfter(3), database, clock)
    fill_machine_catalogs(translator, ["th-TH"])
    assert refresh_machine_catalogs(translator) is False
    out = render(delivered_notice("th-TH"))
    assert out.subject == "Your order has been delivered"
    assert "translated automatically" not in out.text


def test_new_rows_complete_the_catalog_at_the_next_refresh(database, clock):
    partial = CachedTranslator(FailsAfter(3), database, clock)
    fill_machine_catalogs(partial, ["vi"])
    refresh_machine_catalogs(partial)
    assert not machine_translated("vi")
    fill_machine_catalogs(CachedTranslator(FakeTranslator(), database, clock), ["vi"])
    assert refresh_machine_catalogs(partial) is True
    assert machine_translated("vi-VN")


def test_a_refresh_with_no_new_rows_changes_nothing(database, clock):
    translator = CachedTranslator(FakeTranslator(), database, clock)
    fill_machine_catalogs(translator, ["id"])
    assert refresh_machine_catalogs(translator) is True
    assert refresh_machine_catalogs(translator) is False


def test_another_providers_rows_are_not_used(database, clock):
    fill_machine_catalogs(CachedTranslator(FakeTranslator(), database, clock), ["th"])

    class Libre(FakeTranslator):
        name = "libre"

    assert refresh_machine_catalogs(CachedTranslator(Libre(), database, clock)) is False
    assert not machine_translated("th")


def test_a_language_with_a_shipped_catalog_never_gets_a_machine_one(database, clock):
    translator = CachedTranslator(FakeTranslator(), database, clock)
    for p in email_template().to_translate():  # as if a fill had run for English
        translator.translate(p.text, "en", "en")
    refresh_machine_catalogs(translator)
    assert not machine_translated("en") and "machine_translated" not in template_values("en", {})
