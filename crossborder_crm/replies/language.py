"""Offline language detection of complaints (lingua), the buyer's profile language breaking ties.

The detector knows only the languages buyers write to us in, which makes short texts far more
reliable; it is built once, on first use, and loads each language model lazily.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

SUPPORTED = ("en", "es", "fr", "de", "it", "pt", "ru", "pl", "nl", "tr", "ar", "ja", "ko", "zh", "he", "sv")
UNDETERMINED = "und"
# Below this top confidence, or within MARGIN of the top, the profile language wins: lingua's
# confidences on two-word texts are close and the profile is the better prior there.
LOW_CONFIDENCE = 0.5
MARGIN = 0.2
# From this many words a text may mix languages ("el tracking dice delivered"): the language of
# most words wins over lingua's whole-text guess, which English loanwords pull towards English.
MIXED_MIN_WORDS = 6
MAJORITY = 0.5
# ...but only when lingua is unsure of the whole text: its per-span guesses are noisier.
MIXED_BELOW = 0.9
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class LanguageGuess:
    """A BCP-47 tag, its confidence (0–1), where it came from, and lingua's ranked candidates."""

    tag: str
    confidence: float
    source: str  # "detected" | "profile" | "none"
    candidates: tuple[tuple[str, float], ...] = ()
    mixture: tuple[tuple[str, float], ...] = ()  # share of words per language, mixed texts only


@cache
def detector() -> LanguageDetector:
    """The one detector, restricted to SUPPORTED (built on first use)."""
    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in SUPPORTED]
    return LanguageDetectorBuilder.from_languages(*languages).build()


def base_language(tag: str | None) -> str | None:
    """The primary subtag of a BCP-47 tag, lower case ("pt" for "pt-BR"), or None."""
    if not tag:
        return None
    return tag.replace("_", "-").split("-")[0].lower() or None


def candidates(text: str) -> tuple[tuple[str, float], ...]:
    """Lingua's supported languages for the text with their confidences, best first."""
    values = detector().compute_language_confidence_values(text)
    return tuple((v.language.iso_code_639_1.name.lower(), v.value) for v in values if v.value > 0)


def word_shares(text: str) -> tuple[tuple[str, float], ...]:
    """Share of the words written in each language, largest first (lingua's mixed-text mode)."""
    counts: dict[str, int] = {}
    for part in detector().detect_multiple_languages_of(text):
        tag = part.language.iso_code_639_1.name.lower()
        counts[tag] = counts.get(tag, 0) + part.word_count
    total = sum(counts.values()) or 1
    return tuple(sorted(((t, n / total) for t, n in counts.items()), key=lambda x: -x[1]))


def detect_language(text: str, profile_language: str | None = None) -> LanguageGuess:
    """The language a complaint is written in; `profile_language` (BCP-47) decides unclear cases."""
    profile = base_language(profile_language)
    usable_profile = profile if profile in SUPPORTED else None
    if not _LETTER.search(text or ""):
        if usable_profile:
            return LanguageGuess(profile_language, 0.0, "profile")
        return LanguageGuess(UNDETERMINED, 0.0, "none")
    ranked = candidates(text)
    if not ranked:
        return LanguageGuess(profile_language or UNDETERMINED, 0.0, "profile" if profile else "none")
    top, top_conf = ranked[0]
    mixture: tuple[tuple[str, float], ...] = ()
    if len(text.split()) >= MIXED_MIN_WORDS and top_conf < MIXED_BELOW:
        mixture = word_shares(text)
        if len(mixture) > 1 and mixture[0][0] != top and mixture[0][1] > MAJORITY:
            top, top_conf = mixture[0]
    if usable_profile and usable_profile != top:
        profile_conf = dict(ranked).get(usable_profile, 0.0)
        if top_conf < LOW_CONFIDENCE or top_conf - profile_conf < MARGIN:
            return LanguageGuess(profile_language, profile_conf, "profile", ranked, mixture)
    # Same language as the profile: keep the profile's region/script ("pt-BR", "zh-Hant").
    tag = profile_language if usable_profile == top else top
    return LanguageGuess(tag, top_conf, "detected", ranked, mixture)
