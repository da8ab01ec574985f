"""Drafting: understand each complaint, gather its facts, pick the remedy, write both language versions,
store the drafts. One read session and one write transaction for a whole batch (the worker drafts the
marketplaces' events in batches; the API drafts a batch of one).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping, Sequence

from sqlalchemy import Row, select, update
from sqlalchemy.orm import Session

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.models import Buyer, Order
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.errors import CrmError
from crossborder_crm.i18n.translator import Translator
from crossborder_crm.replies.facts import Facts, facts_json, plain_fields
from crossborder_crm.replies.lookup import gather, resolve
from crossborder_crm.replies.models import DraftEvent, ReplyDraft
from crossborder_crm.replies.policy_service import policy_in
from crossborder_crm.replies.remedy import Policy, Remedy, choose
from crossborder_crm.replies.schemas import DraftCreate
from crossborder_crm.replies.tone_check import check_tone
from crossborder_crm.replies.understand import Complaint, understand
from crossborder_crm.replies.versions import Request, write_versions
from crossborder_crm.validation import parse

NEGATIVE_REVIEW_AT_MOST = 2  # stars: a review at or below this keeps the buyer out of marketing for a while


@dataclass(frozen=True)
class Incoming:
    """One complaint to draft for: the request body, and where and when it came from."""

    body: Mapping[str, Any]
    source: str = "api"  # api | panel | a marketplace's name
    received_at: datetime | None = None  # default: now
    activity_id: int | None = None  # the marketplace event it came as


@dataclass(frozen=True)
class _Found:
    spec: DraftCreate
    order: Row | None
    facts: Facts


def remedy_json(remedy: Remedy) -> dict[str, Any]:
    """The remedy as JSON-ready data."""
    return plain_fields(remedy)


def tone_of(draft: ReplyDraft) -> list[dict[str, Any]]:
    """Tone warnings of the buyer-language reply and public reply, each with the part it was found in."""
    found = []
    for part, text in (("body", draft.buyer_body), ("public_reply", draft.buyer_public_reply)):
        for w in check_tone(text or "", draft.buyer_locale):
            found.append({"part": part, "kind": w.kind, "phrase": w.phrase, "start": w.start, "end": w.end,
                          "suggestion": w.suggestion})
    return found


def record_event(s: Session, draft: ReplyDraft, action: str, actor: str, now: datetime,
                 detail: str | None = None) -> None:
    """One step of the draft's audit trail."""
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


def _write(found: _Found, item: Incoming, seller_id: int, seller: Row, policy: Policy, now: datetime,
           translator: Translator | None) -> tuple[ReplyDraft, Remedy]:
    """The draft for one complaint, not stored yet (pure but for the translator)."""
    spec, order, facts = found.spec, found.order, found.facts
    understood = understand(Complaint(spec.text, spec.rating, facts.buyer_language, facts.shipment_state(now.date()),
                                      facts.earlier_complaints))
    category = understood.category
    remedy = choose(category, order.total_minor if order else None, order.currency if order else None,
                    facts.remedy_parcel(), now.date(), policy)
    versions = write_versions(Request(spec.kind, category, facts, remedy, seller.from_name or seller.name, now),
                              facts.buyer_language or understood.language.tag, seller.default_language, translator)
    draft = ReplyDraft(
        seller_id=seller_id, buyer_id=facts.buyer_id, order_id=order.id if order else None, kind=spec.kind,
        source=item.source, received_at=item.received_at or now, activity_id=item.activity_id, text=spec.text,
        rating=spec.rating, language=understood.language.tag or "und", category=category,
        categories=list(understood.classification.categories),
        evidence=[plain_fields(e) for e in understood.classification.evidence],
        severity=understood.severity.level, severity_reasons=list(understood.severity.reasons),
        facts=facts_json(facts, now), remedy=remedy_json(remedy),
        buyer_locale=versions.buyer.locale, buyer_subject=versions.buyer.subject, buyer_body=versions.buyer.body,
        buyer_public_reply=versions.buyer.public_reply, seller_locale=versions.seller.locale,
        seller_subject=versions.seller.subject, seller_body=versions.seller.body,
        seller_public_reply=versions.seller.public_reply, machine_translated=versions.machine_translated,
        translation_note=versions.note, status="new", message_id=None, created_at=now, updated_at=now)
    draft.tone_warnings = tone_of(draft)
    return draft, remedy


def create_drafts(db: Database, clock: Clock, seller_id: int, items: Sequence[Incoming], *,
                  translator: Translator | None = None, policy: Policy | None = None,
                  actor: str = "api") -> list[ReplyDraft | CrmError]:
    """Draft each complaint; in the result, a draft or the error that refused that one (nothing stored for it)."""
    now = clock.now()
    results: list[ReplyDraft | CrmError | _Found] = []
    with db.reading() as s:
        seller = s.execute(select(Seller.name, Seller.from_name, Seller.default_language)
                           .where(Seller.id == seller_id)).one()
        policy = policy or policy_in(s, seller_id)
        for item in items:
            try:
                spec = parse(DraftCreate, item.body, "draft")
                buyer, order = resolve(s, seller_id, spec.buyer_id, spec.order_ref)
                results.append(_Found(spec, order, gather(s, seller_id, buyer, order)))
            except CrmError as exc:
                results.append(exc)
    # Writing (and translating) happens here, outside any transaction: a slow provider holds no lock.
    written = [(_write(r, item, seller_id, seller, policy, now, translator), r) if isinstance(r, _Found) else r
               for r, item in zip(results, items)]
    with db.transaction() as s:
        for entry in written:
            if isinstance(entry, CrmError):
                continue
            (draft, remedy), found = entry
            s.add(draft)
            s.flush()
            record_event(s, draft, "created", actor, now, f"{draft.category}, {remedy.key}")
            _set_flags(s, found.spec.kind, found.spec.rating, found.facts.buyer_id,
                       found.order.id if found.order else None, now)
    return [entry if isinstance(entry, CrmError) else entry[0][0] for entry in written]


def create_draft(db: Database, clock: Clock, seller_id: int, data: Mapping[str, Any], *,
                 translator: Translator | None = None, policy: Policy | None = None, actor: str = "api",
                 source: str = "api", received_at: datetime | None = None, activity_id: int | None = None
                 ) -> ReplyDraft:
    """Draft the reply to one review, dispute or message; 422 naming the field for bad input, nothing stored."""
    [result] = create_drafts(db, clock, seller_id, [Incoming(data, source, received_at, activity_id)],
                             translator=translator, policy=policy, actor=actor)
    if isinstance(result, CrmError):
        raise result
    return result
