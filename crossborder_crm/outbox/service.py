"""Outbox use cases: schedule a message at the right moment, list, cancel, reschedule, retry."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Mapping

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.models import Buyer
from crossborder_crm.buyers.service import get_buyer_row
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.errors import N_, Conflict, NotFound, Reason, ValidationFailed
from crossborder_crm.i18n.translator import Translator
from crossborder_crm.outbox.chosen_time import overrides_quiet_hours, seller_chosen
from crossborder_crm.outbox.deliverability import written_refusals
from crossborder_crm.outbox.message_id import make_message_id
from crossborder_crm.outbox.models import MESSAGE_STATUSES, Message
from crossborder_crm.outbox.schemas import MessageCreate, MessageReschedule
from crossborder_crm.outbox.send_timing import buyer_profile, marketing_sends, seller_cap, seller_policy
from crossborder_crm.outbox.written_translation import WrittenText, translate_written
from crossborder_crm.timing import cap_allows, next_allowed_by_cap, next_send_time_explained
from crossborder_crm.validation import parse


# How far ahead a seller may set a send time; the app passes its SEND_HORIZON_DAYS setting.
SEND_HORIZON = timedelta(days=366)


@dataclass(frozen=True)
class Scheduled:
    """A message row and whether this call created it (False: the idempotency key existed)."""

    message: Message
    created: bool


@dataclass(frozen=True)
class NewMessage:
    """Everything needed to put one message in the outbox (any origin: written, milestone, campaign)."""

    seller_id: int
    buyer_id: int
    kind: str
    idempotency_key: str
    send_at: Any = "best"  # "best" | aware datetime | LocalTime
    subject: str | None = None
    body: str | None = None
    template: str | None = None
    context: dict | None = None
    origin: str = "written"
    origin_ref: str | None = None
    # A translated written message keeps the seller's words (see outbox.written_translation).
    original_subject: str | None = None
    original_body: str | None = None
    source_language: str | None = None
    translation_note: str | None = None
    # A seller-written message is refused when it could never be sent (outbox.deliverability);
    # other origins are held back by the dispatcher's gate, as before.
    refuse_undeliverable: bool = False
    override_quiet_hours: bool = False  # a given time inside the buyer's quiet hours, asked for explicitly


def choose_instant(s: Session, seller: Seller, buyer: Buyer, kind: str, send_at: Any,
                   now: datetime, exclude_message: int | None = None,
                   horizon: timedelta = SEND_HORIZON) -> tuple[datetime, str]:
    """Resolve "best" / an instant / a buyer-local time into a UTC instant and its explanation.

    A time the seller gives must lie between now and now + horizon, outside the buyer's quiet hours.
    """
    when, why, _data = choose_instant_explained(s, seller, buyer, kind, send_at, now, exclude_message, horizon)
    return when, why


def choose_instant_explained(s: Session, seller: Seller, buyer: Buyer, kind: str, send_at: Any,
                             now: datetime, exclude_message: int | None = None,
                             horizon: timedelta = SEND_HORIZON,
                             override_quiet_hours: bool = False) -> tuple[datetime, str, dict]:
    """`choose_instant` plus the explanation as data (a code and its parameters) for the panel; a
    given time in the buyer's quiet hours is refused unless `override_quiet_hours` (outbox.chosen_time)."""
    policy = seller_policy(seller, kind)
    if send_at == "best" or send_at is None:
        when, why, data = next_send_time_explained(buyer_profile(s, buyer, seller, now), policy, now)
    else:
        when, why, data = seller_chosen(send_at, buyer.timezone, policy, now, horizon, override_quiet_hours)
    if kind == "marketing":
        cap = seller_cap(seller)
        sends = marketing_sends(s, buyer.id, when - cap.window, exclude_message)
        if not cap_allows(cap, sends, when):
            later = next_allowed_by_cap(cap, sends, when)
            when, why, data = next_send_time_explained(buyer_profile(s, buyer, seller, now), policy, later)
            why = (f"frequency cap ({cap.max_messages} per {cap.window.days} days) reached; "
                   f"moved to the next allowed slot: {why}")
            data["cap"] = [cap.max_messages, cap.window.days]
    return when, why, data


