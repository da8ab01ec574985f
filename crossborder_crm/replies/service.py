"""Reply drafts after drafting (replies.drafting): list, read, edit, approve, send through the outbox or
mark copied out, each step in the audit trail. One transaction each.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.errors import N_, Conflict, NotFound, Reason, ValidationFailed
from crossborder_crm.outbox.models import Message
from crossborder_crm.outbox.service import schedule_message
from crossborder_crm.replies.drafting import record_event, tone_of
from crossborder_crm.replies.models import DraftEvent, ReplyDraft
from crossborder_crm.replies.schemas import DraftEdit
from crossborder_crm.validation import parse

LIST_LIMIT = 100


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
        record_event(s, draft, action, actor, now, detail)
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
