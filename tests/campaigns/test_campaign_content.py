"""A campaign's words per buyer: the version in their language, placeholders in their formats, and
versions the seller did not write translated and marked, or left with the reason."""
from __future__ import annotations

from datetime import datetime

from crossborder_crm.campaigns.content import Facts, fill, values, version_for
from crossborder_crm.campaigns.content_translation import translate_missing
from crossborder_crm.i18n.translator import FakeTranslator

VERSIONS = {"en": {"subject": "Hi {name}", "body": "x"}, "pt-BR": {"subject": "Oi {name}", "body": "y"}}


def test_a_buyer_gets_the_version_of_their_exact_tag():
    assert version_for(VERSIONS, "en", "pt-BR") == "pt-BR"


def test_a_buyer_gets_a_version_of_their_language_in_another_region():
    assert version_for(VERSIONS, "en", "pt-PT") == "pt-BR"


def test_a_buyer_without_a_version_gets_the_sellers():
    assert version_for(VERSIONS, "en", "ja-JP") == "en"


def test_the_price_is_in_the_buyers_currency_and_number_format():
    facts = Facts("Shop", product={"name": "Tea", "prices": {"USD": 1299, "EUR": 1199}})
    assert values(facts, frozenset({"price"}), name="", country="DE", locale="de-DE")["price"] == "11,99\xa0€"
    assert values(facts, frozenset({"price"}), name="", country="JP", locale="ja-JP")["price"] == "$12.99"


def test_the_end_of_a_sale_is_written_the_buyers_way():
    ends = datetime(2026, 3, 11, 18, 0)
    facts = Facts("Shop", offer={"coupon": "X"})
    assert values(facts, frozenset({"ends"}), name="", country="DE", locale="de-DE", ends_local=ends)["ends"] == \
        "11.03.2026, 18:00"


def test_unknown_braces_are_left_as_written():
    assert fill("{name} and {json}", {"name": "Amy"}) == "Amy and {json}"


def test_a_missing_language_is_machine_translated_and_marked_for_review():
    out = translate_missing(FakeTranslator(), {"language": "en", "versions": dict(VERSIONS)}, ["de-DE", "en-US"])
    assert out["versions"]["de"]["subject"] == "[de] Hi {name}"
    assert out["versions"]["de"]["origin"] == "machine" and "review" in out["versions"]["de"]["note"]
    assert set(out["versions"]) == {"en", "pt-BR", "de"}


def test_without_a_translator_a_missing_language_keeps_the_sellers_version_with_the_reason():
    out = translate_missing(None, {"language": "en", "versions": dict(VERSIONS)}, ["de-DE"])
    assert "de" not in out["versions"] and out["notes"]["de"].startswith("translator off")


def test_a_translation_that_loses_a_placeholder_is_not_used():
    class Lossy(FakeTranslator):
        def translate(self, text, target, source):
            return text.replace("{name}", "Name")

    out = translate_missing(Lossy(), {"language": "en", "versions": dict(VERSIONS)}, ["de"])
    assert "de" not in out["versions"] and "placeholder" in out["notes"]["de"]


def test_a_failed_translation_says_why():
    out = translate_missing(FakeTranslator(fail="quota"), {"language": "en", "versions": dict(VERSIONS)}, ["fr"])
    assert out["notes"]["fr"].startswith("translation failed (quota)")
