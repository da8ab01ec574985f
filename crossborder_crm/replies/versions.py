"""The reply in the buyer's language and in the seller's: from a phrase catalog where there is one,
else written in English and machine-translated (marked), else English with the reason said."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from crossborder_crm.i18n.translator import TranslationFailed, Translator, translation_language
from crossborder_crm.replies.compose import Composed, compose
from crossborder_crm.replies.facts import Facts
from crossborder_crm.replies.phrasebook import MASTER, catalog_for, phrasebook
from crossborder_crm.replies.remedy import Remedy


@dataclass(frozen=True)
class Versions:
    """The buyer's and the seller's version, and how the buyer's was made."""

    buyer: Composed
    seller: Composed
    machine_translated: bool = False
    note: str | None = None  # why the buyer's version is not in their language, or that a machine wrote it


@dataclass(frozen=True)
class Request:
    """What both versions are written from."""

    kind: str
    category: str
    facts: Facts
    remedy: Remedy
    seller_name: str
    now: datetime


def _in_catalog(req: Request, language: str) -> Composed:
    return compose(phrasebook(language), req.kind, req.category, req.facts, req.remedy, req.seller_name, req.now)


def _translated(english: Composed, target: str, translator: Translator) -> Composed:
    subject = translator.translate(english.subject, target, MASTER)
    body = translator.translate(english.body, target, MASTER)
    public = translator.translate(english.public_reply, target, MASTER) if english.public_reply else None
    if not subject.strip() or not body.strip():
        raise TranslationFailed(f"{translator.name} answered an empty text")
    return replace(english, locale=target, subject=" ".join(subject.split()), body=body, public_reply=public)


def for_reader(req: Request, tag: str | None, translator: Translator | None) -> tuple[Composed, bool, str | None]:
    """(version, machine-translated?, note) for a reader of `tag`."""
    language = catalog_for(tag)
    if language is not None:
        return _in_catalog(req, language), False, None
    english = _in_catalog(req, MASTER)
    target = translation_language(tag)
    if not target:
        return english, False, "the buyer's language is not known: written in English"
    if translator is None:
        return english, False, f"no reply phrases in {target} and machine translation is off: written in English"
    try:
        return _translated(english, target, translator), True, f"machine-translated from English by {translator.name}"
    except TranslationFailed as exc:
        return english, False, f"translation into {target} failed ({exc.reason}): written in English"


def write_versions(req: Request, buyer_tag: str | None, seller_tag: str | None,
                   translator: Translator | None) -> Versions:
    """Both versions of the reply; the seller's never waits on a translation it does not need."""
    buyer, machine, note = for_reader(req, buyer_tag, translator)
    seller_language = catalog_for(seller_tag) or MASTER
    seller = buyer if catalog_for(buyer_tag) == seller_language and not machine else _in_catalog(req, seller_language)
    return Versions(buyer, seller, machine, note)
