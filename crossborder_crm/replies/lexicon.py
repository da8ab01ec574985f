"""The complaint lexicons (one TOML file per language) and the rules file, loaded once each.

A lexicon lists, per category, terms with weights, plus negation words, threat terms and anger
terms; `scan` finds them in a text. The matching rules are described in `replies.text`.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from crossborder_crm.replies import text as tx

LEXICON_PACKAGE = "crossborder_crm.replies.lexicons"
RULES_FILE = "rules.toml"
# Groups of terms that are not categories: scanned the same way, scored by severity.
SIGNAL_GROUPS = ("threats", "anger")


@dataclass(frozen=True)
class Term:
    """One lexicon entry, already normalised: a token pattern (word languages) or a regex."""

    raw: str
    weight: float
    tokens: tuple[str, ...] = ()
    regex: re.Pattern[str] | None = None
    anchor: str = ""  # text lacking it cannot match (tx.anchor_of)


@dataclass(frozen=True)
class Hit:
    """A term found in a text: its group (a category, `threats` or `anger`) and whether negated."""

    group: str
    term: str
    matched: str
    weight: float
    negated: bool
    language: str


@dataclass(frozen=True)
class Lexicon:
    """One language's terms and the settings that say how they match."""

    language: str
    substring: bool
    fold_accents: bool
    negations: frozenset[str]
    negation_window: int
    negations_after: tuple[str, ...]
    groups: dict[str, tuple[Term, ...]]

    def normalise(self, text: str) -> str:
        """The text as this lexicon's terms are written after normalisation."""
        return tx.normalise(text, self.fold_accents)

    def scan(self, text: str) -> list[Hit]:
        """Every term of every group found in `text`, negated ones included (marked)."""
        norm = self.normalise(text)
        if self.substring:
            return self._scan_substring(norm)
        return self._scan_words(norm, tx.tokenize(norm))

    def _scan_words(self, norm: str, tokens: list[tx.Token]) -> list[Hit]:
        hits = []
        for group, terms in self.groups.items():
            for term in terms:
                if term.anchor not in norm:
                    continue
                for start, end in tx.find_word_term(list(term.tokens), tokens):
                    negated = self._negated_before(tokens, start, term) if group not in SIGNAL_GROUPS else False
                    matched = " ".join(t.text for t in tokens[start:end])
                    hits.append(Hit(group, term.raw, matched, term.weight, negated, self.language))
        return hits

    def _negated_before(self, tokens: list[tx.Token], start: int, term: Term) -> bool:
        # A term that itself starts with a negation ("not received") already says what it means.
        if term.tokens[0] in self.negations:
            return False
        clause = tokens[start].clause
        window = tokens[max(0, start - self.negation_window):start]
        return any(t.clause == clause and t.text in self.negations for t in window)

    def _scan_substring(self, norm: str) -> list[Hit]:
        hits = []
        for group, terms in self.groups.items():
            for term in terms:
                if term.anchor not in norm:
                    continue
                for m in term.regex.finditer(norm):
                    negated = group not in SIGNAL_GROUPS and self._negated_around(norm, m, term)
                    hits.append(Hit(group, term.raw, m.group(0), term.weight, negated, self.language))
        return hits

    def _negated_around(self, norm: str, m: re.Match[str], term: Term) -> bool:
        if any(term.raw.startswith(n) for n in self.negations):
            return False
        clause = tx.clause_of(norm, m.start())
        before = norm[max(0, m.start() - self.negation_window):m.start()]
        after = norm[m.end():m.end() + 4]
        if tx.clause_of(norm, m.end()) == clause and any(after.startswith(n) for n in self.negations_after):
            return True
        return any(n in before and tx.clause_of(norm, m.start() - len(before) + before.rindex(n)) == clause
                   for n in self.negations)


def _terms(table: Any, lexicon_language: str, fold: bool, substring: bool, where: str) -> tuple[Term, ...]:
    """Terms from a TOML table {term = weight} or a list of terms (weight 1)."""
    items = table.items() if isinstance(table, dict) else ((t, 1.0) for t in table)
    terms = []
    for raw, weight in items:
        if not isinstance(weight, (int, float)) or weight <= 0:
            raise ValueError(f"lexicon {lexicon_language}: {where}: weight of {raw!r} must be a positive number")
        norm = tx.normalise(raw, fold)
        if substring:
            terms.append(Term(raw, float(weight), regex=tx.substring_regex(norm), anchor=tx.anchor_of(norm)))
        else:
            terms.append(Term(raw, float(weight), tokens=tuple(tx.split_term(norm)), anchor=tx.anchor_of(norm)))
    return tuple(terms)


def parse_lexicon(data: dict[str, Any], categories: tuple[str, ...]) -> Lexicon:
    """A Lexicon from the parsed TOML, checking categories and weights."""
    language = data["language"]
    substring = data.get("match", "word") == "substring"
    fold = bool(data.get("fold_accents", False))
    unknown = set(data.get("categories", {})) - set(categories)
    if unknown:
        raise ValueError(f"lexicon {language}: unknown categories {sorted(unknown)}")
    groups = {c: _terms(t, language, fold, substring, c) for c, t in data.get("categories", {}).items()}
    for group in SIGNAL_GROUPS:
        groups[group] = _terms(data.get(group, []), language, fold, substring, group)
    return Lexicon(
        language=language,
        substring=substring,
        fold_accents=fold,
        negations=frozenset(tx.normalise(n, fold) for n in data.get("negations", [])),
        negation_window=int(data.get("negation_window", 3)),
        negations_after=tuple(tx.normalise(n, fold) for n in data.get("negations_after", [])),
        groups=groups,
    )


def _read(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files(LEXICON_PACKAGE).joinpath(name).read_text(encoding="utf-8"))


@cache
def rules() -> dict[str, Any]:
    """The language-independent rules (categories, shipment and rating evidence, severity)."""
    return _read(RULES_FILE)


@cache
def lexicon_languages() -> tuple[str, ...]:
    """The languages that have a lexicon file."""
    names = (p.name for p in resources.files(LEXICON_PACKAGE).iterdir())
    return tuple(sorted(n[:-5] for n in names if n.endswith(".toml") and n != RULES_FILE))


@cache
def load_lexicon(language: str) -> Lexicon | None:
    """The lexicon for a primary language subtag ("pt" for "pt-BR"), or None when there is none."""
    base = language.split("-")[0].split("_")[0].lower()
    if base not in lexicon_languages():
        return None
    return parse_lexicon(_read(f"{base}.toml"), tuple(rules()["categories"]))
