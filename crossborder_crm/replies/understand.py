"""The whole first step on a complaint: its language, what it is about and how serious it is."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from crossborder_crm.replies.classify import Classification, ShipmentState, classify, scan_text
from crossborder_crm.replies.language import LanguageGuess, base_language, detect_language
from crossborder_crm.replies.severity import Severity, assess

# A second language read with its lexicon too when lingua gives it this much (mixed texts).
SECOND_LANGUAGE = 0.25
# Buyers sprinkle English into any language ("tracking", "refund", "PayPal"): always read it.
ALWAYS_READ = ("en",)


@dataclass(frozen=True)
class Complaint:
    """A review, dispute or message as plain data, with what we know around it."""

    text: str
    rating: int | None = None
    profile_language: str | None = None
    shipment: ShipmentState | None = None
    repeat_count: int = 0


@dataclass(frozen=True)
class Understanding:
    """Language, classification and severity of one complaint."""

    language: LanguageGuess
    classification: Classification
    severity: Severity

    @property
    def category(self) -> str:
        """The primary category."""
        return self.classification.category


def reading_languages(guess: LanguageGuess, profile_language: str | None) -> tuple[str, ...]:
    """Whose lexicons read the text: detected, profile's, strong others (mixed texts), English."""
    second = [tag for tag, conf in guess.candidates[1:2] + guess.mixture if conf >= SECOND_LANGUAGE]
    found = [base_language(guess.tag), base_language(profile_language), *second, *ALWAYS_READ]
    return tuple(dict.fromkeys(t for t in found if t))


def understand(complaint: Complaint,
               detect: Callable[[str, str | None], LanguageGuess] = detect_language) -> Understanding:
    """Detect the language, classify and assess one complaint (no I/O beyond the packaged data)."""
    guess = detect(complaint.text, complaint.profile_language)
    hits = scan_text(complaint.text, reading_languages(guess, complaint.profile_language))
    classification = classify(complaint.text, (), complaint.rating, complaint.shipment, hits=hits)
    severity = assess(complaint.text, hits, complaint.rating, complaint.repeat_count)
    return Understanding(guess, classification, severity)
