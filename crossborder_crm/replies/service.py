"""Reply drafts: understand a complaint, gather its facts, pick the remedy, write both language versions,
store the draft; then edit, approve, send through the outbox or mark it copied out. One transaction each.
"""
from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any, Callable, Mapping

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.models import Buyer, Order
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.errors import N_, Conflict, NotFound, Reason, ValidationFailed
from crossborder_crm.i18n.translator import Translator
from crossborder_crm.outbox.models import Message
from crossborder_crm.outbox.service import schedule_message
from crossborder_crm.replies.facts import facts_json
from crossborder_crm.replies.lookup import gather, resolve
from crossborder_crm.replies.models import DraftEvent, ReplyDraft
from crossborder_crm.replies.policy_service import policy_in
from crossborder_crm.replies.remedy import Policy, Remedy, choose
from crossborder_crm.replies.schemas import DraftCreate, DraftEdit
from crossborder_crm.replies.tone_check import check_tone
from crossborder_crm.replies.understand import Complaint, understand
from crossborder_crm.replies.versions import Request, write_versions
from crossborder_crm.validation import parse

NEGATIVE_REVIEW_AT_MOST = 2  # stars: a review at or below this keeps the buyer out of marketing for a while
LIST_LIMIT = 100


def remedy_json(remedy: Remedy) -> dict[str, Any]:
    """The remedy as JSON-ready data."""
    out = asdict(remedy)
    out["promise"] = remedy.promise.isoformat() if remedy.promise else None
    return out


def tone_of(draft: ReplyDraft) -> list[dict[str, Any]]:
    """Tone warnings of the buyer-language reply and public reply, each with the part it was found in."""
    found = []
    for part, text in (("body", draft.buyer_body), ("public_reply", draft.buyer_public_reply)):
        for w in check_tone(text or "", draft.buyer_locale):
            found.append({"part": part, "kind": w.kind, "phrase": w.phrase, "start": w.start, "end": w.end,
                          "suggestion": w.suggestion})
    return found


def _event(s: Session, draft: ReplyDraft, action: str, actor: str, now: datetime, detail: str | None = None) -> None:
    s.add(DraftEvent(draft_id=draft.id, action=action, actor=actor[:64], detail=(detail or None) and detail[:500],
                     at=now))


def _set_flags(s: Session, kind: str, rating: int | None, buyer_id: int | None, order_id: int | None,
               now: datetime) -> None:
    """An open dispute and a recent bad review keep the buyer out of marketing and follow-ups."""
    if kind == "dispute" and order_id is not None:
        s.execute(update(Order).where(Order.id == order_id).values(dispute_open=True),
                  execution_options={"synchronize_session": False})
    if kind == "review" and buyer_id is not None and rating is not None and rating <= NEGATIVE_REVIEW_AT_MOST:
        s.execute(update(Buyer).where(Buyer.id == buyer_id).values(last_negative_review_at=now),
                  execution_options={"synchronize_session": False})


