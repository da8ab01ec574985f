"""Buyer use cases: one transaction each, every query scoped to the seller."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.language import infer_language
from crossborder_crm.buyers.models import (
    Buyer,
    BuyerIdentity,
    BuyerTag,
)
from crossborder_crm.buyers.schemas import BuyerCreate, BuyerFields
from crossborder_crm.buyers.search_text import buyer_search_text
from crossborder_crm.buyers.timezone import infer_timezone
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.errors import N_, Conflict, NotFound, Reason, ValidationFailed
from crossborder_crm.validation import parse


def get_buyer_row(s: Session, seller_id: int, buyer_id: int) -> Buyer:
    """The buyer if it belongs to this seller; NotFound otherwise (another seller's id included)."""
    buyer = s.scalar(select(Buyer).where(Buyer.id == buyer_id, Buyer.seller_id == seller_id))
    if buyer is None:
        raise NotFound(f"buyer {buyer_id} not found")
    return buyer


def _seller_default_language(s: Session, seller_id: int) -> str:
    return s.scalar(select(Seller.default_language).where(Seller.id == seller_id)) or "en"


def apply_inference(buyer: Buyer, given_timezone: str | None, given_language: str | None,
                    seller_language: str) -> None:
    """Fill timezone and language, given or inferred, recording where each came from."""
    tz = infer_timezone(buyer.country, buyer.region, buyer.postal_code, buyer.city, given=given_timezone)
    buyer.timezone, buyer.timezone_source = tz.value, tz.source
    buyer.timezone_confidence, buyer.timezone_explanation = tz.confidence, tz.explanation[:500]
    lang = infer_language(buyer.country, given=given_language, marketplace_locale=buyer.marketplace_locale,
                          seller_default=seller_language)
    buyer.language, buyer.language_source, buyer.language_explanation = (
        lang.value, lang.source, lang.explanation[:500])


def _set_tags(s: Session, buyer: Buyer, tags: list[str]) -> None:
    buyer.tags = list(tags)
    if buyer.id is not None:
        s.execute(delete(BuyerTag).where(BuyerTag.buyer_id == buyer.id))
    for tag in tags:
        s.add(BuyerTag(buyer_id=buyer.id, tag=tag, seller_id=buyer.seller_id))


def link_identity(s: Session, buyer: Buyer, marketplace: str, external_id: str,
                   locale: str | None) -> None:
    """Record the buyer's id on a marketplace; Conflict if another buyer of the seller has it."""
    taken = s.scalar(select(BuyerIdentity.buyer_id).where(
        BuyerIdentity.seller_id == buyer.seller_id, BuyerIdentity.marketplace == marketplace,
        BuyerIdentity.external_id == external_id))
    if taken is not None and taken != buyer.id:
        raise Conflict("another buyer has this marketplace id",
                       {"marketplace_buyer_id": _used_by(taken)})
    if taken is None:
        s.add(BuyerIdentity(seller_id=buyer.seller_id, buyer_id=buyer.id, marketplace=marketplace,
                            external_id=external_id, locale=locale))


def _email_taken(s: Session, seller_id: int, email: str, except_id: int | None = None) -> int | None:
    q = select(Buyer.id).where(Buyer.seller_id == seller_id, func.lower(Buyer.email) == email.lower())
    if except_id is not None:
        q = q.where(Buyer.id != except_id)
    return s.scalar(q)


def create_buyer(db: Database, clock: Clock, seller_id: int, data: Mapping[str, Any]) -> Buyer:
    """Validate, infer what is missing, and store a new buyer."""
    spec = parse(BuyerCreate, data, "buyer")
    now = clock.now()
    with db.transaction() as s:
        if spec.email and (other := _email_taken(s, seller_id, spec.email)):
            raise Conflict("a buyer with this email already exists", {"email": _used_by(other)})
        buyer = Buyer(seller_id=seller_id, created_at=now, updated_at=now, tags=[])
        _assign(buyer, spec, now)
        apply_inference(buyer, spec.timezone, spec.language, _seller_default_language(s, seller_id))
        s.add(buyer)
        flush_or_conflict(s)
        _set_tags(s, buyer, spec.tags or [])
        if spec.marketplace and spec.marketplace_buyer_id:
            link_identity(s, buyer, spec.marketplace, spec.marketplace_buyer_id, spec.marketplace_locale)
        return _loaded(s, buyer)


def _loaded(s: Session, buyer: Buyer) -> Buyer:
    """Flush and load the relationships, so the returned buyer is complete outside the session."""
    flush_or_conflict(s)
    s.refresh(buyer, ["identities", "spend"])
    return buyer


_PLAIN_FIELDS = ("name", "email", "phone", "country", "region", "city", "postal_code", "marketplace",
                 "marketplace_buyer_id", "marketplace_locale", "notes")


def _assign(buyer: Buyer, spec: BuyerFields, now: datetime) -> None:
    for name in spec.model_fields_set & set(_PLAIN_FIELDS):
        setattr(buyer, name, getattr(spec, name))
    if spec.consent is not None:
        buyer.consent_status = spec.consent.status
        buyer.consent_source = spec.consent.source
        buyer.consent_at = spec.consent.at or now
    elif buyer.consent_status is None:
        buyer.consent_status = "unknown"
    buyer.search_text = buyer_search_text(buyer.name, buyer.email)


def update_buyer(db: Database, clock: Clock, seller_id: int, buyer_id: int,
                 data: Mapping[str, Any]) -> Buyer:
    """Partial update: only the fields present change; inference reruns when its inputs change."""
    spec = parse(BuyerFields, data, "buyer")
    fields = spec.model_fields_set
    for required in ("name", "country"):
        if required in fields and getattr(spec, required) is None:
            raise ValidationFailed(f"invalid buyer: {required} cannot be removed", {required: N_("is required")})
    now = clock.now()
    with db.transaction() as s:
        buyer = get_buyer_row(s, seller_id, buyer_id)
        if spec.email and (other := _email_taken(s, seller_id, spec.email, buyer.id)):
            raise Conflict("a buyer with this email already exists", {"email": _used_by(other)})
        _assign(buyer, spec, now)
        given_tz = spec.timezone if "timezone" in fields else (
            buyer.timezone if buyer.timezone_source == "given" else None)
        given_lang = spec.language if "language" in fields else (
            buyer.language if buyer.language_source == "given" else None)
        apply_inference(buyer, given_tz, given_lang, _seller_default_language(s, seller_id))
        if "tags" in fields:
            _set_tags(s, buyer, spec.tags or [])
        if spec.marketplace and spec.marketplace_buyer_id:
            link_identity(s, buyer, spec.marketplace, spec.marketplace_buyer_id, spec.marketplace_locale)
        buyer.updated_at = now
        return _loaded(s, buyer)


def flush_or_conflict(s: Session) -> None:
    """Flush, turning a unique-constraint collision into a 409 Conflict."""
    try:
        s.flush()
    except IntegrityError as exc:
        # The database's words for the API; the panel says it in the seller's language.
        detail = str(exc.orig).splitlines()[0][:200]
        raise Conflict("duplicate value", {"body": Reason.worded(detail, N_("this value is already taken"))}) from None


def _used_by(buyer_id: int) -> str:
    return Reason(N_("already used by buyer %(id)s"), id=buyer_id)


def delete_buyer(db: Database, seller_id: int, buyer_id: int) -> None:
    """Remove a buyer with their orders, activity and messages."""
    with db.transaction() as s:
        buyer = get_buyer_row(s, seller_id, buyer_id)
        s.delete(buyer)


def buyer_timezones(db: Database, seller_id: int, ids: set[int]) -> dict[int, str]:
    """The time zone of each of these buyers of the seller (others' ids are left out)."""
    if not ids:
        return {}
    with db.reading() as s:
        return dict(s.execute(select(Buyer.id, Buyer.timezone).where(Buyer.id.in_(ids),
                                                                     Buyer.seller_id == seller_id)).all())


def get_buyer(db: Database, seller_id: int, buyer_id: int) -> Buyer:
    """One buyer of this seller."""
    with db.reading() as s:
        return get_buyer_row(s, seller_id, buyer_id)


