"""Bounces from the bounce mailbox: each DSN recorded for the seller whose message it returns."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, Protocol

from sqlalchemy import select

from crossborder_crm.accounts.models import Seller
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.errors import NotFound
from crossborder_crm.feedback.dsn import feedback_of, parse_report
from crossborder_crm.feedback.rules import Policy
from crossborder_crm.feedback.service import find_original, record_in

SOURCE = "dsn"
OUTCOMES = ("recorded", "duplicate", "not_a_dsn", "no_failure", "unmatched")


@dataclass(frozen=True)
class DsnOutcome:
    """What became of one message from the bounce mailbox; `actions` as in service.Recorded."""

    status: str  # one of OUTCOMES
    seller_id: int | None = None
    actions: list[tuple[str, str, str]] = field(default_factory=list)


def record_dsn(db: Database, clock: Clock, policy: Policy, raw: bytes, seller_key: str | None = None) -> DsnOutcome:
    """Parse a DSN, find the seller through the returned Message-ID (or `seller_key`), record it once."""
    report = parse_report(raw)
    if report is None:
        return DsnOutcome("not_a_dsn")
    events = feedback_of(report, raw)
    if not events:
        return DsnOutcome("no_failure")  # only delays or successes
    with db.transaction() as s:
        seller_id = None
        if seller_key:
            seller_id = s.scalar(select(Seller.id).where(Seller.key == seller_key))
            if seller_id is None:
                raise NotFound("no seller with this key", {"seller": "unknown seller key"})
        # Without a seller key the returned headers must name a message of ours: an address alone
        # could belong to any seller's buyer.
        original = next((o for o in (find_original(s, seller_id, e) for e in events) if o is not None), None)
        seller_id = seller_id if seller_id is not None else (original.seller_id if original else None)
        if seller_id is None:
            return DsnOutcome("unmatched")
        done = record_in(s, clock.now(), policy, seller_id, SOURCE, events)
    return DsnOutcome("recorded" if done.stored else "duplicate", seller_id, done.actions)


class Mailbox(Protocol):
    """The bounce folder: unseen messages by id, and marking one seen once it is recorded."""

    def unseen(self, limit: int) -> Iterable[tuple[str, bytes]]:
        """(id, raw message) of up to `limit` unseen messages."""

    def mark_seen(self, uid: str) -> None:
        """Keep the next run from reading it again."""


def fetch_bounces(mailbox: Mailbox, handle: Callable[[bytes], DsnOutcome], limit: int) -> Counter:
    """Record each unseen message and mark it seen; an error stops the run with that message still unseen."""
    counts: Counter = Counter()
    for uid, raw in mailbox.unseen(limit):
        counts[handle(raw).status] += 1
        mailbox.mark_seen(uid)  # after its transaction: a crash in between only reads it again (a duplicate)
    return counts
