"""Unsubscribe and resubscribe: the suppression list and the buyer's consent record together.

The address is always the buyer's stored one, looked up within the seller: the token names the
buyer by id only.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.models import Activity, Buyer
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.outbox.models import Suppression
from crossborder_crm.outbox.store import add_suppression
from crossborder_crm.outbox.unsubscribe import UnsubscribeClaim, mask_email


@dataclass(frozen=True)
class PreferenceState:
    """What the preference page shows: whose list, whether the buyer is off it, in which language."""

    seller_name: str
    unsubscribed: bool
    locale: str
    masked_email: str  # l***@example.es, "" when the buyer has no address (or is gone)


def _buyer(s: Session, claim: UnsubscribeClaim) -> Buyer | None:
    return s.scalar(select(Buyer).where(Buyer.id == claim.buyer_id, Buyer.seller_id == claim.seller_id))


def unsubscribe(db: Database, clock: Clock, claim: UnsubscribeClaim, source: str = "one_click") -> None:
    """Suppress marketing to the buyer's address and withdraw the buyer's consent, at once."""
    now = clock.now()
    with db.transaction() as s:
        buyer = _buyer(s, claim)
        if buyer is None:  # deleted since: there is nobody left to mail
            return
        if buyer.email:
            add_suppression(s, claim.seller_id, buyer.email, "unsubscribe", claim.scope, now,
                            f"{source}; message {claim.message_id}")
        withdraw_consent(s, buyer, source, now, f"message {claim.message_id}")


def withdraw_consent(s: Session, buyer: Buyer, source: str, now: datetime, detail: str | None,
                     at: datetime | None = None) -> None:
    """Record that the buyer withdrew consent by unsubscribing through `source` (at `at`, default now),
    with an "unsubscribe" activity; the caller's transaction holds both."""
    when = at or now
    buyer.consent_status, buyer.consent_source, buyer.consent_at = "withdrawn", f"unsubscribe:{source}", when
    s.add(Activity(seller_id=buyer.seller_id, buyer_id=buyer.id, kind="unsubscribe", occurred_at=when,
                   source=source, detail=detail[:500] if detail else None, created_at=now))


def resubscribe(db: Database, clock: Clock, claim: UnsubscribeClaim) -> None:
    """Undo an unsubscribe from the preference page (bounces and complaints stay suppressed)."""
    now = clock.now()
    with db.transaction() as s:
        buyer = _buyer(s, claim)
        if buyer is None:
            return
        if buyer.email:
            s.execute(delete(Suppression).where(Suppression.seller_id == claim.seller_id,
                                                Suppression.email == buyer.email.strip().lower(),
                                                Suppression.reason == "unsubscribe"))
        buyer.consent_status, buyer.consent_source, buyer.consent_at = "granted", "preference_page", now


def subscription_state(db: Database, claim: UnsubscribeClaim) -> PreferenceState:
    """The preference page's view of the buyer's subscription."""
    with db.reading() as s:
        seller = s.get(Seller, claim.seller_id)
        buyer = _buyer(s, claim)
        email = buyer.email if buyer is not None else None
        scope = email and s.scalar(select(Suppression.scope).where(Suppression.seller_id == claim.seller_id,
                                                                   Suppression.email == email.strip().lower()))
        return PreferenceState(seller_name=seller.name if seller else "", unsubscribed=bool(scope),
                               locale=(buyer.language if buyer is not None else None) or "en",
                               masked_email=mask_email(email))