def refuse_undeliverable(s: Session, seller: Seller, buyer: Buyer, kind: str) -> None:
    """Refuse (422, naming the field) a message that could never be sent to this buyer."""
    fields = written_refusals(s, seller, buyer, (kind,)).get(kind)
    if fields:
        raise ValidationFailed("the message could never be sent", dict(fields))


def enqueue(s: Session, clock: Clock, new: NewMessage, *, mail_domain: str,
            horizon: timedelta = SEND_HORIZON) -> Scheduled:
    """Insert one message in the caller's transaction, or return the one with the same key."""
    existing = s.scalar(select(Message).where(Message.seller_id == new.seller_id,
                                              Message.idempotency_key == new.idempotency_key))
    if existing is not None:
        return Scheduled(existing, False)
    seller = s.get(Seller, new.seller_id)
    buyer = get_buyer_row(s, new.seller_id, new.buyer_id)
    now = clock.now()
    if new.refuse_undeliverable:
        refuse_undeliverable(s, seller, buyer, new.kind)
    when, why, why_data = choose_instant_explained(s, seller, buyer, new.kind, new.send_at, now, horizon=horizon,
                                                   override_quiet_hours=new.override_quiet_hours)
    msg = Message(seller_id=new.seller_id, buyer_id=buyer.id, kind=new.kind, origin=new.origin,
                  origin_ref=new.origin_ref, idempotency_key=new.idempotency_key,
                  rfc_message_id=make_message_id(seller.key, new.idempotency_key, mail_domain),
                  locale=buyer.language, template=new.template, context=new.context or {},
                  subject=new.subject, body=new.body, original_subject=new.original_subject,
                  original_body=new.original_body, source_language=new.source_language,
                  translation_note=new.translation_note, scheduled_at=when, explanation=why[:500],
                  explanation_data=why_data, quiet_override=overrides_quiet_hours(why_data),
                  status="scheduled", due_at=when, attempts=0, created_at=now, updated_at=now)
    s.add(msg)
    s.flush()
    return Scheduled(msg, True)


def _written_text(db: Database, seller_id: int, spec: MessageCreate, translator: Translator | None) -> WrittenText:
    """The message's text in the buyer's language (see outbox.written_translation), translated
    outside any transaction; a key already used returns its message untouched, so not translated."""
    with db.reading() as s:
        if spec.idempotency_key is not None and s.scalar(select(Message.id).where(
                Message.seller_id == seller_id, Message.idempotency_key == spec.idempotency_key)) is not None:
            return WrittenText(spec.subject, spec.body)
        seller = s.get(Seller, seller_id)
        buyer = get_buyer_row(s, seller_id, spec.buyer_id)
        refuse_undeliverable(s, seller, buyer, spec.kind)  # before translating: it would be wasted
        source, target = seller.default_language, buyer.language
    return translate_written(translator, spec.subject, spec.body, source=source, target=target, wanted=spec.translate)


def schedule_message(db: Database, clock: Clock, seller_id: int, data: Mapping[str, Any], *,
                     mail_domain: str, horizon: timedelta = SEND_HORIZON,
                     translator: Translator | None = None) -> Scheduled:
    """Schedule a seller-written message at the buyer's best moment (or the one given), in the
    buyer's language when `translator` is given and the seller writes in another one."""
    spec = parse(MessageCreate, data, "message")
    key = spec.idempotency_key or f"written:{uuid.uuid4().hex}"
    text = _written_text(db, seller_id, spec, translator)
    new = NewMessage(seller_id, spec.buyer_id, spec.kind, key, spec.send_at, subject=text.subject,
                     body=text.body, context=text.context, original_subject=text.original_subject,
                     original_body=text.original_body, source_language=text.source_language,
                     translation_note=text.note, refuse_undeliverable=True,
                     override_quiet_hours=spec.override_quiet_hours)
    try:
        with db.transaction() as s:
            result = enqueue(s, clock, new, mail_domain=mail_domain, horizon=horizon)
            if not result.created and (result.message.buyer_id != spec.buyer_id):
                raise Conflict("idempotency key already used for another buyer",
                               {"idempotency_key": Reason(N_("used by message %(id)s"), id=result.message.id)})
            return result
    except IntegrityError:
        # Two requests with the same key at once: the loser returns the winner's row.
        with db.reading() as s:
            msg = s.scalar(select(Message).where(Message.seller_id == seller_id, Message.idempotency_key == key))
            if msg is None:
                raise
            return Scheduled(msg, False)


