"""How serious a complaint is: threats, anger markers, a one-star rating and earlier complaints."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from crossborder_crm.replies.lexicon import Hit, rules

LEVELS = ("low", "medium", "high")
_CAPS_WORD = re.compile(r"\b[^\W\d_]{3,}\b")


@dataclass(frozen=True)
class Severity:
    """A level (low/medium/high), the points behind it and the reasons, for the seller to see."""

    level: str
    points: int
    reasons: tuple[str, ...]


def shouted_words(text: str) -> list[str]:
    """Words of three or more letters written all in capitals (scripts without case never count)."""
    return [w for w in _CAPS_WORD.findall(text) if w.isupper()]


def assess(text: str, hits: Sequence[Hit], rating: int | None = None, repeat_count: int = 0) -> Severity:
    """Severity from the threat/anger hits of the lexicons and the markers in the raw text."""
    r = rules()["severity"]
    points, reasons = 0, []
    threats = sorted({h.matched for h in hits if h.group == "threats"})
    if threats:
        points += r["threat"]
        reasons.append("threat: " + ", ".join(threats))
    anger = sorted({h.matched for h in hits if h.group == "anger"})
    if anger:
        points += r["anger_term"]
        reasons.append("anger: " + ", ".join(anger))
    if re.search(r"[!!]{%d,}" % r["exclamation_run"], text):
        points += r["exclamations"]
        reasons.append("exclamation marks")
    shouted = shouted_words(text)
    if len(shouted) >= r["shouting_words"]:
        points += r["shouting"]
        reasons.append("all caps: " + " ".join(shouted[:5]))
    if rating == 1:
        points += r["one_star"]
        reasons.append("one-star rating")
    if repeat_count > 0:
        points += min(repeat_count * r["repeat_each"], r["repeat_max"])
        reasons.append(f"repeat complaint ({repeat_count} before)")
    level = "high" if threats or points >= r["high"] else "medium" if points >= r["medium"] else "low"
    return Severity(level, points, tuple(reasons))
