"""Recording feedback: store each event raw once, match it to our message or buyer, suppress the address.

An unsubscribe also withdraws the matched buyer's marketing consent, as our own unsubscribe link does.

One transaction per delivery: the events, the nonce and the suppressions are stored together or not at all.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from crossborder_crm.buyers.models import Buyer
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.feedback.events import COMPLAINT, SOFT, UNSUBSCRIBE, Feedback, Nonce, Unauthenticated
from crossborder_crm.feedback.models import DeliveryEvent, FeedbackNonce
from crossborder_crm.feedback.rules import Policy, clamp_time, decide
from crossborder_crm.outbox.models import Message, Suppression
from crossborder_crm.outbox.store import add_suppression
from crossborder_crm.outbox.suppression import withdraw_consent

# A signature dated ahead of our clock is clock skew, never a retry: it gets this much and no more.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass
class Recorded:
    """What one delivery came to: events stored, repeats, and the action taken per stored event."""

    stored: int = 0
    duplicates: int = 0
    actions: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, recipient, action)


@dataclass(frozen=True)
class Match:
    """Our message and buyer an event is about, and the address to suppress."""

    message_id: int | None
    buyer_id: int | None
    address: str


def _insert(s: Session):
    return pg_insert if s.get_bind().dialect.name == "postgresql" else sqlite_insert


def _by_message_id(s: Session, seller_id: int | None, ids: tuple[str, ...]):
    for found in ids:
        q = select(Message.id, Message.seller_id, Message.buyer_id, Message.to_email).where(
            Message.rfc_message_id == f"<{found}>")
        if seller_id is not None:
            q = q.where(Message.seller_id == seller_id)
        row = s.execute(q.limit(1)).first()
        if row is not None:
            return row
    return None


def _by_crm_header(s: Session, seller_id: int | None, number: int | None, recipient: str):
    """X-CRM-Message is only a number: it counts only when the recipient is the address it went to."""
    if number is None or not recipient:
        return None
    q = select(Message.id, Message.seller_id, Message.buyer_id, Message.to_email).where(Message.id == number)
    if seller_id is not None:
        q = q.where(Message.seller_id == seller_id)
    row = s.execute(q).first()
    return row if row is not None and (row.to_email or "").strip().lower() == recipient else None


def find_original(s: Session, seller_id: int | None, event: Feedback):
    """(message id, seller id, buyer id, to_email) of the message an event is about, or None."""
    return (_by_message_id(s, seller_id, event.message_ids)
            or _by_crm_header(s, seller_id, event.crm_message, event.recipient))


def _buyer_by_address(s: Session, seller_id: int, recipient: str) -> int | None:
    local, _, domain = recipient.rpartition("@")
    # Buyers keep the local part's case: an exact (indexed) match first, then any case.
    spelled = s.scalar(select(Buyer.id).where(Buyer.seller_id == seller_id, Buyer.email == recipient))
    return spelled or s.scalar(select(Buyer.id).where(Buyer.seller_id == seller_id,
                                                      func.lower(Buyer.email) == f"{local}@{domain}").limit(1))


def _last_message_to(s: Session, seller_id: int, buyer_id: int, recipient: str, at: datetime) -> int | None:
    return s.scalar(select(Message.id).where(
        Message.seller_id == seller_id, Message.buyer_id == buyer_id, Message.sent_at.is_not(None),
        Message.sent_at <= at, func.lower(Message.to_email) == recipient)
        .order_by(Message.sent_at.desc(), Message.id.desc()).limit(1))


def match(s: Session, seller_id: int, event: Feedback, at: datetime) -> Match:
    """Through the Message-ID (or X-CRM-Message), else the recipient: the buyer and the last message sent there."""
    original = find_original(s, seller_id, event)
    if original is not None:
        return Match(original.id, original.buyer_id, (original.to_email or event.recipient).strip().lower())
    if not event.recipient:
        return Match(None, None, "")
    buyer_id = _buyer_by_address(s, seller_id, event.recipient)
    message_id = _last_message_to(s, seller_id, buyer_id, event.recipient, at) if buyer_id else None
    return Match(message_id, buyer_id, event.recipient)


def _check_nonce(s: Session, seller_id: int, source: str, nonce: Nonce, now: datetime) -> bool:
    """True if the token is new (and now taken); False for a retry of its own event; Unauthenticated otherwise."""
    max_age = timedelta(seconds=nonce.max_age_seconds)
    if nonce.signed_at is None or not now - max_age <= nonce.signed_at <= now + CLOCK_SKEW:
        raise Unauthenticated("webhook signature is too old", {"signature": "timestamp too far from now"})
    seen = s.scalar(select(FeedbackNonce.event_id).where(FeedbackNonce.seller_id == seller_id,
                                                         FeedbackNonce.source == source,
                                                         FeedbackNonce.nonce == nonce.value))
    if seen is not None:
        if seen == nonce.event_id:
            return False
        raise Unauthenticated("webhook token already used", {"signature": "token replayed"})
    # Keep a token while its signature could still pass, or a replay would find it gone: signed at most
    # CLOCK_SKEW after we first saw it, it stops passing max_age after its signing.
    s.execute(delete(FeedbackNonce).where(FeedbackNonce.seller_id == seller_id, FeedbackNonce.source == source,
                                          FeedbackNonce.seen_at < now - max_age - CLOCK_SKEW))
    taken = s.execute(_insert(s)(FeedbackNonce).values(
        seller_id=seller_id, source=source, nonce=nonce.value, event_id=nonce.event_id, seen_at=now)
        .on_conflict_do_nothing().returning(FeedbackNonce.id)).first()
    return taken is not None  # a copy taking it at this instant: this one is the repeat


def _known(s: Session, seller_id: int, source: str, events: list[Feedback]) -> bool:
    ids = [e.event_id for e in events]
    found = s.scalar(select(func.count()).select_from(DeliveryEvent).where(
        DeliveryEvent.seller_id == seller_id, DeliveryEvent.source == source, DeliveryEvent.event_id.in_(ids)))
    return bool(ids) and found == len(ids)


def _withdraw(s: Session, seller_id: int, source: str, event: Feedback, found: Match, at: datetime,
              now: datetime) -> None:
    """The provider's unsubscribe withdraws the matched buyer's consent, as our own unsubscribe link does."""
    if found.buyer_id is None:  # an address with no buyer of this seller has no consent record to change
        return
    buyer = s.scalar(select(Buyer).where(Buyer.id == found.buyer_id, Buyer.seller_id == seller_id))
    if buyer is not None:
        message = f"message {found.message_id}" if found.message_id else None
        withdraw_consent(s, buyer, source, now, "; ".join(p for p in (event.detail, message) if p), at)


def _apply(s: Session, seller_id: int, source: str, row_id: int, event: Feedback, found: Match, at: datetime,
           now: datetime, policy: Policy) -> str:
    soft = 0
    if event.kind == SOFT:  # this address's soft bounces in the window before this one, this one included
        soft = s.scalar(select(func.count()).select_from(DeliveryEvent).where(
            DeliveryEvent.seller_id == seller_id, DeliveryEvent.recipient == found.address,
            DeliveryEvent.kind == SOFT, DeliveryEvent.occurred_at >= policy.window_start(at),
            DeliveryEvent.occurred_at <= at))
    decision = decide(event.kind, soft, policy)
    if decision.scope is not None and found.address:
        note = f"{event.kind}: {event.detail}"[:500]
        add_suppression(s, seller_id, found.address, decision.reason, decision.scope, now, note)
        if event.kind == COMPLAINT:
            # An unsubscribe row already there becomes a complaint: resubscribing must not lift it.
            s.execute(update(Suppression).where(Suppression.seller_id == seller_id,
                                                Suppression.email == found.address,
                                                Suppression.reason == "unsubscribe")
                      .values(reason="complaint", detail=note))
        if event.kind == UNSUBSCRIBE:  # a complaint or a bounce leaves the consent record as it is
            _withdraw(s, seller_id, source, event, found, at, now)
    s.execute(update(DeliveryEvent).where(DeliveryEvent.id == row_id).values(action=decision.action))
    return decision.action


def record(db: Database, clock: Clock, policy: Policy, seller_id: int, source: str, events: list[Feedback],
           nonce: Nonce | None = None) -> Recorded:
    """Store each new event raw, then act on it; a repeated event id changes nothing."""
    with db.transaction() as s:
        return record_in(s, clock.now(), policy, seller_id, source, events, nonce)


def record_in(s: Session, now: datetime, policy: Policy, seller_id: int, source: str, events: list[Feedback],
              nonce: Nonce | None = None) -> Recorded:
    """`record` inside a transaction the caller holds."""
    done = Recorded()
    if nonce is not None and not (events and _known(s, seller_id, source, events)):
        if not _check_nonce(s, seller_id, source, nonce, now):
            done.duplicates = len(events)
            return done
    for event in events:
        at = clamp_time(event.occurred_at, now)
        found = match(s, seller_id, event, at)
        row_id = s.execute(_insert(s)(DeliveryEvent).values(
            seller_id=seller_id, source=source, event_id=event.event_id, kind=event.kind,
            recipient=found.address or event.recipient, occurred_at=at, received_at=now,
            message_id=found.message_id, buyer_id=found.buyer_id, detail=event.detail or None, raw=event.raw)
            .on_conflict_do_nothing().returning(DeliveryEvent.id)).scalar()
        if row_id is None:  # the unique (seller, source, event id): a provider's retry
            done.duplicates += 1
            continue
        done.stored += 1
        action = _apply(s, seller_id, source, row_id, event, found, at, now, policy)
        done.actions.append((event.kind, found.address, action))
    return done

