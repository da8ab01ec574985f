"""The reply phrase catalogs (replies/phrases/<lang>.toml): which language has one, and its sentences."""
from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from string import Formatter
from typing import Mapping

from crossborder_crm.i18n.translator import translation_language

PHRASES_PACKAGE = "crossborder_crm.replies.phrases"
MASTER = "en"


class Phrasebook:
    """One language's phrases by dotted key ("apology.damaged"), filled with str.format-style values."""

    def __init__(self, language: str, tables: Mapping[str, Mapping[str, str]], sentence_separator: str = " "):
        self.language = language
        self.sentence_separator = sentence_separator  # "" where a script puts no space between sentences
        self._phrases = {f"{table}.{key}": text for table, keys in tables.items() if isinstance(keys, dict)
                         for key, text in keys.items()}

    def has(self, key: str) -> bool:
        """True when the catalog has this key."""
        return key in self._phrases

    def say(self, key: str, **values: object) -> str:
        """The phrase filled in; KeyError for an unknown key or a missing value (a catalog bug)."""
        return self._phrases[key].format_map(values)

    def keys(self) -> frozenset[str]:
        """Every dotted key of the catalog."""
        return frozenset(self._phrases)

    def placeholders(self, key: str) -> frozenset[str]:
        """The {names} a phrase needs."""
        return frozenset(name for _, name, _, _ in Formatter().parse(self._phrases[key]) if name)


@cache
def catalog_languages() -> tuple[str, ...]:
    """Languages with a phrase catalog (file names)."""
    names = (p.name for p in resources.files(PHRASES_PACKAGE).iterdir())
    return tuple(sorted(n[:-5] for n in names if n.endswith(".toml")))


def catalog_for(tag: str | None) -> str | None:
    """The catalog that writes to a reader of `tag` ("pt-BR" -> "pt", "zh-CN" -> "zh"); None when none does.

    The Chinese catalog is Simplified: a Traditional reader (zh-TW, zh-Hant) has none.
    """
    wanted = translation_language(tag)
    code = {"zh-CN": "zh", "zh-TW": None, "pt-BR": "pt"}.get(wanted, wanted)
    return code if code in catalog_languages() else None


@cache
def phrasebook(language: str) -> Phrasebook:
    """The catalog of one language code from `catalog_languages()`."""
    text = resources.files(PHRASES_PACKAGE).joinpath(f"{language}.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return Phrasebook(language, {k: v for k, v in data.items() if isinstance(v, dict)},
                      str(data.get("sentence_separator", " ")))
