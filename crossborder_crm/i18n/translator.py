"""Machine translation behind one small interface: `Translator.translate(text, target, source)`.

A translator answers the text in the target language or raises `TranslationFailed` with a reason
a seller can read ("timeout after 5 s", "libre answered 400: ..."); callers never block on it:
they send the text as written and keep the reason. Implementations: `FakeTranslator` (offline,
deterministic) here, the deep-translator providers in `deep_translators`, and the database cache
around either in `translation_cache`.

Language tags are ours (BCP 47, as on a buyer profile); `translation_language` reduces a tag to
what a translation depends on, and each provider maps that to its own codes.
"""
from __future__ import annotations

from typing import Protocol

# Older or alternative primary subtags -> the BCP 47 preferred ones.
_PREFERRED = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "no": "nb"}
# Regions that read Traditional Chinese when the tag names no script.
_TRADITIONAL_REGIONS = frozenset({"TW", "HK", "MO"})


class TranslationFailed(Exception):
    """The text could not be translated; `reason` says why, in a few words (no secrets, no text)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Translator(Protocol):
    """Translates text; `name` identifies the provider (it is part of the cache key)."""

    name: str

    def translate(self, text: str, target: str, source: str | None) -> str:
        """`text` in the `target` language (from `source`; None: let the provider detect it).

        Raises TranslationFailed when it cannot.
        """
        ...


def _subtags(tag: str) -> list[str]:
    return [p for p in (tag or "").strip().replace("_", "-").split("-") if p]


def primary_language(tag: str | None) -> str:
    """The language part of a tag, lower-case and in its preferred form: "pt-BR" -> "pt", "iw" -> "he"."""
    parts = _subtags(tag or "")
    lang = parts[0].lower() if parts else ""
    return _PREFERRED.get(lang, lang)


def same_language(a: str | None, b: str | None) -> bool:
    """True when two tags name the same language: "pt-BR" and "pt" do, "de" and "de-AT" do."""
    return bool(a and b) and primary_language(a) == primary_language(b)


def translation_language(tag: str | None) -> str:
    """What a translation into (or from) `tag` depends on: the language, plus the script for Chinese
    ("zh-CN" Simplified, "zh-TW" Traditional) and Brazil for Portuguese ("pt-BR"); "" when unknown.

    Tags that differ only in what this drops share one cached translation ("es-MX" and "es").
    """
    parts = _subtags(tag or "")
    lang = primary_language(tag)
    if not lang or lang in ("und", "root"):
        return ""
    rest = parts[1:]
    script = next((p.title() for p in rest if len(p) == 4 and p.isalpha()), None)
    region = next((p.upper() for p in rest if len(p) == 2 and p.isalpha()), None)
    if lang == "zh":
        traditional = script == "Hant" or (script is None and region in _TRADITIONAL_REGIONS)
        return "zh-TW" if traditional else "zh-CN"
    if lang == "pt":
        return "pt-BR" if region == "BR" else "pt"
    return lang


class FakeTranslator:
    """Offline and deterministic: "[th] original text". For tests and `CRM_TRANSLATOR=fake`.

    `fail` makes every call raise TranslationFailed with that reason; `calls` records each call as
    (text, target, source), so tests can tell a cached answer from a new one.
    """

    name = "fake"

    def __init__(self, fail: str | None = None):
        self.fail = fail
        self.calls: list[tuple[str, str, str | None]] = []

    def translate(self, text: str, target: str, source: str | None) -> str:
        self.calls.append((text, target, source))
        if self.fail:
            raise TranslationFailed(self.fail)
        return f"[{target}] {text}" if text.strip() else text

