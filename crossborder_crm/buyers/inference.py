"""What a time-zone or language inference returns: the value and where it came from.

`timezone.infer_timezone` and `language.infer_language` both answer with an `Inferred`.
"""
from __future__ import annotations

from dataclasses import dataclass

TIMEZONE_SOURCES = ("given", "region", "postal_code", "country", "country_default")
LANGUAGE_SOURCES = ("given", "marketplace_locale", "country_language", "seller_default")
CONFIDENCES = ("high", "medium", "low")

GIVEN_EXPLANATION = "given on the buyer profile"


@dataclass(frozen=True)
class Inferred:
    """An inferred (or given) value and where it came from."""

    value: str  # e.g. "America/Chicago" or "pt-BR"
    source: str  # machine code, one of TIMEZONE_SOURCES / LANGUAGE_SOURCES
    confidence: str  # "high" | "medium" | "low"
    explanation: str  # human text for the buyer panel
