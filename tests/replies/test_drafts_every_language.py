"""Every draft in every catalog language: the facts filled in, nothing left in English, nothing the
tone check flags; for each kind, category and remedy."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pytest

from crossborder_crm.replies.compose import compose
from crossborder_crm.replies.facts import Facts, OrderFacts, ParcelFacts
from crossborder_crm.replies.phrasebook import MASTER, catalog_languages, phrasebook
from crossborder_crm.replies.remedy import DEFAULT_RULES, REMEDIES, Remedy
from crossborder_crm.replies.tone_check import check_tone

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=timezone.utc)
ORDER = OrderFacts(7, "#1001", datetime(2026, 3, 1, 10, 0, tzinfo=timezone.utc), ("Tea set", "Cups"), 4500, "EUR")
MOVING = ParcelFacts(1, "Correos", "RR1", "https://t.example/RR1", "in_transit",
                     datetime(2026, 3, 14, 8, tzinfo=timezone.utc), "Madrid", datetime(2026, 3, 14, 8, tzinfo=timezone.utc),
                     datetime(2026, 3, 3, 8, tzinfo=timezone.utc), None, date(2026, 3, 24), True, True, 9)
DELIVERED = ParcelFacts(1, "Correos", "RR1", None, "delivered", None, None, None,
                        datetime(2026, 3, 3, 8, tzinfo=timezone.utc), datetime(2026, 3, 12, 8, tzinfo=timezone.utc),
                        None, False, False, None)
REMEDY_VALUES = {"promise": date(2026, 3, 29), "days": 3, "hours": 24, "percent": 30, "amount_minor": 1350,
                 "coupon_percent": 10}
LANGUAGES = [lang for lang in catalog_languages() if lang != MASTER]
KINDS = ("review", "dispute", "message")
FACTS = {"moving": Facts(1, "Lucía", "es", "l@example.es", ORDER, MOVING),
         "delivered": Facts(1, "Lucía", "es", "l@example.es", ORDER, DELIVERED),
         "no order": Facts(None, None, None, None, None, None)}


def all_drafts(language: str):
    book = phrasebook(language)
    for kind in KINDS:
        for category in DEFAULT_RULES:
            for key in REMEDIES:
                remedy = Remedy(key, photos=category in ("damaged", "wrong_item"), **REMEDY_VALUES)
                for facts in FACTS.values():
                    yield compose(book, kind, category, facts, remedy, "Aurora Silk Co.", NOW)


def english_of(book_language: str) -> list[str]:
    english = compose(phrasebook(MASTER), "review", "damaged", FACTS["moving"],
                      Remedy("reship", photos=True, **REMEDY_VALUES), "Aurora Silk Co.", NOW)
    return [s for s in re.split(r"(?<=[.!?])\s+|\n+", english.body + " " + (english.public_reply or ""))
            if len(s) > 20 and "Aurora" not in s and "https://" not in s]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_draft_has_its_placeholders_filled(language):
    for d in all_drafts(language):
        for text in (d.subject, d.body, d.public_reply or ""):
            assert not re.search(r"\{[a-z_]*\}|None|\(\)", text), (language, text)


@pytest.mark.parametrize("language", [MASTER, *LANGUAGES])
def test_no_draft_is_flagged_by_the_tone_check(language):
    seen = set()
    for d in all_drafts(language):
        for text in (d.body, d.public_reply or ""):
            if text in seen:
                continue
            seen.add(text)
            assert check_tone(text, d.locale) == [], (language, text)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_english_sentence_is_left_in_a_translated_draft(language):
    english = english_of(language)
    for d in all_drafts(language):
        for sentence in english:
            assert sentence not in d.body, (language, sentence)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_facts_reach_every_language(language):
    d = compose(phrasebook(language), "dispute", "not_received", FACTS["moving"],
                Remedy("wait", promise=date(2026, 3, 29)), "Aurora Silk Co.", NOW)
    for fact in ("Madrid", "Correos", "https://t.example/RR1", "#1001", "Lucía", "Aurora Silk Co."):
        assert fact in d.subject + d.body, (language, fact)
    assert "29" in d.body and "2026" in d.body  # the promised date, in the language's own format
