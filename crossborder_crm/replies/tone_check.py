"""Tone check for reply drafts: flags refusing, blaming or arguing phrases and offers a kinder one.

The phrases live in `replies/tone/<lang>.toml` (schema at the top of en.toml). Terms and draft go
through the same normalisation as the complaint lexicons (`replies.text.normalise`), but the draft
is normalised piece by piece so every warning points at the original text, for live highlighting.
"""
from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from crossborder_crm.replies import text as tx

TONE_PACKAGE = "crossborder_crm.replies.tone"
FALLBACK_LANGUAGE = "en"
KINDS = ("refusing", "blaming", "arguing")
_LETTER = r"[^\W_]"
# An apostrophe between letters joins them into one word (as in replies.text), so "we can" never
# matches inside "we can't" and French "l'impossible" is not "impossible".
_BEFORE = rf"(?<!{_LETTER})(?<!{_LETTER}')"
_AFTER = rf"(?!{_LETTER})(?!'{_LETTER})"
_PREFIX_TAIL = rf"(?:{_LETTER}|'{_LETTER})*"
# Hyphens separate words like spaces do, so "non-refundable" also catches "non refundable".
_SEP = r"[\s\-]+"
# "…" in a word term skips a few words, but never across a clause break.
_WORD_GAP = rf"(?:{_SEP}[^\s.,;:!?]+){{0,{tx.WORD_GAP}}}?{_SEP}"
# Apostrophe look-alikes that replies.text.normalise leaves alone.
_APOSTROPHES = str.maketrans({"‘": "'", "ʼ": "'", "′": "'"})


@dataclass(frozen=True)
class ToneWarning:
    """One phrase of the draft that sounds refusing, blaming or arguing, and what to say instead."""

    kind: str
    phrase: str
    start: int
    end: int
    suggestion: str


@dataclass(frozen=True)
class _Rule:
    kind: str
    suggestion: str
    patterns: tuple[tuple[str, re.Pattern[str]], ...]  # (anchor, pattern): a text without the anchor is skipped


@dataclass(frozen=True)
class _Rules:
    language: str
    fold_accents: bool
    rules: tuple[_Rule, ...]


@lru_cache(maxsize=8192)
def _normalise(text: str, fold_accents: bool) -> str:
    return tx.normalise(text, fold_accents).translate(_APOSTROPHES)


@lru_cache(maxsize=4096)
def _attaches(char: str) -> bool:
    """Whether the character belongs to the one before it (a combining mark, half-width dakuten, jamo)."""
    first = unicodedata.normalize("NFKC", char)[:1]
    return bool(first) and unicodedata.combining(first) != 0 or "\u1160" <= char <= "\u11ff"


_ASCII_RUN = re.compile(r"[\x00-\x7f]+")


def _normalise_mapped(text: str, fold_accents: bool) -> tuple[str, list[int], list[int]]:
    """The normalised text, and for each of its characters the original span it came from.

    Normalisation may change the length (ß → ss, İ → i̇, e + ◌́ → é), so it runs per grapheme-ish
    cluster: a base character with the marks that attach to it, which NFKC composes together.
    ASCII keeps its length and positions (lower case only), so a run of it is done in one piece.
    """
    parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = 0
    while i < len(text):
        run = _ASCII_RUN.match(text, i)
        if run is not None and (run.end() == len(text) or not _attaches(text[run.end()])):
            parts.append(_normalise(run.group(), fold_accents))
            starts += range(i, run.end())
            ends += range(i + 1, run.end() + 1)
            i = run.end()
            continue
        j = i + 1
        while j < len(text) and _attaches(text[j]):
            j += 1
        norm = _normalise(text[i:j], fold_accents)
        parts.append(norm)
        starts += [i] * len(norm)
        ends += [j] * len(norm)
        i = j
    return "".join(parts), starts, ends


