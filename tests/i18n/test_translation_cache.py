"""The translation cache: one provider call per (provider, languages, text), failures not kept,
on SQLite and PostgreSQL."""
from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select

from crossborder_crm.i18n.translation_cache import CachedTranslator
from crossborder_crm.i18n.translation_models import CachedTranslation
from crossborder_crm.i18n.translator import FakeTranslator, TranslationFailed


class Named(FakeTranslator):
    def __init__(self, name: str, **kw):
        super().__init__(**kw)
        self.name = name


def rows(db) -> list[CachedTranslation]:
    with db.reading() as s:
        return list(s.scalars(select(CachedTranslation).order_by(CachedTranslation.id)))


def test_a_text_goes_to_the_provider_once(database, clock):
    inner = FakeTranslator()
    cache = CachedTranslator(inner, database, clock)
    assert cache.translate("Your parcel is on its way", "th", "en") == "[th] Your parcel is on its way"
    assert cache.translate("Your parcel is on its way", "th", "en") == "[th] Your parcel is on its way"
    assert len(inner.calls) == 1


def test_the_cache_survives_the_process(database, clock):
    CachedTranslator(FakeTranslator(), database, clock).translate("Hello", "vi", "en")
    later = FakeTranslator(fail="must not be asked")
    assert CachedTranslator(later, database, clock).translate("Hello", "vi", "en") == "[vi] Hello"
    assert later.calls == []


def test_each_target_language_is_its_own_entry(database, clock):
    inner = FakeTranslator()
    cache = CachedTranslator(inner, database, clock)
    assert [cache.translate("Hello", lang, "en") for lang in ("th", "vi")] == ["[th] Hello", "[vi] Hello"]
    assert len(inner.calls) == 2


def test_each_provider_is_its_own_entry(database, clock):
    CachedTranslator(Named("libre"), database, clock).translate("Hello", "th", "en")
    other = Named("deepl")
    CachedTranslator(other, database, clock).translate("Hello", "th", "en")
    assert len(other.calls) == 1
    assert [r.provider for r in rows(database)] == ["libre", "deepl"]


def test_tags_that_translate_alike_share_an_entry(database, clock):
    inner = FakeTranslator()
    cache = CachedTranslator(inner, database, clock)
    cache.translate("Hello", "th-TH", "en-US")
    cache.translate("Hello", "th", "en")
    assert inner.calls == [("Hello", "th", "en")]


def test_the_row_keeps_the_texts_digest_and_translation_never_the_text(database, clock):
    CachedTranslator(FakeTranslator(), database, clock).translate("Meet me at 5, Ana", "de", "en")
    (row,) = rows(database)
    assert (row.provider, row.source_language, row.target_language) == ("fake", "en", "de")
    assert row.text_sha256 == hashlib.sha256("Meet me at 5, Ana".encode()).hexdigest()
    assert row.translated == "[de] Meet me at 5, Ana"
    assert row.created_at == clock.now()


def test_an_unknown_source_is_stored_as_auto(database, clock):
    inner = FakeTranslator()
    CachedTranslator(inner, database, clock).translate("Hallo", "en", None)
    assert inner.calls == [("Hallo", "en", None)]
    assert rows(database)[0].source_language == "auto"


def test_a_failure_is_not_cached(database, clock):
    failing = FakeTranslator(fail="libre answered 500")
    with pytest.raises(TranslationFailed):
        CachedTranslator(failing, database, clock).translate("Hello", "th", "en")
    assert rows(database) == []
    working = FakeTranslator()
    assert CachedTranslator(working, database, clock).translate("Hello", "th", "en") == "[th] Hello"
    assert len(working.calls) == 1


def test_a_blank_text_is_not_sent_or_stored(database, clock):
    inner = FakeTranslator()
    assert CachedTranslator(inner, database, clock).translate(" \n", "th", "en") == " \n"
    assert inner.calls == [] and rows(database) == []


def test_two_processes_storing_the_same_text_keep_one_row(database, clock):
    first = CachedTranslator(FakeTranslator(), database, clock)
    second = CachedTranslator(FakeTranslator(), database, clock)
    first._store("en", "th", "ab" * 32, "one")
    second._store("en", "th", "ab" * 32, "two")  # lost the race: no error, the first stays
    with database.reading() as s:
        assert s.scalar(select(func.count()).select_from(CachedTranslation)) == 1
    assert first.cached("th", "en", ["ab" * 32]) == {"ab" * 32: "one"}
