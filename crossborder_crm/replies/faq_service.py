"""FAQ suggestions from a seller's recent buyer messages, and the saved replies approved from them (or typed).

A suggestion's answer is a template, not an answer: it thanks the buyer for the question and leaves
a marked place for the seller's own answer. Its title is the question in the seller's language when
a translator is on (marked `translated`), else as the buyer wrote it. One transaction per call.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, Mapping

from pydantic import Field
from sqlalchemy import and_, or_, select

from crossborder_crm.accounts.models import Seller
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.errors import NotFound
from crossborder_crm.i18n.translator import TranslationFailed, Translator, same_language, translation_language
from crossborder_crm.replies.faq import Cluster, Msg, cluster, shorten
from crossborder_crm.replies.models import ReplyDraft, SavedReply
from crossborder_crm.replies.schemas import MAX_BODY
from crossborder_crm.validation import Schema, parse

MAX_TITLE = 200
# Reviews and disputes in these categories are often questions too ("does it come in blue?").
QUESTION_CATEGORIES = ("other", "seller_communication")
# The most recent messages clustered at most: a few seconds of work, and older ones say less.
MAX_MESSAGES = 5_000
LANGUAGE_TAG = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"

# The body of a suggested answer, per `translation_language` of the seller's language ("en" otherwise).
# The bracketed line is for the seller to replace: nothing here answers the question.
TEMPLATES = {
    "en": ("Thank you for your question about “{title}”.\n\n"
           "[Write your answer here. Once saved, it is ready for every buyer who asks this.]\n\n"
           "If anything is still unclear, just reply to this message and we will be glad to help.\n\n"
           "Best regards"),
    "zh-CN": ("感谢您关于“{title}”的提问。\n\n"
              "[请在此填写您的回答。保存后，每位问到这个问题的买家都可以直接使用。]\n\n"
              "如果还有任何疑问，请直接回复此消息，我们很乐意为您解答。\n\n"
              "祝好"),
    "zh-TW": ("感謝您關於「{title}」的提問。\n\n"
              "[請在此填寫您的回答。儲存後，每位問到這個問題的買家都可以直接使用。]\n\n"
              "如果還有任何疑問，請直接回覆此訊息，我們很樂意為您解答。\n\n"
              "祝好"),
}


@dataclass(frozen=True)
class Suggestion:
    """A repeated question: its cluster, and a title and template answer in the seller's language."""

    cluster: Cluster
    title: str
    body: str
    language: str  # of title and body: the seller's
    translated: bool  # the title is a machine translation of the cluster's label
    translation_note: str | None = None  # why the title is not translated when a translator was asked


class SavedReplyCreate(Schema):
    """An answer the seller keeps, from a suggestion ("faq") or typed ("manual")."""

    title: str = Field(min_length=1, max_length=MAX_TITLE)
    body: str = Field(min_length=1, max_length=MAX_BODY)
    language: str | None = Field(default=None, max_length=35, pattern=LANGUAGE_TAG,
                                 description="BCP 47; default the seller's language")
    source: Literal["faq", "manual"] = "manual"


def template_body(title: str, language: str) -> str:
    """The starting-point answer in `language` (English when there is no template for it)."""
    template = TEMPLATES.get(translation_language(language), TEMPLATES["en"])
    return template.format(title=title)


def _question_rows(db: Database, seller_id: int, since: datetime) -> list[Msg]:
    questions = or_(ReplyDraft.kind == "message",
                    and_(ReplyDraft.kind.in_(("review", "dispute")), ReplyDraft.category.in_(QUESTION_CATEGORIES)))
    with db.reading() as s:
        rows = s.execute(select(ReplyDraft.id, ReplyDraft.text, ReplyDraft.language)
                         .where(ReplyDraft.seller_id == seller_id, ReplyDraft.received_at >= since, questions)
                         .order_by(ReplyDraft.received_at.desc(), ReplyDraft.id.desc()).limit(MAX_MESSAGES)).all()
    return [Msg(id, text, language) for id, text, language in rows]


def _title(label: str, source: str, target: str, translator: Translator | None) -> tuple[str, bool, str | None]:
    if translator is None or same_language(source, target):
        return label, False, None
    try:
        translated = translator.translate(label, target, source)
    except TranslationFailed as exc:
        return label, False, exc.reason
    return shorten(translated, MAX_TITLE), True, None


def faq_suggestions(db: Database, seller_id: int, now: datetime, *, days: int = 90,
                    translator: Translator | None = None, min_size: int = 3) -> list[Suggestion]:
    """Questions the seller's buyers asked at least `min_size` times in the last `days`, largest first."""
    with db.reading() as s:
        seller = s.get(Seller, seller_id)
        if seller is None:
            raise NotFound(f"seller {seller_id} not found")
        seller_language = seller.default_language or "en"
    found = cluster(_question_rows(db, seller_id, now - timedelta(days=days)), min_size=min_size)
    suggestions = []
    for c in found:
        title, translated, note = _title(c.label, c.language, seller_language, translator)
        suggestions.append(Suggestion(c, title, template_body(title, seller_language), seller_language,
                                      translated, note))
    return suggestions


def save_reply(db: Database, clock: Clock, seller_id: int, data: Mapping[str, Any]) -> SavedReply:
    """Keep an answer; 422 naming the field for an empty or over-long title or body, nothing stored."""
    spec = parse(SavedReplyCreate, data, "saved reply")
    with db.transaction() as s:
        seller = s.get(Seller, seller_id)
        if seller is None:
            raise NotFound(f"seller {seller_id} not found")
        reply = SavedReply(seller_id=seller_id, title=spec.title, body=spec.body,
                           language=spec.language or seller.default_language or "en", source=spec.source,
                           created_at=clock.now())
        s.add(reply)
        s.flush()
    return reply


def list_saved_replies(db: Database, seller_id: int) -> list[SavedReply]:
    """The seller's saved replies, newest first."""
    with db.reading() as s:
        return list(s.scalars(select(SavedReply).where(SavedReply.seller_id == seller_id)
                              .order_by(SavedReply.id.desc())))


def delete_saved_reply(db: Database, seller_id: int, reply_id: int) -> None:
    """Delete one of the seller's saved replies; NotFound for another seller's or a missing one."""
    with db.transaction() as s:
        reply = s.get(SavedReply, reply_id)
        if reply is None or reply.seller_id != seller_id:
            raise NotFound(f"saved reply {reply_id} not found")
        s.delete(reply)