def create_draft(db: Database, clock: Clock, seller_id: int, data: Mapping[str, Any], *,
                 translator: Translator | None = None, policy: Policy | None = None, actor: str = "api",
                 source: str = "api", received_at: datetime | None = None, activity_id: int | None = None
                 ) -> ReplyDraft:
    """Draft the reply to a review, dispute or message; 422 naming the field for bad input, nothing stored."""
    spec = parse(DraftCreate, data, "draft")
    now = clock.now()
    with db.reading() as s:
        seller = s.execute(select(Seller.name, Seller.from_name, Seller.default_language)
                           .where(Seller.id == seller_id)).one()
        buyer, order = resolve(s, seller_id, spec.buyer_id, spec.order_ref)
        facts = gather(s, seller_id, buyer, order)
        policy = policy or policy_in(s, seller_id)
        seller_name, seller_language = seller.from_name or seller.name, seller.default_language
    understood = understand(Complaint(spec.text, spec.rating, facts.buyer_language, facts.shipment_state(now.date()),
                                      facts.earlier_complaints))
    category = understood.category
    remedy = choose(category, order.total_minor if order else None, order.currency if order else None,
                    facts.remedy_parcel(), now.date(), policy)
    # Translation happens here, outside any transaction: a slow provider holds no lock.
    versions = write_versions(Request(spec.kind, category, facts, remedy, seller_name, now),
                              facts.buyer_language or understood.language.tag, seller_language, translator)
    draft = ReplyDraft(
        seller_id=seller_id, buyer_id=facts.buyer_id, order_id=order.id if order else None, kind=spec.kind,
        source=source, received_at=received_at or now, activity_id=activity_id, text=spec.text,
        rating=spec.rating, language=understood.language.tag or "und", category=category,
        categories=list(understood.classification.categories),
        evidence=[asdict(e) for e in understood.classification.evidence],
        severity=understood.severity.level, severity_reasons=list(understood.severity.reasons),
        facts=facts_json(facts, now), remedy=remedy_json(remedy),
        buyer_locale=versions.buyer.locale, buyer_subject=versions.buyer.subject, buyer_body=versions.buyer.body,
        buyer_public_reply=versions.buyer.public_reply, seller_locale=versions.seller.locale,
        seller_subject=versions.seller.subject, seller_body=versions.seller.body,
        seller_public_reply=versions.seller.public_reply, machine_translated=versions.machine_translated,
        translation_note=versions.note, status="new", message_id=None, created_at=now, updated_at=now)
    draft.tone_warnings = tone_of(draft)
    with db.transaction() as s:
        s.add(draft)
        s.flush()
        _event(s, draft, "created", actor, now, f"{category}, {remedy.key}")
        _set_flags(s, spec.kind, spec.rating, facts.buyer_id, order.id if order else None, now)
    return draft


def _draft_row(s: Session, seller_id: int, draft_id: int) -> ReplyDraft:
    draft = s.scalar(select(ReplyDraft).where(ReplyDraft.id == draft_id, ReplyDraft.seller_id == seller_id))
    if draft is None:
        raise NotFound(f"draft {draft_id} not found")
    return draft


def get_draft(db: Database, seller_id: int, draft_id: int) -> tuple[ReplyDraft, list[DraftEvent]]:
    """A draft of this seller with its audit trail (oldest first); NotFound otherwise."""
    with db.reading() as s:
        draft = _draft_row(s, seller_id, draft_id)
        events = list(s.scalars(select(DraftEvent).where(DraftEvent.draft_id == draft.id).order_by(DraftEvent.id)))
        return draft, events


def list_drafts(db: Database, seller_id: int, *, status: str | None = None, buyer_id: int | None = None,
                limit: int = LIST_LIMIT) -> list[ReplyDraft]:
    """The seller's drafts, newest first, optionally of one status or buyer."""
    q = select(ReplyDraft).where(ReplyDraft.seller_id == seller_id)
    if status is not None:
        q = q.where(ReplyDraft.status == status)
    if buyer_id is not None:
        q = q.where(ReplyDraft.buyer_id == buyer_id)
    with db.reading() as s:
        return list(s.scalars(q.order_by(ReplyDraft.id.desc()).limit(limit)))


OPEN_STATUSES = ("new", "edited", "approved")
INBOX_VIEWS = ("open", "sent", "all")


def list_inbox(db: Database, seller_id: int, view: str = "open", limit: int = LIST_LIMIT) -> tuple[list[ReplyDraft],
                                                                                                    int]:
    """(drafts, how many in the view): open ones oldest first, so the most overdue lead; sent ones newest first."""
    q = select(ReplyDraft).where(ReplyDraft.seller_id == seller_id)
    if view == "open":
        q = q.where(ReplyDraft.status.in_(OPEN_STATUSES)).order_by(ReplyDraft.received_at, ReplyDraft.id)
    elif view == "sent":
        q = q.where(ReplyDraft.status == "sent").order_by(ReplyDraft.received_at.desc(), ReplyDraft.id.desc())
    else:
        q = q.order_by(ReplyDraft.received_at.desc(), ReplyDraft.id.desc())
    with db.reading() as s:
        total = s.scalar(select(func.count()).select_from(q.order_by(None).subquery())) or 0
        return list(s.scalars(q.limit(limit))), total


def _change(db: Database, clock: Clock, seller_id: int, draft_id: int, action: str, actor: str,
            apply: Callable[[Session, ReplyDraft, datetime], str | None]) -> ReplyDraft:
    now = clock.now()
    with db.transaction() as s:
        draft = _draft_row(s, seller_id, draft_id)
        if draft.status == "sent":
            raise Conflict("draft already sent", {"status": Reason(N_("already sent: it cannot change"))})
        detail = apply(s, draft, now)
        draft.updated_at = now
        _event(s, draft, action, actor, now, detail)
    return draft


