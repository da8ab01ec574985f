"""What a complaint is about: categories scored from lexicon hits, the rating and shipment facts.

Pure functions over plain data; the weights and rules are in lexicons/*.toml.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from crossborder_crm.replies.lexicon import SIGNAL_GROUPS, Hit, load_lexicon, rules

OTHER = "other"


@dataclass(frozen=True)
class ShipmentState:
    """What the carrier says: a canonical milestone and days past the expected date, if known."""

    milestone: str
    days_late: int | None = None


@dataclass(frozen=True)
class Evidence:
    """One reason for a category: a matched term, the rating or the shipment state."""

    source: str  # "text" | "rating" | "shipment"
    category: str
    detail: str
    weight: float
    negated: bool = False
    language: str | None = None


@dataclass(frozen=True)
class Classification:
    """The primary category, every category that scored (best first), scores and evidence."""

    category: str
    categories: tuple[str, ...]
    scores: dict[str, float]
    evidence: tuple[Evidence, ...]


def categories() -> tuple[str, ...]:
    """Every category name, `other` last."""
    return tuple(rules()["categories"])


def scan_text(text: str, languages: Sequence[str]) -> list[Hit]:
    """Hits of every lexicon in `languages` (duplicates and languages without a lexicon skipped)."""
    hits: list[Hit] = []
    for language in dict.fromkeys(languages):
        lexicon = load_lexicon(language)
        if lexicon is not None:
            hits += lexicon.scan(text)
    return hits


def text_evidence(hits: Sequence[Hit]) -> list[Evidence]:
    """Category evidence from hits; a term found by two lexicons counts once."""
    seen: set[tuple[str, str]] = set()
    evidence = []
    for hit in hits:
        key = (hit.group, hit.matched)
        if hit.group in SIGNAL_GROUPS or key in seen:
            continue
        seen.add(key)
        evidence.append(Evidence("text", hit.group, hit.matched, hit.weight, hit.negated, hit.language))
    return _drop_contained(evidence)


def _drop_contained(evidence: list[Evidence]) -> list[Evidence]:
    """A match inside a longer match of the same category adds nothing ("arrived" in "never arrived")."""
    return [e for e in evidence
            if not any(o is not e and o.category == e.category and o.negated == e.negated
                       and e.detail in o.detail and len(o.detail) > len(e.detail) for o in evidence)]


def shipment_evidence(shipment: ShipmentState | None) -> list[Evidence]:
    """Category evidence from the shipment's milestone and lateness, per rules.toml."""
    if shipment is None:
        return []
    late = shipment.days_late is not None and shipment.days_late > 0
    detail = f"milestone={shipment.milestone}" + (f", {shipment.days_late} days late" if late else "")
    evidence = []
    for rule in rules()["shipment"].values():
        if shipment.milestone not in rule["milestones"]:
            continue
        weights = dict(rule.get("always", {}))
        weights.update(rule.get("late" if late else "on_time", {}))
        evidence += [Evidence("shipment", c, detail, w) for c, w in weights.items()]
    # Recorded even when it weighs nothing: "carrier says delivered" matters to the reply.
    return evidence or [Evidence("shipment", "", detail, 0.0)]


def rating_evidence(rating: int | None, has_text_evidence: bool) -> list[Evidence]:
    """The rating as evidence: for `other` when it is negative and the text says nothing we know."""
    if rating is None:
        return []
    if not has_text_evidence and rating <= rules()["rating"]["negative_at_most"]:
        return [Evidence("rating", OTHER, f"rating={rating}", 1.0)]
    return [Evidence("rating", "", f"rating={rating}", 0.0)]


def score(evidence: Sequence[Evidence]) -> dict[str, float]:
    """Summed weights per category of the evidence that is not negated."""
    scores: dict[str, float] = {}
    for e in evidence:
        if e.category and not e.negated:
            scores[e.category] = scores.get(e.category, 0.0) + e.weight
    return scores


def rank(scores: dict[str, float]) -> tuple[str, ...]:
    """Categories that reach the thresholds, best first; ties broken by the precedence list."""
    r = rules()
    order = {c: i for i, c in enumerate(r["precedence"])}
    top = max(scores.values(), default=0.0)
    kept = [c for c, s in scores.items() if s >= r["min_score"] and s >= top * r["secondary_ratio"]]
    kept.sort(key=lambda c: (-scores[c], order.get(c, len(order))))
    return tuple(kept) or (OTHER,)


def classify(text: str, languages: Sequence[str], rating: int | None = None,
             shipment: ShipmentState | None = None, hits: Sequence[Hit] | None = None) -> Classification:
    """Categorise a complaint read with the lexicons of `languages` (hits may be passed in, pre-scanned)."""
    found = text_evidence(hits if hits is not None else scan_text(text, languages))
    has_text = any(not e.negated for e in found)
    evidence = found + shipment_evidence(shipment) + rating_evidence(rating, has_text)
    scores = score(evidence)
    ranked = rank(scores)
    return Classification(ranked[0], ranked, scores, tuple(evidence))
