"""Free-text inputs of a buyer profile: blank-to-None cleaning and accent-insensitive lookup keys."""
from __future__ import annotations

import re
import unicodedata

_DROP_CHARS = dict.fromkeys(map(ord, "'’‘ʻʼ`´."), None)
_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Accent-, case- and punctuation-insensitive key: "Québec" -> "quebec", "St. John's" -> "st johns"."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(stripped.casefold().translate(_DROP_CHARS)))


def clean(value: object) -> str | None:
    """Strip a free-text input; empty becomes None."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None
