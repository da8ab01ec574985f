"""Machine-made email catalogs for buyer languages that ship none (Thai, Vietnamese, Indonesian…).

Two halves, so that no network call ever happens while mail is being sent:

- `fill_machine_catalogs` (a worker job; network): for every buyer language without a shipped
  `emails` catalog, each message of `locales/emails.pot` goes through the cached translator once,
  its `%(name)s` placeholders protected as `{0}`, `{1}`… Strings already cached are not sent again,
  so a new template (another content hash) costs only its new strings.
- `refresh_machine_catalogs` (before each dispatch pass, and the panel's preview; database only):
  a language's catalog is built from the cache once every message of the template has a cached
  translation, installed for `i18n.emails.email_translations`, and rebuilt when new rows appear.
  Until then the buyer's emails go in the usual fallback (the language's catalog if any, else
  English). A translation whose placeholders did not all come back exactly once, or that brings
  markup the English string does not have, is replaced by the English string.

Plural messages get two forms (n == 1, else); the languages concerned mostly have one.
"""
from __future__ import annotations

import functools
import hashlib
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from babel.messages.pofile import read_po
from babel.support import Translations
from sqlalchemy import func, select

from crossborder_crm.i18n import LOCALES_DIR
from crossborder_crm.i18n.emails import has_shipped_catalog, install_machine_catalog, installed_machine_catalogs
from crossborder_crm.i18n.translation_cache import CachedTranslator, text_digest
from crossborder_crm.i18n.translation_models import CachedTranslation
from crossborder_crm.i18n.translator import TranslationFailed, translation_language

log = logging.getLogger(__name__)

SOURCE = "en"  # the language of the msgids
TEMPLATE_PATH = LOCALES_DIR / "emails.pot"
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdfr]|%%")
_TOKEN = re.compile(r"[{｛]\s*([0-9０-９]+)\s*[}｝]")
_MARKUP = ("<", ">")


# ------------------------------------------------------------------------------ the template


@dataclass(frozen=True)
class Protected:
    """A msgid as sent to the translator: placeholders as numbered tokens, in order."""

    source: str
    text: str
    placeholders: tuple[str, ...]


@dataclass(frozen=True)
class TemplateMessage:
    """One message of the template: its msgid and, for a plural message, its plural msgid."""

    msgid: str
    plural: str | None = None

    @property
    def forms(self) -> tuple[str, ...]:
        return (self.msgid,) if self.plural is None else (self.msgid, self.plural)


@dataclass(frozen=True)
class EmailTemplate:
    """The messages of emails.pot and a hash of them (not of the file: its dates change alone)."""

    messages: tuple[TemplateMessage, ...]
    digest: str = field(init=False)

    def __post_init__(self) -> None:
        joined = "\0".join("\1".join(m.forms) for m in self.messages)
        object.__setattr__(self, "digest", hashlib.sha256(joined.encode()).hexdigest())

    def to_translate(self) -> list[Protected]:
        """Every string to send to the translator (those that can be protected), once each."""
        seen: dict[str, Protected] = {}
        for m in self.messages:
            for form in m.forms:
                p = protect(form)
                if p is not None:
                    seen.setdefault(p.text, p)
        return list(seen.values())


def read_template(path: Path) -> EmailTemplate:
    """The messages of a .pot file."""
    with path.open("rb") as f:
        catalog = read_po(f)
    messages = []
    for m in catalog:
        if not m.id:
            continue
        if isinstance(m.id, (tuple, list)):
            messages.append(TemplateMessage(m.id[0], m.id[1]))
        else:
            messages.append(TemplateMessage(m.id))
    return EmailTemplate(tuple(messages))


@functools.cache
def email_template() -> EmailTemplate:
    """The packaged emails.pot (read once per process: it changes with a new release only)."""
    return read_template(TEMPLATE_PATH)


def protect(source: str) -> Protected | None:
    """`source` with `%(name)s` as `{0}`, `{1}`… and `%%` as `%`; None when it cannot be done safely
    (the text has braces of its own): such a string stays English."""
    if "{" in source or "}" in source:
        return None
    names: list[str] = []

    def token(m: re.Match) -> str:
        if m.group(0) == "%%":
            return "%"
        names.append(m.group(0))
        return "{%d}" % (len(names) - 1)

    return Protected(source, _PLACEHOLDER.sub(token, source), tuple(names))


def restore(translated: str, protected: Protected) -> str | None:
    """The translation with its placeholders back, as a catalog string; None when a placeholder
    was lost, doubled or invented, markup appeared, or the result is not a valid format string."""
    used: list[int] = []

    def back(m: re.Match) -> str:
        number = int(m.group(1))  # int() reads full-width digits too
        used.append(number)
        return protected.placeholders[number] if number < len(protected.placeholders) else m.group(0)

    text = _TOKEN.sub(back, translated.replace("%", "%%"))
    if sorted(used) != list(range(len(protected.placeholders))):
        return None
    if any(mark in text and mark not in protected.source for mark in _MARKUP):
        return None
    try:
        text % _AnyValue()
    except (ValueError, TypeError, KeyError):
        return None
    return text


