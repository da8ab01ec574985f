"""What a buyer import hands from stage to stage: checked rows, the buyers and orders they
group into (a `Batch` per chunk), and the seller's buyers already known (`KnownBuyers`)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from crossborder_crm.buyers.models import Buyer, BuyerIdentity

BLANK = object()  # a row with nothing in it: skipped, not counted


@dataclass
class OrderLine:
    """The order on one row: the order's facts and the row's item line (validated)."""

    marketplace: str
    external_id: str
    placed_at: datetime
    currency: str
    total: int | None  # None: the sum of the items
    status: str
    items: list[dict]


class CheckedRow:
    """A valid row: the buyer fields present on it (validated) and its order line, if any."""

    __slots__ = ("row", "email_key", "given", "order")

    def __init__(self, row: int, email_key: str | None, given: dict[str, Any], order: OrderLine | None):
        self.row, self.email_key, self.given, self.order = row, email_key, given, order


class Target:
    """A buyer this import creates or changes; `id` is None until a new one is written."""

    __slots__ = ("id", "new", "preexisting", "given", "row", "identities")

    def __init__(self, id: int | None, new: bool, preexisting: bool, row: int):
        self.id, self.new, self.preexisting, self.row = id, new, preexisting, row
        self.given: dict[str, Any] = {}
        self.identities: list[tuple[str, str, str | None]] = []


class ImportOrder:
    """An order met in this file: its id once written, its facts, and its pending item lines."""

    __slots__ = ("target", "row", "key", "placed_at", "currency", "status", "total", "items_total",
                 "id", "pending_items", "existing")

    def __init__(self, target: Target, row: int, o: OrderLine, existing: bool = False):
        self.target, self.row, self.existing = target, row, existing
        self.key = (o.marketplace, o.external_id)
        self.placed_at, self.currency, self.status, self.total = o.placed_at, o.currency, o.status, o.total
        self.items_total = 0
        self.id: int | None = None
        self.pending_items: list[dict] = []


@dataclass
class Batch:
    """One chunk's writes: the buyers it touches, its new orders, and orders written by an
    earlier chunk that got new item lines or a total."""

    targets: list[Target]
    new_orders: list[ImportOrder]
    grown: list[ImportOrder]


class KnownBuyers:
    """The seller's buyers rows can be matched to: by email, by marketplace id, and which of
    them this import created. Loaded before the first row; the writer adds what it writes."""

    def __init__(self, email_ids: dict[str, int], identity_owner: dict[tuple[str, str], Any]):
        self.email_ids = email_ids  # lower-cased email → buyer id
        # (marketplace, external id) → buyer id, or the Target that claims it in this chunk
        self.identity_owner = identity_owner
        self.created_ids: set[int] = set()

    @classmethod
    def load(cls, conn: Connection, seller_id: int) -> KnownBuyers:
        """The seller's buyers as stored now."""
        email_ids: dict[str, int] = {}
        # Newest first, so the oldest buyer wins when two share an address in any case.
        for bid, email in conn.execute(select(Buyer.id, Buyer.email).where(
                Buyer.seller_id == seller_id, Buyer.email.is_not(None)).order_by(Buyer.id.desc())):
            email_ids[email.lower()] = bid
        identity_owner: dict[tuple[str, str], Any] = {
            (mp, ext): bid for mp, ext, bid in conn.execute(
                select(BuyerIdentity.marketplace, BuyerIdentity.external_id, BuyerIdentity.buyer_id)
                .where(BuyerIdentity.seller_id == seller_id))}
        return cls(email_ids, identity_owner)
