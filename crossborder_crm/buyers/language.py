"""Language inference for a buyer profile, with where the language came from.

In order of preference:
    given  >  the marketplace's customer locale  >  the country's main official language (CLDR)
           >  the seller's default
"""
from __future__ import annotations

from functools import cache, lru_cache

from babel import Locale, UnknownLocaleError
from babel.languages import get_official_languages

from crossborder_crm.buyers.codes import locale_tag, normalize_language, validate_country
from crossborder_crm.buyers.freetext import clean
from crossborder_crm.buyers.inference import GIVEN_EXPLANATION, Inferred


@cache
def _country_language(cc: str) -> str | None:
    """Main official language of a territory per CLDR, as a tag Babel parses: BR -> "pt-BR"."""
    for language in get_official_languages(cc, de_facto=True):
        for candidate in (f"{language}_{cc}", language):
            try:
                return locale_tag(Locale.parse(candidate))
            except (ValueError, TypeError, UnknownLocaleError):
                continue
    return None


@lru_cache(maxsize=16384)
def infer_language(
    country: str | None,
    given: str | None = None,
    marketplace_locale: str | None = None,
    seller_default: str = "en",
) -> Inferred:
    """The buyer's language: given > marketplace locale > country's official language > seller default.

    An invalid ``given`` or ``seller_default`` raises ValueError; an unparseable marketplace locale
    (external data) is skipped and mentioned in the explanation of whatever is used instead.
    """
    if clean(given) is not None:
        return Inferred(normalize_language(given), "given", "high", GIVEN_EXPLANATION)
    notes = ""
    if (locale := clean(marketplace_locale)) is not None:
        try:
            return Inferred(
                normalize_language(locale), "marketplace_locale", "high", "from the marketplace's customer locale"
            )
        except ValueError:
            notes = f" (marketplace locale '{locale}' not recognised)"
    if clean(country) is not None:
        cc = validate_country(country)
        tag = _country_language(cc)
        if tag is not None:
            return Inferred(tag, "country_language", "medium", f"main official language of {cc} (CLDR){notes}")
        notes += f" (no official language known for {cc})"
    return Inferred(
        normalize_language(seller_default or "en"), "seller_default", "low", f"the seller's default language{notes}"
    )
