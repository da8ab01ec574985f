"""A seller's written message in the buyer's language: translated once, when it is put in the outbox.

The seller writes in their language (Seller.default_language), the buyer reads theirs
(Buyer.language). When the two differ (by language: "pt-BR" and "pt" do not), the translator is on
and the seller did not opt out, the subject and the body are machine-translated; the message then
carries the translation as its subject/body, the seller's words as original_subject/original_body,
and a context that makes the `written` templates print the original under the translation.
Nothing ever blocks: translation off, refused or failing, the message goes as written and
`translation_note` says why. Plain data in, plain data out; the translator is the only outside call.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from crossborder_crm.i18n.translator import TranslationFailed, Translator, same_language
from crossborder_crm.outbox.schemas import CONTROL

NOTE_MAX = 500  # Message.translation_note
SUBJECT_MAX = 998  # Message.subject


@dataclass(frozen=True)
class WrittenText:
    """What goes into the message row: the text to send and, when it was translated, the original."""

    subject: str
    body: str
    original_subject: str | None = None
    original_body: str | None = None
    source_language: str | None = None
    note: str | None = None  # None: the seller and the buyer share a language, nothing to say
    context: dict = field(default_factory=dict)

    @property
    def translated(self) -> bool:
        return self.original_body is not None


def _one_line(subject: str) -> str:
    """A translated subject as a header can carry it: one line, no control characters."""
    return " ".join(CONTROL.sub("", subject).split())[:SUBJECT_MAX]


def _as_written(subject: str, body: str, source: str, why: str) -> WrittenText:
    return WrittenText(subject, body, source_language=source, note=f"{why}: sent as written"[:NOTE_MAX])


def translate_written(translator: Translator | None, subject: str, body: str, *, source: str | None,
                      target: str | None, wanted: bool = True) -> WrittenText:
    """The subject and body to send from a seller writing in `source` to a buyer reading `target`."""
    if not source or not target or same_language(source, target):
        return WrittenText(subject, body)
    if translator is None:
        return _as_written(subject, body, source, "translator off")
    if not wanted:
        return _as_written(subject, body, source, "not translated, as the seller asked")
    try:
        new_subject = _one_line(translator.translate(subject, target, source))
        new_body = translator.translate(body, target, source)
    except TranslationFailed as exc:
        return _as_written(subject, body, source, f"translation failed ({exc.reason})")
    if not new_subject or not new_body.strip():
        return _as_written(subject, body, source, f"translation failed ({translator.name} answered an empty text)")
    return WrittenText(new_subject, new_body, original_subject=subject, original_body=body, source_language=source,
                       note=f"machine-translated from {source} by {translator.name}"[:NOTE_MAX],
                       context={"translated_from": source, "original_body": body})
