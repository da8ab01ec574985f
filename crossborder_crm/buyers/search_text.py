"""Accent- and case-free search text: "Müller" and "muller" fold to the same string.

Stored per buyer (Buyer.search_text, filled on every write) so that the same LIKE finds it on
SQLite and PostgreSQL alike, without an `unaccent` extension.
"""
from __future__ import annotations

import unicodedata

# Letters that carry no combining mark to strip (NFKD leaves them whole).
_SPECIAL = str.maketrans({"ø": "o", "đ": "d", "ł": "l", "æ": "ae", "œ": "oe", "þ": "th", "ħ": "h",
                          "ı": "i", "ß": "ss"})


SEARCH_TEXT_MAX = 600  # the column's length


def buyer_search_text(name: str | None, email: str | None) -> str:
    """What Buyer.search_text holds for this name and email."""
    return fold(name, email)[:SEARCH_TEXT_MAX]


def fold(*parts: str | None) -> str:
    """The parts joined by a space, casefolded, accents and other combining marks removed."""
    text = " ".join(p for p in parts if p).casefold().translate(_SPECIAL)
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
