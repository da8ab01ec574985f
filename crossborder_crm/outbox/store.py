"""The outbox's database side for the dispatcher: claim due messages under a lease, mark outcomes.

Every mark is fenced on (lease_owner, status='sending'): a worker whose lease expired and whose
row was reclaimed by another worker changes nothing.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterator

from sqlalchemy import and_, bindparam, case, func, insert, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.models import Buyer
from crossborder_crm.db import Database
from crossborder_crm.outbox.models import Message, SendLog, Suppression


@dataclass(frozen=True)
class Claimed:
    """A claimed message with what rendering and sending need."""

    id: int
    seller_id: int
    buyer_id: int
    kind: str
    idempotency_key: str
    rfc_message_id: str
    locale: str
    template: str | None
    context: dict
    subject: str | None
    body: str | None
    attempts: int
    buyer_name: str
    buyer_email: str | None
    buyer_country: str


@dataclass(frozen=True)
class SenderInfo:
    """The seller as a sender: name, addresses, footer and signing key."""

    id: int
    key: str
    name: str
    from_name: str
    from_email: str | None
    reply_to: str | None
    postal_address: str | None
    cap_count: int
    cap_days: int
    dkim_domain: str | None
    dkim_selector: str | None
    dkim_private_key: str | None


@dataclass(frozen=True)
class Gate:
    """What the send-time re-check reads: suppression, consent, current address."""

    email: str | None
    consent_status: str
    suppressed_scope: str | None  # "marketing" | "all" | None
    status: str


_MESSAGES = Message.__table__
_GATE = (select(Message.status, Buyer.email, Buyer.consent_status, Suppression.scope)
         .select_from(Message)
         .outerjoin(Buyer, Buyer.id == Message.buyer_id)
         .outerjoin(Suppression, and_(Suppression.seller_id == Message.seller_id,
                                      Suppression.email == func.lower(Buyer.email)))
         .where(Message.id == bindparam("g_id")))
_SENT_SINCE = (select(func.count()).select_from(SendLog)
               .where(SendLog.buyer_id == bindparam("c_buyer"), SendLog.kind == "marketing",
                      SendLog.sent_at > bindparam("c_since", type_=SendLog.__table__.c.sent_at.type)))
_SEND_LOG = insert(SendLog.__table__)


class OutboxStore:
    """Claim and mark on one database; PostgreSQL uses SKIP LOCKED, SQLite has one writer."""

    def __init__(self, db: Database):
        self.db = db
        self.skip_locked = db.dialect == "postgresql"
        self._conn: Connection | None = None
        self._mark_statements: dict[tuple[str, ...], object] = {}

    @contextmanager
    def pinned(self) -> Iterator[None]:
        """Use one connection for a whole pass: no pool checkout or pre-ping per statement."""
        conn = self.db.engine.connect()
        self._conn = conn
        try:
            yield
        finally:
            self._conn = None
            conn.close()

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        """One transaction, on the pinned connection when there is one (Core: no ORM per message)."""
        if self._conn is None:
            with self.db.engine.begin() as conn:
                yield conn
            return
        with self._conn.begin():
            yield self._conn

    def claim(self, worker: str, now: datetime, limit: int, lease: timedelta) -> list[Claimed]:
        """Lease up to `limit` due messages (scheduled, or sending with an expired lease)."""
        expires = now + lease
        due = and_(Message.status.in_(("scheduled", "sending")), Message.due_at <= now)
        pick = select(Message.id).where(due).order_by(Message.due_at, Message.id).limit(limit)
        if self.skip_locked:
            pick = pick.with_for_update(skip_locked=True)
        # A row still "sending" here was abandoned by a worker whose lease ran out: say so.
        reclaimed = case((Message.status == "sending",
                          literal("reclaimed: the lease of ") + Message.lease_owner + literal(" expired")),
                         else_=Message.last_error)
        stmt = (update(Message).where(Message.id.in_(pick.scalar_subquery()))
                .values(status="sending", lease_owner=worker, lease_expires_at=expires, due_at=expires,
                        attempts=Message.attempts + 1, updated_at=now, last_error=reclaimed)
                .returning(Message.id))
        with self._tx() as s:
            ids = [r for r, in s.execute(stmt)]
            if not ids:
                return []
            rows = s.execute(
                select(Message.id, Message.seller_id, Message.buyer_id, Message.kind, Message.idempotency_key,
                       Message.rfc_message_id, Message.locale, Message.template, Message.context,
                       Message.subject, Message.body, Message.attempts, Buyer.name, Buyer.email, Buyer.country)
                .join(Buyer, Buyer.id == Message.buyer_id).where(Message.id.in_(ids))
                .order_by(Message.due_at, Message.id)).all()
        return [Claimed(*row) for row in rows]

    def sender(self, seller_id: int) -> SenderInfo:
        """The seller's sending identity."""
        with self._tx() as s:
            sl = s.execute(select(Seller.id, Seller.key, Seller.name, Seller.from_name, Seller.from_email,
                                  Seller.reply_to, Seller.postal_address, Seller.marketing_cap_count,
                                  Seller.marketing_cap_days, Seller.dkim_domain, Seller.dkim_selector,
                                  Seller.dkim_private_key).where(Seller.id == seller_id)).one()
        return SenderInfo(sl.id, sl.key, sl.name, sl.from_name or sl.name, sl.from_email, sl.reply_to,
                          sl.postal_address, sl.marketing_cap_count, sl.marketing_cap_days,
                          sl.dkim_domain, sl.dkim_selector, sl.dkim_private_key)

    def gate(self, msg: Claimed) -> Gate:
        """Re-read, right before sending, what may forbid the send: one statement."""
        with self._tx() as s:
            row = s.execute(_GATE, {"g_id": msg.id}).first()
        if row is None:  # the message was deleted
            return Gate(None, "unknown", None, None)
        return Gate(row.email, row.consent_status or "unknown", row.scope, row.status)

    def marketing_sent_since(self, buyer_id: int, since: datetime) -> int:
        """Marketing messages actually sent to the buyer since a moment."""
        with self._tx() as s:
            return s.scalar(_SENT_SINCE, {"c_buyer": buyer_id, "c_since": since}) or 0

    def _fenced(self, conn: Connection, msg_id: int, worker: str, **values) -> bool:
        key = tuple(sorted(values))
        stmt = self._mark_statements.get(key)
        if stmt is None:
            # Built once per shape with bind parameters: constructing an UPDATE costs several
            # times more than executing it, and this runs once per message.
            stmt = self._mark_statements[key] = (
                update(_MESSAGES).where(_MESSAGES.c.id == bindparam("f_id"),
                                        _MESSAGES.c.lease_owner == bindparam("f_worker"),
                                        _MESSAGES.c.status == "sending")
                .values(lease_owner=None, lease_expires_at=None, **{k: bindparam(f"v_{k}") for k in key}))
        params = {"f_id": msg_id, "f_worker": worker, **{f"v_{k}": v for k, v in values.items()}}
        return conn.execute(stmt, params).rowcount == 1

    def mark_sent(self, msg: Claimed, worker: str, now: datetime, to_email: str) -> bool:
        """Record the send (and the marketing send log); False if the lease was lost."""
        with self._tx() as s:
            # last_error is kept: "sent at attempt 3" with the reason of the earlier failures.
            ok = self._fenced(s, msg.id, worker, status="sent", sent_at=now, to_email=to_email,
                              updated_at=now)
            if ok and msg.kind == "marketing":
                s.execute(_SEND_LOG, {"seller_id": msg.seller_id, "buyer_id": msg.buyer_id, "message_id": msg.id,
                                      "kind": msg.kind, "sent_at": now})
            return ok

    def mark_retry(self, msg: Claimed, worker: str, now: datetime, error: str, due: datetime) -> bool:
        """A transient failure: back to scheduled, due again later."""
        with self._tx() as s:
            return self._fenced(s, msg.id, worker, status="scheduled", due_at=due, last_error=error[:2000],
                                updated_at=now)

    def mark_failed(self, msg: Claimed, worker: str, now: datetime, error: str,
                    suppress: tuple[str, str] | None = None) -> bool:
        """A final failure with its reason; a hard bounce also suppresses the address."""
        with self._tx() as s:
            ok = self._fenced(s, msg.id, worker, status="failed", last_error=error[:2000], updated_at=now)
            if ok and suppress is not None:
                add_suppression(s, msg.seller_id, suppress[0], "hard_bounce", "all", now, suppress[1])
            return ok

    def mark_suppressed(self, msg: Claimed, worker: str, now: datetime, reason: str) -> bool:
        """Not sent on purpose (unsubscribed, bounced, no consent, capped), with the reason."""
        with self._tx() as s:
            return self._fenced(s, msg.id, worker, status="suppressed", last_error=reason, updated_at=now)

    def release(self, ids: list[int], worker: str, now: datetime) -> int:
        """Give claimed-but-untried messages back (shutdown): due now, attempt not counted."""
        if not ids:
            return 0
        with self._tx() as s:
            result = s.execute(update(Message).where(Message.id.in_(ids), Message.lease_owner == worker,
                                                     Message.status == "sending")
                               .values(status="scheduled", due_at=now, lease_owner=None, lease_expires_at=None,
                                       attempts=Message.attempts - 1, updated_at=now))
            return result.rowcount

    def next_due(self) -> datetime | None:
        """When the next message becomes due (for idle workers and the panel)."""
        with self._tx() as s:
            return s.scalar(select(func.min(Message.due_at)).where(
                or_(Message.status == "scheduled", Message.status == "sending")))


def add_suppression(s: Session | Connection, seller_id: int, email: str, reason: str, scope: str, now: datetime,
                    detail: str | None = None) -> None:
    """Put an address on the seller's suppression list; a wider scope replaces a narrower one."""
    email = email.strip().lower()
    dialect = (s.dialect if isinstance(s, Connection) else s.get_bind().dialect).name
    ins = (pg_insert if dialect == "postgresql" else sqlite_insert)(Suppression).values(
        seller_id=seller_id, email=email, reason=reason, scope=scope, detail=(detail or "")[:500], created_at=now)
    if scope == "all":
        stmt = ins.on_conflict_do_update(index_elements=["seller_id", "email"],
                                         set_={"scope": "all", "reason": reason, "detail": (detail or "")[:500]})
    else:
        stmt = ins.on_conflict_do_nothing(index_elements=["seller_id", "email"])
    s.execute(stmt)
