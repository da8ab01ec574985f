"""Whether a message could ever reach the buyer: one rule for the scheduler and the dispatcher's gate.

`address_refusal` is pure and is the only copy of the address / consent / suppression rule: the
dispatcher stores its text in last_error when it holds a message back, and the scheduler refuses a
new message with it (422, naming the field). `written_refusals` reads what the rule needs.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.models import Buyer
from crossborder_crm.buyers.service import get_buyer_row
from crossborder_crm.db import Database
from crossborder_crm.errors import N_, Reason
from crossborder_crm.outbox.models import Suppression

# Kept verbatim: these texts are what the gate has always stored in last_error (panel.explain maps them).
NO_EMAIL = N_("buyer has no email address")
SUPPRESSED = N_("address is suppressed (bounce or complaint)")
UNSUBSCRIBED = N_("buyer unsubscribed")
NO_CONSENT = N_("marketing consent %(status)s")
NO_REPLY_ADDRESS = N_("a conversation message needs an address the buyer can reply to: set a From email "
                      "or a Reply-To address in Settings → Sending")
REFUSED_CONSENT = ("denied", "withdrawn")


@dataclass(frozen=True)
class Refusal:
    """Why a message can never be sent, and the request field the seller would change."""

    field: str  # "buyer_id" (the buyer's address) or "kind" (marketing to this buyer; a conversation)
    reason: Reason


def address_refusal(kind: str, email: str | None, consent_status: str | None,
                    suppressed_scope: str | None) -> Refusal | None:
    """The address, consent and suppression rule (None: the message may go to this address)."""
    if not email:
        return Refusal("buyer_id", Reason(NO_EMAIL))
    if suppressed_scope == "all":
        return Refusal("buyer_id", Reason(SUPPRESSED))
    if kind == "marketing":
        if suppressed_scope == "marketing":
            return Refusal("kind", Reason(UNSUBSCRIBED))
        if consent_status in REFUSED_CONSENT:
            return Refusal("kind", Reason(NO_CONSENT, status=consent_status))
    return None


def sender_refusal(kind: str, from_email: str | None, reply_to: str | None) -> Refusal | None:
    """A personal message from no-reply@… with no Reply-To could not be answered: refuse it."""
    if kind == "conversation" and not (from_email or reply_to):
        return Refusal("kind", Reason(NO_REPLY_ADDRESS))
    return None


def suppression_scope(s: Session, seller_id: int, email: str | None) -> str | None:
    """The scope ("all" | "marketing") under which the seller suppressed this address, if any."""
    if not email:
        return None
    return s.scalar(select(Suppression.scope).where(Suppression.seller_id == seller_id,
                                                    Suppression.email == email.strip().lower()))


def written_refusals(s: Session, seller: Seller, buyer: Buyer, kinds: tuple[str, ...]) -> dict[str, dict[str, Reason]]:
    """For each kind, why a message written now could never be sent: {kind: {field: reason}}."""
    scope = suppression_scope(s, seller.id, buyer.email)
    found: dict[str, dict[str, Reason]] = {}
    for kind in kinds:
        fields: dict[str, Reason] = {}
        for refusal in (address_refusal(kind, buyer.email, buyer.consent_status, scope),
                        sender_refusal(kind, seller.from_email, seller.reply_to)):
            if refusal is not None:
                fields.setdefault(refusal.field, refusal.reason)
        if fields:
            found[kind] = fields
    return found


def buyer_refusals(db: Database, seller_id: int, buyer_id: int,
                   kinds: tuple[str, ...] = ("conversation", "marketing")) -> dict[str, dict[str, Reason]]:
    """`written_refusals` for one of the seller's buyers, for a page that says so before anything is written."""
    with db.reading() as s:
        return written_refusals(s, s.get(Seller, seller_id), get_buyer_row(s, seller_id, buyer_id), kinds)
