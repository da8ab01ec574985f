"""Translations for emails: the locale comes from the buyer, never from a request.

A buyer's emails use the shipped catalog of their locale, else of their language; for a language
without one, a machine-made catalog once it is complete and installed in this process (see
i18n.machine_catalog, which fills and installs them); else English, the msgids themselves.
"""
from __future__ import annotations

import functools
import threading

from babel import Locale, UnknownLocaleError
from babel.support import NullTranslations, Translations

from crossborder_crm.i18n import LOCALES_DIR
from crossborder_crm.i18n.translator import translation_language

# Machine-made catalogs installed in this process, by translation language ("th", "zh-TW").
_MACHINE: dict[str, NullTranslations] = {}
_MACHINE_LOCK = threading.Lock()


def babel_locale(tag: str) -> Locale:
    """A Babel Locale from a BCP 47 tag, falling back to English for anything unknown."""
    try:
        return Locale.parse((tag or "en").replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale("en")


def _candidates(tag: str) -> list[str]:
    loc = babel_locale(tag)
    return [str(loc), loc.language]


@functools.cache
def shipped_email_translations(tag: str) -> Translations | None:
    """The shipped `emails` catalog for a buyer locale (exact, then the language alone), or None."""
    found = Translations.load(str(LOCALES_DIR), _candidates(tag), domain="emails")
    return found if isinstance(found, Translations) else None


@functools.cache
def has_shipped_catalog(tag: str) -> bool:
    """True when a catalog ships for the locale or its language (a .po counts, compiled or not),
    and for English, the language the templates are written in."""
    if babel_locale(tag).language == "en":
        return True
    return any((LOCALES_DIR / c / "LC_MESSAGES" / f"emails.{ext}").is_file()
               for c in _candidates(tag) for ext in ("mo", "po"))


@functools.cache
def shipped_email_locales() -> tuple[str, ...]:
    """The locales with a shipped `emails` catalog, English first, as BCP 47 tags ("pt-BR")."""
    found = {path.parent.parent.name.replace("_", "-") for ext in ("mo", "po")
             for path in LOCALES_DIR.glob(f"*/LC_MESSAGES/emails.{ext}")}
    return ("en", *sorted(found - {"en"}))


def install_machine_catalog(language: str, catalog: NullTranslations | None) -> None:
    """Use `catalog` (marked `machine_made`) for buyers of `language` without a shipped catalog;
    None removes it. Callers clear the renderer's caches afterwards (outbox.render.clear_caches)."""
    with _MACHINE_LOCK:
        if catalog is None:
            _MACHINE.pop(language, None)
        else:
            _MACHINE[language] = catalog
        email_translations.cache_clear()


def installed_machine_catalogs() -> dict[str, NullTranslations]:
    """The machine-made catalogs in use in this process, by language."""
    with _MACHINE_LOCK:
        return dict(_MACHINE)


@functools.cache
def email_translations(tag: str) -> NullTranslations:
    """The `emails` catalog for a buyer locale: shipped (exact, then the language alone), then a
    machine-made one for its language, then English."""
    shipped = shipped_email_translations(tag)
    if shipped is not None:
        return shipped
    if not has_shipped_catalog(tag):
        with _MACHINE_LOCK:
            machine = _MACHINE.get(translation_language(tag))
        if machine is not None:
            return machine
    return NullTranslations()


def machine_translated(tag: str) -> bool:
    """True when this buyer's emails are worded by a machine-made catalog."""
    return bool(getattr(email_translations(tag), "machine_made", False))


def template_values(tag: str, context: dict | None) -> dict:
    """A message's template context for rendering, with `machine_translated=True` added when the
    buyer's emails come from a machine-made catalog (the templates then say so)."""
    if machine_translated(tag):
        return {**(context or {}), "machine_translated": True}
    return context or {}


@functools.cache
def text_direction(tag: str) -> str:
    """"rtl" for Arabic, Hebrew, Persian, Urdu…; "ltr" otherwise."""
    return babel_locale(tag).character_order == "right-to-left" and "rtl" or "ltr"