def _word_pattern(norm: str) -> re.Pattern[str]:
    regex, gap = "", False
    for token in tx.split_term(norm.replace("-", " ")):
        if token == tx.GAP:
            gap = bool(regex)
            continue
        body = re.escape(token[:-1]) + _PREFIX_TAIL if token.endswith("*") else re.escape(token)
        regex += (_WORD_GAP if gap else _SEP) + body if regex else body
        gap = False
    return re.compile(_BEFORE + regex + _AFTER)


def _substring_pattern(norm: str) -> re.Pattern[str]:
    # Spacing is optional: Korean and Arabic writers space the same phrase differently.
    pieces = [r"\s*".join(map(re.escape, piece.split())) for piece in norm.replace("...", tx.GAP).split(tx.GAP)]
    return re.compile(f".{{0,{tx.CHAR_GAP}}}?".join(p for p in pieces if p))


def _parse(data: dict[str, Any], name: str) -> _Rules:
    substring = data.get("match", "word") == "substring"
    fold = bool(data.get("fold_accents", False))
    rules = []
    for number, rule in enumerate(data.get("rules", []), 1):
        where = f"tone/{name}.toml rule {number}"
        if rule.get("kind") not in KINDS:
            raise ValueError(f"{where}: kind must be one of {KINDS}, not {rule.get('kind')!r}")
        if not str(rule.get("suggestion", "")).strip():
            raise ValueError(f"{where}: the suggestion is empty")
        norms = [_normalise(t.strip(), fold).rstrip("*" if substring else "") for t in rule.get("terms", [])]
        if not norms or not all(n.strip(" *….") for n in norms):
            raise ValueError(f"{where}: terms must be a non-empty list of non-empty phrases")
        patterns = tuple((tx.anchor_of(n.replace("-", " ")) if not substring else "",
                          _substring_pattern(n) if substring else _word_pattern(n)) for n in norms)
        rules.append(_Rule(rule["kind"], rule["suggestion"].strip(), patterns))
    return _Rules(data.get("language", name), fold, tuple(rules))


@cache
def tone_languages() -> tuple[str, ...]:
    """The languages that have a tone rules file, sorted."""
    names = (p.name for p in resources.files(TONE_PACKAGE).iterdir())
    return tuple(sorted(n[:-5] for n in names if n.endswith(".toml")))


@cache
def _rules_for(primary: str) -> _Rules:
    language = primary if primary in tone_languages() else FALLBACK_LANGUAGE
    source = resources.files(TONE_PACKAGE).joinpath(f"{language}.toml").read_text(encoding="utf-8")
    return _parse(tomllib.loads(source), language)


def check_tone(text: str, language: str) -> list[ToneWarning]:
    """Refusing, blaming and arguing phrases in `text`, by position, with a positive alternative each.

    `language` is a BCP 47 tag ("pt-BR", "zh_Hans"); a language without rules is checked in English.
    """
    primary = re.split(r"[-_]", (language or "").strip(), maxsplit=1)[0].lower()
    rules = _rules_for(primary)
    norm, starts, ends = _normalise_mapped(text, rules.fold_accents)
    found: list[tuple[int, int, _Rule]] = []
    for rule in rules.rules:
        for anchor, pattern in rule.patterns:
            if anchor in norm:
                found += [(starts[m.start()], ends[m.end() - 1], rule)
                          for m in pattern.finditer(norm) if m.end() > m.start()]
    # Longest first, so "we are not responsible" wins over the "not responsible" inside it; a
    # shorter match is kept only where it overlaps nothing already kept.
    found.sort(key=lambda f: (f[0] - f[1], f[0]))
    kept: list[tuple[int, int, _Rule]] = []
    for start, end, rule in found:
        if all(end <= s or start >= e for s, e, _ in kept):
            kept.append((start, end, rule))
    return [ToneWarning(rule.kind, text[start:end], start, end, rule.suggestion)
            for start, end, rule in sorted(kept, key=lambda k: k[0])]
