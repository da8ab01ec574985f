"""Panel language: Babel catalogs in locales/, chosen from the user's setting or the browser.

Emails never use this: their locale comes from the buyer (see outbox rendering).
"""
from __future__ import annotations

import functools
from pathlib import Path

from babel import negotiate_locale
from babel.support import NullTranslations, Translations
from flask import Flask, g, request

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"  # inside the package: installed with it
PANEL_LOCALES = ("en", "zh_CN")
PANEL_LOCALE_NAMES = {"en": "English", "zh_CN": "简体中文"}


@functools.cache
def translations(locale: str) -> NullTranslations:
    """Compiled catalog for a locale (cached); English falls through to the source strings."""
    if locale == "en":
        return NullTranslations()
    return Translations.load(str(LOCALES_DIR), [locale], domain="messages")


def negotiate_panel_locale(user_locale: str | None, accept_language: str | None) -> str:
    """The user's saved choice, else the browser's best match, else English."""
    if user_locale in PANEL_LOCALES:
        return user_locale
    if accept_language:
        wanted = [part.split(";")[0].strip().replace("-", "_") for part in accept_language.split(",")]
        # negotiate_locale answers with one of ours (Locale.negotiate would say "zh_Hans_CN").
        best = negotiate_locale([w for w in wanted if w], list(PANEL_LOCALES), sep="_")
        if best is not None:
            return best
        for w in wanted:
            if w.lower().startswith("zh"):  # zh-TW, zh-HK: Simplified beats English for them
                return "zh_CN"
    return "en"


def current_locale() -> str:
    """The locale of the current request (English outside a request)."""
    return getattr(g, "panel_locale", "en") if _has_request() else "en"


def _has_request() -> bool:
    from flask import has_request_context

    return has_request_context()


def gettext(message: str, **variables) -> str:
    """Translate into the current panel locale; %(name)s placeholders filled from variables."""
    text = translations(current_locale()).ugettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables) -> str:
    """Plural-aware translation; `num` is available as a placeholder."""
    variables.setdefault("num", n)
    return translations(current_locale()).ungettext(singular, plural, n) % variables


_ = gettext


def init_app(app: Flask) -> None:
    """Install gettext in Jinja and pick the locale for each request."""
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(gettext, ngettext, newstyle=True)

    @app.before_request
    def _pick_locale():
        from flask_login import current_user

        user_locale = getattr(current_user, "locale", None) if current_user else None
        g.panel_locale = negotiate_panel_locale(user_locale, request.headers.get("Accept-Language"))

    @app.context_processor
    def _locale_vars():
        return {"panel_locale": current_locale(), "panel_locales": PANEL_LOCALE_NAMES}
