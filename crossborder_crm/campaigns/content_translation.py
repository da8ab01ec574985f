"""Versions the seller did not write: machine-translated from theirs (the translator caches), marked
for review, or left to the seller's own language with the reason when that cannot be done."""
from __future__ import annotations

from typing import Iterable

from crossborder_crm.campaigns.content import version_for
from crossborder_crm.campaigns.definition import PLACEHOLDER
from crossborder_crm.i18n.translator import TranslationFailed, Translator, primary_language


def _same_placeholders(a: str, b: str) -> bool:
    return sorted(PLACEHOLDER.findall(a)) == sorted(PLACEHOLDER.findall(b))


def translate_missing(translator: Translator | None, content: dict, languages: Iterable[str]) -> dict:
    """The content with a version for every language in `languages` that has none yet (by primary
    language); what could not be translated is noted in content["notes"] and falls back to the source."""
    source = content["language"]
    versions = dict(content["versions"])
    notes = dict(content.get("notes") or {})
    original = versions[source]
    for tag in sorted({primary_language(t) for t in languages if t}):
        if version_for(versions, source, tag) != source or primary_language(source) == tag:
            continue
        if translator is None:
            notes[tag] = "translator off: sent in the seller's language"
            continue
        try:
            subject = translator.translate(original["subject"], tag, source).strip()
            body = translator.translate(original["body"], tag, source).strip()
        except TranslationFailed as exc:
            notes[tag] = f"translation failed ({exc.reason}): sent in the seller's language"
            continue
        if not (subject and body and _same_placeholders(original["subject"], subject)
                and _same_placeholders(original["body"], body)):
            notes[tag] = "the translation lost a placeholder: sent in the seller's language"
            continue
        versions[tag] = {"subject": " ".join(subject.split()), "body": body, "origin": "machine",
                         "note": f"machine-translated from {source} by {translator.name}: review it"}
        notes.pop(tag, None)
    return {**content, "versions": versions, "notes": notes}
