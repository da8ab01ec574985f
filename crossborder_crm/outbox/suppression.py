"""Unsubscribe and resubscribe: the suppression list and the buyer's consent record together."""
from __future__ import annotations

from sqlalchemy import delete, select

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.models import Activity, Buyer
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.outbox.models import Suppression
from crossborder_crm.outbox.store import add_suppression
from crossborder_crm.outbox.unsubscribe import UnsubscribeClaim


def unsubscribe(db: Database, clock: Clock, claim: UnsubscribeClaim, source: str = "one_click") -> None:
    """Suppress marketing to the address and withdraw the buyer's consent, at once."""
    now = clock.now()
    with db.transaction() as s:
        add_suppression(s, claim.seller_id, claim.email, "unsubscribe", "marketing", now,
                        f"{source}; message {claim.message_id}")
        buyer = s.scalar(select(Buyer).where(Buyer.id == claim.buyer_id, Buyer.seller_id == claim.seller_id))
        if buyer is not None:
            buyer.consent_status, buyer.consent_source, buyer.consent_at = "withdrawn", f"unsubscribe:{source}", now
            s.add(Activity(seller_id=claim.seller_id, buyer_id=buyer.id, kind="unsubscribe", occurred_at=now,
                           source=source, detail=f"message {claim.message_id}", created_at=now))


def resubscribe(db: Database, clock: Clock, claim: UnsubscribeClaim) -> None:
    """Undo an unsubscribe from the preference page (bounces and complaints stay suppressed)."""
    now = clock.now()
    with db.transaction() as s:
        s.execute(delete(Suppression).where(Suppression.seller_id == claim.seller_id,
                                            Suppression.email == claim.email.strip().lower(),
                                            Suppression.reason == "unsubscribe"))
        buyer = s.scalar(select(Buyer).where(Buyer.id == claim.buyer_id, Buyer.seller_id == claim.seller_id))
        if buyer is not None:
            buyer.consent_status, buyer.consent_source, buyer.consent_at = "granted", "preference_page", now


def subscription_state(db: Database, claim: UnsubscribeClaim) -> tuple[str, bool, str]:
    """(seller name, unsubscribed?, buyer locale) for the preference page."""
    with db.reading() as s:
        seller = s.get(Seller, claim.seller_id)
        scope = s.scalar(select(Suppression.scope).where(Suppression.seller_id == claim.seller_id,
                                                         Suppression.email == claim.email.strip().lower()))
        locale = s.scalar(select(Buyer.language).where(Buyer.id == claim.buyer_id)) or "en"
    return (seller.name if seller else ""), scope is not None, locale
