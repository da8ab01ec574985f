"""Render a message at send time: subject, text and HTML in the buyer's locale, inside the frame."""
from __future__ import annotations

import functools
import html
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

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
    return env


def _paragraphs(text: str) -> Markup:
    """Seller-written plain text as escaped HTML paragraphs (line breaks kept)."""
    blocks = [b.strip("\n") for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    # html.escape on plain strings, wrapped in Markup once: per-line Markup joins cost more
    # than the rest of the rendering together.
    return Markup("".join("<p>" + "<br>".join(html.escape(line) for line in b.split("\n")) + "</p>"
                          for b in blocks))


def render(item: RenderInput) -> Rendered:
    """Render both parts; a template message uses templates/emails/<name>.{txt,html}, else `written`."""
    name = item.template or "written"
    values = dict(item.context, locale=item.locale, buyer_name=item.buyer_name, seller_name=item.seller_name,
                  postal_address=item.postal_address, subject=item.subject or "", body=item.body or "",
                  unsubscribe_url=item.unsubscribe_url, preferences_url=item.preferences_url,
                  direction=text_direction(item.locale), html_lang=item.locale)
    parts = []
    for ext, autoescape in (("txt", False), ("html", True)):
        env = _env(autoescape, item.locale)
        template = env.get_template(f"{name}.{ext}")
        if ext == "html":
            values["body_html"] = _paragraphs(item.body or "")
        parts.append(template.render(**values).strip() + "\n")
    subject = item.subject or values.get("default_subject", "")
    return Rendered(subject=subject, text=parts[0], html=parts[1])
