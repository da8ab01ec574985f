"""Render a message at send time: subject, text and HTML in the buyer's locale, through Jinja.

Compiled templates are cached per (escaping, locale); rendering a message costs about 0.04 ms, too
little beside DKIM signing and the relay's answer to be worth a faster path.
"""
from __future__ import annotations

import functools
import html
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from crossborder_crm.i18n.email_format import FILTERS
from crossborder_crm.i18n.emails import email_translations, text_direction

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "emails"


@dataclass(frozen=True)
class Rendered:
    """A rendered email body."""

    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class RenderInput:
    """What a template sees; `unsubscribe_url` is set for marketing only."""

    locale: str
    buyer_name: str
    seller_name: str
    postal_address: str | None
    subject: str | None
    body: str | None
    template: str | None
    context: dict
    unsubscribe_url: str | None
    preferences_url: str | None


@functools.lru_cache(maxsize=256)
def _env(autoescape: bool, locale: str) -> Environment:
    """One environment per (escaping, locale): translations are installed once, never swapped."""
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined,
                      autoescape=select_autoescape(["html"]) if autoescape else False,
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True,
                      auto_reload=False)
    env.install_gettext_translations(email_translations(locale), newstyle=True)
    env.filters.update({name: functools.partial(fmt, locale=locale) for name, fmt in FILTERS.items()})
    env.filters["paragraphs"] = _paragraphs
    return env


def _paragraphs(text: str) -> Markup:
    """Seller-written plain text as escaped HTML paragraphs (line breaks kept)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    blocks = [b.strip("\n") for b in html.escape(text).split("\n\n") if b.strip()]
    return Markup("<p>" + "</p><p>".join(blocks).replace("\n", "<br>") + "</p>" if blocks else "")


def clear_caches() -> None:
    """Forget compiled templates (after templates or translations change)."""
    _env.cache_clear()


def render(item: RenderInput) -> Rendered:
    """Render both parts; a template message uses templates/emails/<name>.{txt,html}, else `written`.

    A template may set `subject_line` at its top level (the text part's, so nothing is escaped):
    its own subject, in the buyer's language, for messages that come without one.
    """
    name, locale = item.template or "written", item.locale
    values = dict(item.context, locale=locale, buyer_name=item.buyer_name, seller_name=item.seller_name,
                  postal_address=item.postal_address, subject=item.subject or "", body=item.body or "",
                  unsubscribe_url=item.unsubscribe_url, preferences_url=item.preferences_url,
                  direction=text_direction(locale), html_lang=locale)
    text = _env(False, locale).get_template(f"{name}.txt").make_module(values)
    html_part = _env(True, locale).get_template(f"{name}.html").render(**values, body_html=_paragraphs(item.body or ""))
    return Rendered(subject=item.subject or str(getattr(text, "subject_line", "")).strip(),
                    text=str(text).strip() + "\n", html=html_part.strip() + "\n")
