"""The reply phrase catalogs (replies/phrases/*.toml): every language mirrors en.toml exactly."""
from __future__ import annotations

import tomllib
from importlib.resources import files
from string import Formatter

import pytest

PACKAGE = "crossborder_crm.replies.phrases"
MASTER = "en"
EXPECTED = ("en", "zh", "es", "fr", "de", "it", "pt", "ru", "pl", "nl", "tr", "ar", "ja", "ko")


def _load_all() -> dict[str, dict]:
    folder = files(PACKAGE)
    return {p.name[:-5]: tomllib.loads(p.read_text(encoding="utf-8"))
            for p in folder.iterdir() if p.name.endswith(".toml")}


CATALOGS = _load_all()
LANGUAGES = sorted(CATALOGS)
TRANSLATIONS = [lang for lang in LANGUAGES if lang != MASTER]


def _phrases(catalog: dict) -> dict[str, str]:
    """Dotted key ("apology.damaged") -> phrase, over the catalog's tables."""
    return {f"{table}.{key}": value for table, keys in catalog.items() if isinstance(keys, dict)
            for key, value in keys.items()}


# Settings a catalog may add for its script (e.g. no space between sentences in Chinese and Japanese).
OPTIONAL_SETTINGS = {"sentence_separator"}


def _shape(catalog: dict) -> dict[str, set[str] | None]:
    """Each top-level name with the keys of its table (None for a plain value such as `language`)."""
    return {name: set(value) if isinstance(value, dict) else None for name, value in catalog.items()
            if name not in OPTIONAL_SETTINGS}


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


def _literal(text: str) -> str:
    return "".join(literal for literal, _, _, _ in Formatter().parse(text))


MASTER_PHRASES = _phrases(CATALOGS[MASTER])
ALL_PLACEHOLDERS = set().union(*(_placeholders(v) for v in MASTER_PHRASES.values()))
SAMPLE = {name: f"<{name}>" for name in ALL_PLACEHOLDERS} | {"days": 5, "usual": 12, "hours": 24, "percent": 30}


def test_every_expected_language_has_a_catalog():
    assert set(EXPECTED) <= set(LANGUAGES)


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_a_catalog_has_the_tables_and_keys_of_the_master(language):
    assert _shape(CATALOGS[language]) == _shape(CATALOGS[MASTER])


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_every_phrase_has_the_placeholders_of_the_master(language):
    phrases = _phrases(CATALOGS[language])
    wrong = {key: (_placeholders(phrases[key]), _placeholders(text))
             for key, text in MASTER_PHRASES.items()
             if key in phrases and _placeholders(phrases[key]) != _placeholders(text)}
    assert wrong == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_phrase_is_empty(language):
    values = _phrases(CATALOGS[language])
    assert [key for key, text in values.items() if not isinstance(text, str) or not text.strip()] == []


@pytest.mark.parametrize("language", TRANSLATIONS)
def test_no_phrase_is_left_in_english(language):
    phrases = _phrases(CATALOGS[language])
    untranslated = [key for key, text in MASTER_PHRASES.items()
                    if phrases.get(key) == text and any(ch.isalnum() for ch in _literal(text))]
    assert untranslated == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_language_field_matches_the_file_name(language):
    assert CATALOGS[language].get("language") == language


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_phrase_renders_with_sample_values(language):
    for key, text in _phrases(CATALOGS[language]).items():
        rendered = text.format_map(SAMPLE)  # KeyError: a placeholder the master does not have
        assert "{" not in rendered and "}" not in rendered, key
