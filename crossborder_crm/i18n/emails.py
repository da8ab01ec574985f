"""Translations for emails: the locale comes from the buyer, never from a request."""
from __future__ import annotations

import functools

from babel import Locale, UnknownLocaleError
from babel.support import NullTranslations, Translations

from crossborder_crm.i18n import LOCALES_DIR


def babel_locale(tag: str) -> Locale:
    """A Babel Locale from a BCP 47 tag, falling back to English for anything unknown."""
    try:
        return Locale.parse((tag or "en").replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale("en")


@functools.cache
def email_translations(tag: str) -> NullTranslations:
    """The `emails` catalog for a buyer locale: exact, then the language alone, then English."""
    loc = babel_locale(tag)
    candidates = [str(loc), loc.language]
    found = Translations.load(str(LOCALES_DIR), candidates, domain="emails")
    return found if isinstance(found, Translations) else NullTranslations()


@functools.cache
def text_direction(tag: str) -> str:
    """"rtl" for Arabic, Hebrew, Persian, Urdu…; "ltr" otherwise."""
    return babel_locale(tag).character_order == "right-to-left" and "rtl" or "ltr"
