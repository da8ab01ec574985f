"""The translator's cache: one row per (provider, source language, target language, text)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crossborder_crm.db import Base, UTCDateTime


class CachedTranslation(Base):
    """A machine translation that succeeded (failures are never stored).

    The text is identified by its SHA-256 only: the cache keeps the translation, never the
    original (a seller's message stays in the message row). Languages are
    `translator.translation_language` tags ("auto" for a source the provider detected).
    """

    __tablename__ = "translation_cache"
    __table_args__ = (UniqueConstraint("provider", "source_language", "target_language", "text_sha256",
                                       name="uq_translation_cache_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(32))
    source_language: Mapped[str] = mapped_column(String(35))
    target_language: Mapped[str] = mapped_column(String(35))
    text_sha256: Mapped[str] = mapped_column(String(64))
    translated: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