def _message_row(s: Session, seller_id: int, message_id: int) -> Message:
    msg = s.scalar(select(Message).where(Message.id == message_id, Message.seller_id == seller_id))
    if msg is None:
        raise NotFound(f"message {message_id} not found")
    return msg


def get_message(db: Database, seller_id: int, message_id: int) -> Message:
    """One message of this seller."""
    with db.reading() as s:
        return _message_row(s, seller_id, message_id)


def list_messages(db: Database, seller_id: int, *, status: str | None = None, buyer_id: int | None = None,
                  limit: int = 50, cursor: int | None = None) -> tuple[list[Message], int | None]:
    """Messages newest first, by keyset on id; returns the page and the next cursor."""
    if status is not None and status not in MESSAGE_STATUSES:
        raise ValidationFailed("invalid filter",
                               {"status": Reason(N_("one of %(choices)s"), choices=", ".join(MESSAGE_STATUSES))})
    if not 1 <= limit <= 500:
        raise ValidationFailed("invalid limit", {"limit": Reason(N_("between 1 and %(max)s"), max=500)})
    q = select(Message).where(Message.seller_id == seller_id)
    if status:
        q = q.where(Message.status == status)
    if buyer_id is not None:
        q = q.where(Message.buyer_id == buyer_id)
    if cursor is not None:
        q = q.where(Message.id < cursor)
    with db.reading() as s:
        rows = list(s.scalars(q.order_by(Message.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more else None)


def cancel_message(db: Database, clock: Clock, seller_id: int, message_id: int) -> Message:
    """Cancel a message that has not been sent (scheduled or failed)."""
    with db.transaction() as s:
        msg = _message_row(s, seller_id, message_id)
        if msg.status not in ("scheduled", "failed"):
            raise Conflict(f"a {msg.status} message cannot be cancelled", {"status": msg.status})
        msg.status, msg.updated_at = "cancelled", clock.now()
        return msg


def reschedule_message(db: Database, clock: Clock, seller_id: int, message_id: int,
                       data: Mapping[str, Any], *, horizon: timedelta = SEND_HORIZON) -> Message:
    """Move a scheduled or failed message to a new moment ("best" recomputes it; a given time in the
    buyer's quiet hours needs override_quiet_hours)."""
    spec = parse(MessageReschedule, data, "reschedule")
    with db.transaction() as s:
        msg = _message_row(s, seller_id, message_id)
        if msg.status not in ("scheduled", "failed"):
            raise Conflict(f"a {msg.status} message cannot be rescheduled", {"status": msg.status})
        now = clock.now()
        seller = s.get(Seller, seller_id)
        buyer = get_buyer_row(s, seller_id, msg.buyer_id)
        when, why, why_data = choose_instant_explained(s, seller, buyer, msg.kind, spec.send_at, now,
                                                       exclude_message=msg.id, horizon=horizon,
                                                       override_quiet_hours=spec.override_quiet_hours)
        msg.scheduled_at = msg.due_at = when
        msg.explanation, msg.status, msg.updated_at = why[:500], "scheduled", now
        msg.explanation_data = why_data
        msg.quiet_override = overrides_quiet_hours(why_data)
        msg.attempts = 0  # a new moment gets a fresh retry budget
        return msg


def retry_message(db: Database, clock: Clock, seller_id: int, message_id: int) -> Message:
    """Put a failed message back in the queue, due now, with a fresh attempt budget."""
    with db.transaction() as s:
        msg = _message_row(s, seller_id, message_id)
        if msg.status != "failed":
            raise Conflict("only failed messages can be retried", {"status": msg.status})
        now = clock.now()
        msg.status, msg.due_at, msg.attempts, msg.updated_at = "scheduled", now, 0, now
        msg.explanation = (msg.explanation + "; retried by the seller")[:500]
        msg.explanation_data = {**(msg.explanation_data or {}), "retried": True}
        return msg
