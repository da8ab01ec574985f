"""The lexicon data files: present for every language, valid, and shipped as package data."""
from __future__ import annotations

import pytest

from crossborder_crm.replies.lexicon import lexicon_languages, load_lexicon, parse_lexicon, rules

REQUIRED = ("en", "es", "fr", "de", "it", "pt", "ru", "pl", "nl", "tr", "ar", "ja", "ko", "zh")


def test_every_required_language_has_a_lexicon():
    assert set(REQUIRED) <= set(lexicon_languages())


@pytest.mark.parametrize("language", REQUIRED)
def test_each_lexicon_covers_every_category_but_other(language):
    lexicon = load_lexicon(language)
    wanted = set(rules()["categories"]) - {"other"}
    assert {g for g, terms in lexicon.groups.items() if terms} >= wanted | {"threats", "anger"}


def test_a_regional_tag_loads_the_base_lexicon():
    assert load_lexicon("pt-BR").language == "pt"
    assert load_lexicon("xx") is None


def test_an_unknown_category_is_refused():
    with pytest.raises(ValueError, match="unknown categories"):
        parse_lexicon({"language": "en", "categories": {"lost_cat": {"meow": 1}}}, ("other",))


def test_a_non_positive_weight_is_refused():
    with pytest.raises(ValueError, match="positive"):
        parse_lexicon({"language": "en", "categories": {"other": {"meow": 0}}}, ("other",))
