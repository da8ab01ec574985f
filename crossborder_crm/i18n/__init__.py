"""Panel language: Babel catalogs in locales/, chosen from the user's setting or the browser.

Emails never use this: their locale comes from the buyer (see outbox rendering).
"""
from __future__ import annotations

import functools
import logging
from pathlib import Path

from babel import negotiate_locale
from babel.support import NullTranslations, Translations
from flask import Flask, g, request
from flask_login import current_user

from config import ConfigError
from crossborder_crm.i18n.compiled import stale_catalogs

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"  # inside the package: installed with it
PANEL_LOCALES = ("en", "zh_CN")
PANEL_LOCALE_NAMES = {"en": "English", "zh_CN": "简体中文"}

log = logging.getLogger(__name__)


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
    """The locale of the current request, chosen on first use (English outside a request).

    Chosen lazily: API calls and webhooks never translate anything, and would otherwise pay for
    loading the user and parsing Accept-Language on every request.
    """
    if not _has_request():
        return "en"
    locale = getattr(g, "panel_locale", None)
    if locale is None:
        user_locale = getattr(current_user, "locale", None) if current_user else None
        locale = g.panel_locale = negotiate_panel_locale(user_locale, request.headers.get("Accept-Language"))
    return locale


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


def check_catalogs(env_name: str, locales_dir: Path | None = None) -> None:
    """At start-up: warn about each catalog whose .mo is missing or does not match its .po, which
    would show English instead; in production refuse to start (ConfigError) instead."""
    stale = stale_catalogs(locales_dir or LOCALES_DIR)
    if stale and env_name == "production":
        raise ConfigError("; ".join(str(s) for s in stale))
    for catalog in stale:
        log.warning("%s", catalog)


def init_app(app: Flask) -> None:
    """Check the compiled catalogs and install gettext in Jinja (the locale is chosen on first use)."""
    check_catalogs(app.config["ENV_NAME"])
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(gettext, ngettext, newstyle=True)

    @app.context_processor
    def _locale_vars():
        return {"panel_locale": current_locale(), "panel_locales": PANEL_LOCALE_NAMES}
