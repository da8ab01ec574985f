"""Text normalisation and term matching for the complaint lexicons.

How a lexicon term matches a text (both go through the same `normalise`):

- Case-folding always; NFKC always (full-width forms, ligatures).
- Accents are stripped (NFD minus combining marks) only for languages whose lexicon says
  `fold_accents = true`, so "llegó" matches "llego"; never for Hangul or kana, whose NFD would
  split syllables. A few letters with no decomposition are mapped by hand (ł, ı, ß, Arabic alef
  forms, tā' marbūṭa, alif maqṣūra) so buyers who type without them still match.
- Word languages (`match = "word"`): the text is split into word tokens and a term is a sequence
  of tokens. A token ending in `*` is a prefix (cheap stemming: "повреж*" matches "повреждён",
  "поврежденный"); a token `…` (or `...`) skips 0–3 tokens ("not … received" matches
  "not yet received"). No other stemming.
- Script languages (`match = "substring"`, ja/ko/zh): no word boundaries; a term is a plain
  substring of the normalised text, and `…` skips up to 6 characters.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

GAP = "…"
WORD_GAP = 3
CHAR_GAP = 6
# Letters NFD does not decompose but buyers often type without (or with a variant of).
_HAND_FOLDS = str.maketrans({"ł": "l", "ı": "i", "ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d",
                             "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ـ": ""})
_TOKEN = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
# Clause breaks stop negation from reaching across ("not broken, but late").
_CLAUSE = re.compile(r"[.,;:!?¡¿()\[\]\"«»—–\n،؛。、,!?;:]")


def normalise(text: str, fold_accents: bool) -> str:
    """Case-folded NFKC text, accents stripped when `fold_accents`; apostrophes made plain."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("’", "'").replace("`", "'")
    if fold_accents:
        text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
        text = unicodedata.normalize("NFC", text)
    # Arabic harakat are combining marks too, but Arabic is not accent-folded as a whole.
    text = "".join(c for c in text if not ("\u064b" <= c <= "\u0652"))
    return text.translate(_HAND_FOLDS)


@dataclass(frozen=True)
class Token:
    """One word of a text, with the index of the clause it stands in."""

    text: str
    clause: int


def tokenize(text: str) -> list[Token]:
    """Word tokens of an already normalised text, each tagged with its clause number."""
    tokens: list[Token] = []
    for clause, part in enumerate(_CLAUSE.split(text)):
        tokens += [Token(m.group(0), clause) for m in _TOKEN.finditer(part)]
    return tokens


def split_term(term: str) -> list[str]:
    """A normalised word term as its tokens; `...` is the gap token too."""
    return [GAP if t in (GAP, "...") else t for t in term.replace("...", f" {GAP} ").replace(GAP, f" {GAP} ").split()]


def _token_matches(pattern: str, token: str) -> bool:
    if pattern.endswith("*"):
        return token.startswith(pattern[:-1])
    return token == pattern


def _match_from(pattern: list[str], tokens: list[Token], start: int) -> int | None:
    """End index (exclusive) when `pattern` matches tokens from `start`, else None."""
    if not pattern:
        return start
    head, rest = pattern[0], pattern[1:]
    if head == GAP:
        for skip in range(WORD_GAP + 1):
            end = _match_from(rest, tokens, start + skip)
            if end is not None:
                return end
        return None
    if start < len(tokens) and _token_matches(head, tokens[start].text):
        return _match_from(rest, tokens, start + 1)
    return None


def find_word_term(pattern: list[str], tokens: list[Token]) -> list[tuple[int, int]]:
    """(start, end) token spans where the pattern matches, not overlapping."""
    spans, i = [], 0
    while i < len(tokens):
        end = _match_from(pattern, tokens, i)
        if end is not None and end > i:
            spans.append((i, end))
            i = end
        else:
            i += 1
    return spans


_LITERAL_RUN = re.compile(r"[^\W_]+")


def anchor_of(term: str) -> str:
    """The longest run of letters or digits a normalised term always contains: a text without it cannot
    match, so scanning skips the term at the cost of one substring test."""
    runs = [run for token in split_term(term) if token != GAP
            for run in _LITERAL_RUN.findall(token[:-1] if token.endswith("*") else token)]
    return max(runs, key=len, default="")


def substring_regex(term: str) -> re.Pattern[str]:
    """A regex for a substring term, `…` allowing up to CHAR_GAP characters."""
    parts = [re.escape(p.strip()) for p in term.replace("...", GAP).split(GAP)]
    return re.compile(f".{{0,{CHAR_GAP}}}?".join(parts))


def clause_of(text: str, offset: int) -> int:
    """The clause number of a character offset in a substring-matched text."""
    return len(_CLAUSE.findall(text[:offset]))