def edit_draft(db: Database, clock: Clock, seller_id: int, draft_id: int, data: Mapping[str, Any],
               actor: str = "api") -> ReplyDraft:
    """The seller's own words for the buyer's version; the tone is checked again and approval undone."""
    spec = parse(DraftEdit, data, "draft edit")

    def apply(s: Session, draft: ReplyDraft, now: datetime) -> str:
        if spec.public_reply is not None and draft.kind != "review":
            raise ValidationFailed("invalid public_reply",
                                   {"public_reply": Reason(N_("only a review has a public reply"))})
        changed = [name for name, value in (("subject", spec.subject), ("body", spec.body),
                                            ("public_reply", spec.public_reply)) if value is not None]
        draft.buyer_subject = " ".join(spec.subject.split()) if spec.subject is not None else draft.buyer_subject
        draft.buyer_body = spec.body if spec.body is not None else draft.buyer_body
        if spec.public_reply is not None:
            draft.buyer_public_reply = spec.public_reply
        draft.tone_warnings, draft.status = tone_of(draft), "edited"
        return ", ".join(changed)

    return _change(db, clock, seller_id, draft_id, "edited", actor, apply)


def approve_draft(db: Database, clock: Clock, seller_id: int, draft_id: int, actor: str = "api") -> ReplyDraft:
    """Mark the reply ready to go (a warning of tone does not block: the seller decides)."""

    def apply(s: Session, draft: ReplyDraft, now: datetime) -> str | None:
        draft.status = "approved"
        return f"{len(draft.tone_warnings)} tone warnings" if draft.tone_warnings else None

    return _change(db, clock, seller_id, draft_id, "approved", actor, apply)


def mark_copied(db: Database, clock: Clock, seller_id: int, draft_id: int, actor: str = "api") -> ReplyDraft:
    """The approved reply was pasted into the marketplace's message box by the seller: it counts as sent."""

    def apply(s: Session, draft: ReplyDraft, now: datetime) -> None:
        require_approved(draft)
        draft.status = "sent"

    return _change(db, clock, seller_id, draft_id, "copied", actor, apply)


def require_approved(draft: ReplyDraft) -> None:
    """409 unless the seller approved the draft."""
    if draft.status != "approved":
        raise Conflict("draft not approved", {"status": Reason(N_("approve the draft before sending it"))})


def mark_sent(db: Database, clock: Clock, seller_id: int, draft_id: int, message_id: int, actor: str = "api"
              ) -> ReplyDraft:
    """Record that the reply went to the outbox as `message_id`."""

    def apply(s: Session, draft: ReplyDraft, now: datetime) -> str:
        require_approved(draft)
        draft.status, draft.message_id = "sent", message_id
        return f"outbox message {message_id}"

    return _change(db, clock, seller_id, draft_id, "sent", actor, apply)


def outgoing(db: Database, seller_id: int, draft_id: int) -> dict[str, Any]:
    """What the outbox is asked to send for an approved draft (idempotent per draft: a retry sends nothing twice)."""
    draft, _ = get_draft(db, seller_id, draft_id)
    require_approved(draft)
    if draft.buyer_id is None:
        raise ValidationFailed("no buyer", {"buyer_id": Reason(N_("the draft has no buyer to send it to"))})
    return {"buyer_id": draft.buyer_id, "subject": draft.buyer_subject, "body": draft.buyer_body,
            "send_at": "best", "kind": "conversation", "translate": False,
            "idempotency_key": f"reply-draft:{draft.id}"}


def send_draft(db: Database, clock: Clock, seller_id: int, draft_id: int, *, mail_domain: str,
               actor: str = "api") -> tuple[ReplyDraft, Message]:
    """Queue the approved reply in the outbox at the buyer's likely-online time, then mark the draft sent.

    The outbox message is keyed by the draft, so a retry after a failure between the two steps
    finds the same message instead of writing a second one."""
    scheduled = schedule_message(db, clock, seller_id, outgoing(db, seller_id, draft_id), mail_domain=mail_domain)
    return mark_sent(db, clock, seller_id, draft_id, scheduled.message.id, actor), scheduled.message