class _AnyValue(dict):
    """Format values for a check: every name is 1 (prints with %s and %d alike)."""

    def __missing__(self, key: str) -> int:
        return 1


# ------------------------------------------------------------------------------ the catalogs


class MachineTranslations(Translations):
    """A catalog made by machine translation; the templates say so (`machine_translated`)."""

    machine_made = True


def build_catalog(template: EmailTemplate, cached: dict[str, str]) -> MachineTranslations | None:
    """The catalog from cached translations (by digest of the protected text); None until every
    string that can be translated has one."""
    catalog = MachineTranslations()
    for m in template.messages:
        forms = []
        for form in m.forms:
            p = protect(form)
            if p is None:
                forms.append(form)
                continue
            translated = cached.get(text_digest(p.text))
            if translated is None:
                return None
            forms.append(restore(translated, p))
        if any(f is None for f in forms):
            forms = list(m.forms)  # one form lost a placeholder: the whole message stays English
        if m.plural is None:
            catalog._catalog[m.msgid] = forms[0]
        else:
            catalog._catalog[(m.msgid, 0)], catalog._catalog[(m.msgid, 1)] = forms
    return catalog


def wanted_languages(buyer_languages: Iterable[str]) -> list[str]:
    """The translation languages of these buyer language tags that no shipped catalog covers."""
    return sorted({translation_language(t) for t in buyer_languages if t and not has_shipped_catalog(t)} - {""})


@dataclass
class FillResult:
    """What one fill did: strings translated, languages complete, why others stopped."""

    translated: int = 0
    complete: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    out_of_time: bool = False


def fill_machine_catalogs(translator: CachedTranslator, buyer_languages: Iterable[str], *,
                          budget_seconds: float = 240.0, template: EmailTemplate | None = None) -> FillResult:
    """Translate what the catalogs of these buyer languages still lack (network). A language stops
    at its first failure (tried again next time); the fill stops when its time budget runs out."""
    template = template or email_template()
    texts = template.to_translate()
    deadline = time.monotonic() + budget_seconds
    result = FillResult()
    for lang in wanted_languages(buyer_languages):
        have = translator.cached(lang, SOURCE, [text_digest(p.text) for p in texts])
        missing = [p for p in texts if text_digest(p.text) not in have]
        for p in missing:
            if time.monotonic() > deadline:
                result.out_of_time = True
                return result
            try:
                translator.translate(p.text, lang, SOURCE)
            except TranslationFailed as exc:
                result.failed[lang] = exc.reason
                log.warning("machine catalog %s: %s (tried again at the next run)", lang, exc.reason)
                break
            result.translated += 1
        else:
            result.complete.append(lang)
    return result


# Per (provider, language): the (template digest, row count, last row id) the installed catalog
# was built from; a pass whose numbers match has nothing to rebuild.
_BUILT: dict[tuple[str, str], tuple[str, int, int]] = {}
_BUILT_LOCK = threading.Lock()


def refresh_machine_catalogs(translator: CachedTranslator | None, template: EmailTemplate | None = None) -> bool:
    """Install each language's catalog that is complete in the cache, from the cache only; True
    when a catalog was installed, replaced or removed (the renderer's caches are then stale)."""
    if translator is None:
        return False
    template = template or email_template()
    with translator.db.reading() as s:
        rows = s.execute(select(CachedTranslation.target_language, func.count(), func.max(CachedTranslation.id))
                         .where(CachedTranslation.provider == translator.name,
                                CachedTranslation.source_language == SOURCE)
                         .group_by(CachedTranslation.target_language)).all()
    digests = [text_digest(p.text) for p in template.to_translate()]
    changed = False
    with _BUILT_LOCK:
        for lang, count, last in rows:
            signature = (template.digest, count, last)
            if not lang or has_shipped_catalog(lang) or _BUILT.get((translator.name, lang)) == signature:
                continue
            catalog = build_catalog(template, translator.cached(lang, SOURCE, digests))
            _BUILT[(translator.name, lang)] = signature
            if catalog is None and lang not in installed_machine_catalogs():
                continue
            install_machine_catalog(lang, catalog)
            changed = True
    return changed


def forget_machine_catalogs() -> None:
    """Remove every installed machine catalog and what they were built from (tests, a new provider)."""
    with _BUILT_LOCK:
        _BUILT.clear()
        for lang in installed_machine_catalogs():
            install_machine_catalog(lang, None)
