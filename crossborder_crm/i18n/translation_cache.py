"""Translations cached in the database, per (provider, source language, target language, SHA-256
of the text): a text is sent to the provider once; a failure is not stored, so it is tried again
next time. Also where the configured translator is built (`make_translator`).
"""
from __future__ import annotations

import hashlib
from typing import Any, Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.i18n.deep_translators import DeepTranslator
from crossborder_crm.i18n.translation_models import CachedTranslation
from crossborder_crm.i18n.translator import FakeTranslator, Translator, translation_language


def text_digest(text: str) -> str:
    """The cache's key for a text: SHA-256 of its UTF-8 bytes, hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cache_languages(target: str, source: str | None) -> tuple[str, str]:
    """(source, target) as the cache stores them: `translation_language` tags, "auto" for no source."""
    return translation_language(source) or "auto", translation_language(target)


class CachedTranslator:
    """A Translator that asks `inner` only for texts it has not translated before."""

    def __init__(self, inner: Translator, db: Database, clock: Clock):
        self.inner, self.db, self.clock = inner, db, clock
        self.name = inner.name

    def cached(self, target: str, source: str | None, digests: Iterable[str]) -> dict[str, str]:
        """The stored translations of these texts (by digest) into `target`; missing ones left out."""
        src, tgt = cache_languages(target, source)
        wanted = list(dict.fromkeys(digests))
        found: dict[str, str] = {}
        with self.db.reading() as s:
            for start in range(0, len(wanted), 500):
                rows = s.execute(select(CachedTranslation.text_sha256, CachedTranslation.translated).where(
                    CachedTranslation.provider == self.name, CachedTranslation.source_language == src,
                    CachedTranslation.target_language == tgt,
                    CachedTranslation.text_sha256.in_(wanted[start:start + 500])))
                found.update((digest, text) for digest, text in rows)
        return found

    def translate(self, text: str, target: str, source: str | None) -> str:
        """The cached translation, else the provider's (stored); TranslationFailed is passed on."""
        if not text.strip():
            return text
        digest = text_digest(text)
        hit = self.cached(target, source, [digest]).get(digest)
        if hit is not None:
            return hit
        src, tgt = cache_languages(target, source)
        translated = self.inner.translate(text, tgt, None if src == "auto" else src)
        self._store(src, tgt, digest, translated)
        return translated

    def _store(self, src: str, tgt: str, digest: str, translated: str) -> None:
        """Insert the row; another process that stored the same text first wins (same key)."""
        with self.db.transaction() as s:
            insert = pg_insert if self.db.dialect == "postgresql" else sqlite_insert
            s.execute(insert(CachedTranslation).values(
                provider=self.name, source_language=src, target_language=tgt, text_sha256=digest,
                translated=translated, created_at=self.clock.now()).on_conflict_do_nothing(
                index_elements=["provider", "source_language", "target_language", "text_sha256"]))


def provider_translator(settings: Mapping[str, Any]) -> Translator | None:
    """The provider the settings name (TRANSLATOR and its TRANSLATOR_* values), uncached; None when off."""
    name = settings.get("TRANSLATOR", "off") or "off"
    if name == "off":
        return None
    if name == "fake":
        return FakeTranslator()
    return DeepTranslator(name, url=settings.get("TRANSLATOR_URL", ""), api_key=settings.get("TRANSLATOR_API_KEY", ""),
                          region=settings.get("TRANSLATOR_REGION", ""),
                          timeout=float(settings.get("TRANSLATOR_TIMEOUT_SECONDS", 5.0)))


def make_translator(settings: Mapping[str, Any], db: Database, clock: Clock) -> CachedTranslator | None:
    """The configured translator behind the database cache; None when translation is off."""
    inner = provider_translator(settings)
    return None if inner is None else CachedTranslator(inner, db, clock)
