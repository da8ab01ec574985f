"""The outbox's database side for the dispatcher: claim due messages under a lease, mark outcomes.

Every mark is fenced on (lease_owner, status='sending'): a worker whose lease expired and whose
row was reclaimed by another worker changes nothing.

A pass runs on one connection in autocommit mode. The two statements made for every message --
the send-time gate and the fenced mark -- are single statements sent straight to the driver, so
each is one round trip and one commit (PostgreSQL: no BEGIN/COMMIT exchanges, no SQLAlchemy
statement machinery, which on a slow machine cost more than the SMTP transaction). Everything
that must be atomic across statements runs inside an explicit BEGIN … COMMIT.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Any, Iterator

from sqlalchemy import and_, case, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.models import Buyer
from crossborder_crm.db import Database
from crossborder_crm.outbox.models import Message, Suppression


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
    scheduled_at: datetime | None = None  # the instant chosen when it was (re)scheduled
    quiet_override: bool = False  # chosen inside the buyer's quiet hours on purpose (outbox.send_window)


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
    dkim_private_key: str | None  # as stored, encrypted: the dispatcher decrypts it once per pass
    track_engagement: bool = False  # opens and clicks of marketing email (outbox.tracking)
    relay: Any = None  # the seller's relay_* columns when they set their own relay (outbox.relays)
    quiet_start: time = time(21, 30)  # buyer-local quiet hours, checked again at send time (outbox.send_window)
    quiet_end: time = time(8, 30)


@dataclass(frozen=True)
class SendCheck:
    """What the send-time re-check reads: suppression, consent, current address."""

    email: str | None
    consent_status: str
    suppressed_scope: str | None  # "marketing" | "all" | None
    status: str | None
    marketing_sent: int = 0  # marketing messages sent to the buyer in the cap window (marketing only)
    timezone: str | None = None  # the buyer's IANA zone, for their quiet hours



_RELAY_COLUMNS = (Seller.relay_host, Seller.relay_port, Seller.relay_security, Seller.relay_username,
                  Seller.relay_password, Seller.relay_max_connections, Seller.relay_per_second,
                  Seller.relay_per_domain_per_minute)

# Per-message statements, written once for both dialects (":name" parameters).
_GATE_SQL = """
SELECT m.status AS status, b.email AS email, b.consent_status AS consent_status, s.scope AS scope,
       CASE WHEN m.kind = 'marketing' THEN
           (SELECT count(*) FROM send_log l
             WHERE l.buyer_id = m.buyer_id AND l.kind = 'marketing' AND l.sent_at > :since)
       ELSE 0 END AS sent,
       b.timezone AS timezone
  FROM messages m
  LEFT JOIN buyers b ON b.id = m.buyer_id
  LEFT JOIN suppressions s ON s.seller_id = m.seller_id AND s.email = lower(b.email)
 WHERE m.id = :id"""
_FENCE = "WHERE id = :f_id AND lease_owner = :f_worker AND status = 'sending'"
_LOG_SELECT = "SELECT seller_id, buyer_id, id, kind, :v_sent_at FROM "
_LOG_INSERT = "INSERT INTO send_log (seller_id, buyer_id, message_id, kind, sent_at) "


def _fenced_update(columns: tuple[str, ...], returning: bool = False) -> str:
    sets = ", ".join(f"{c} = :v_{c}" for c in columns)
    sql = f"UPDATE messages SET lease_owner = NULL, lease_expires_at = NULL, {sets} {_FENCE}"
    return sql + (" RETURNING id, seller_id, buyer_id, kind" if returning else "")


class DriverSql:
    """SQL text and values in the form the DB-API driver of one dialect takes."""

    def __init__(self, dialect: str):
        self.postgres = dialect == "postgresql"

    def sql(self, text: str) -> tuple[str, tuple[str, ...] | None]:
        """(SQL, parameter names in order) for psycopg's positional %s; sqlite3 takes :name as is."""
        if not self.postgres:
            return text, None
        names = tuple(re.findall(r"(?<!:):(\w+)", text))  # no "::" casts are used
        return re.sub(r"(?<!:):\w+", "%s", text), names

    def execute(self, cursor, statement: tuple[str, tuple[str, ...] | None], params: dict):
        """Run a statement from sql(); on PostgreSQL as a server-side prepared statement."""
        sql, names = statement
        if names is None:
            return cursor.execute(sql, params)
        # Positional and prepared: psycopg then neither maps names nor re-plans, per message.
        return cursor.execute(sql, tuple(params[n] for n in names), prepare=True)

    def time(self, value: datetime) -> datetime | str:
        """A UTC instant as the UTCDateTime column stores it (naive UTC; SQLite as text)."""
        naive = value.astimezone(timezone.utc).replace(tzinfo=None)
        return naive if self.postgres else naive.strftime("%Y-%m-%d %H:%M:%S.%f")


class OutboxStore:
    """Claim and mark on one database; PostgreSQL uses SKIP LOCKED, SQLite has one writer."""

    def __init__(self, db: Database):
        self.db = db
        self.skip_locked = db.dialect == "postgresql"
        self.driver = DriverSql(db.dialect)
        self._conn: Connection | None = None
        self._cursor = None
        self._sql: dict[object, tuple[str, tuple[str, ...] | None]] = {}

    @contextmanager
    def pinned(self) -> Iterator[None]:
        """Use one autocommit connection for a whole pass: no pool checkout, ping or BEGIN per message."""
        if self._conn is not None:  # already inside a pass
            yield
            return
        conn = self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        self._conn, self._cursor = conn, conn.connection.dbapi_connection.cursor()
        try:
            yield
        finally:
            cursor, self._conn, self._cursor = self._cursor, None, None
            cursor.close()
            conn.close()  # the pool resets the isolation level

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        """One transaction on the pass's connection (or on a connection of its own)."""
        with self.pinned():
            conn = self._conn
            conn.exec_driver_sql("BEGIN")
            try:
                yield conn
            except BaseException:
                try:
                    conn.exec_driver_sql("ROLLBACK")
                except Exception:  # the connection broke: the original error is the one to see
                    pass
                raise
            conn.exec_driver_sql("COMMIT")

    def _run(self, key: object, text: str, params: dict):
        """Execute one statement on the pass's driver cursor; the SQL is converted once per key."""
        statement = self._sql.get(key)
        if statement is None:
            statement = self._sql[key] = self.driver.sql(text)
        self.driver.execute(self._cursor, statement, params)
        return self._cursor

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
                       Message.subject, Message.body, Message.attempts, Buyer.name, Buyer.email, Buyer.country,
                       Message.scheduled_at, Message.quiet_override)
                .join(Buyer, Buyer.id == Message.buyer_id).where(Message.id.in_(ids))
                .order_by(Message.due_at, Message.id)).all()
        return [Claimed(*row) for row in rows]

    def sender(self, seller_id: int) -> SenderInfo:
        """The seller's sending identity."""
        with self.pinned():
            sl = self._conn.execute(select(Seller.id, Seller.key, Seller.name, Seller.from_name, Seller.from_email,
                                           Seller.reply_to, Seller.postal_address, Seller.marketing_cap_count,
                                           Seller.marketing_cap_days, Seller.dkim_domain, Seller.dkim_selector,
                                           Seller.dkim_private_key, Seller.track_engagement, Seller.quiet_start,
                                           Seller.quiet_end, *_RELAY_COLUMNS)
                                    .where(Seller.id == seller_id)).one()
        return SenderInfo(sl.id, sl.key, sl.name, sl.from_name or sl.name, sl.from_email, sl.reply_to,
                          sl.postal_address, sl.marketing_cap_count, sl.marketing_cap_days,
                          sl.dkim_domain, sl.dkim_selector, sl.dkim_private_key, bool(sl.track_engagement),
                          sl if sl.relay_host else None, time.fromisoformat(sl.quiet_start),
                          time.fromisoformat(sl.quiet_end))

    def gate(self, msg: Claimed, cap_since: datetime) -> SendCheck:
        """Re-read, right before sending, what may forbid the send (and, for marketing, the sends
        since `cap_since`): one statement, one round trip."""
        with self.pinned():
            row = self._run("gate", _GATE_SQL, {"id": msg.id, "since": self.driver.time(cap_since)}).fetchone()
        if row is None:  # the message was deleted
            return SendCheck(None, "unknown", None, None)
        status, email, consent, scope, sent, tz = row
        return SendCheck(email, consent or "unknown", scope, status, int(sent or 0), tz)

    def _mark_params(self, msg: Claimed, worker: str, **values) -> tuple[tuple[str, ...], dict]:
        params = {"f_id": msg.id, "f_worker": worker}
        params.update((f"v_{c}", self.driver.time(v) if isinstance(v, datetime) else v) for c, v in values.items())
        return tuple(sorted(values)), params

    def _mark(self, msg: Claimed, worker: str, log_send: bool = False, **values) -> bool:
        """The fenced UPDATE (with the marketing send log when asked), committed: one round trip
        on PostgreSQL, where the log rides in the same statement."""
        columns, params = self._mark_params(msg, worker, **values)
        with self.pinned():
            if not log_send:
                return self._run(columns, _fenced_update(columns), params).rowcount == 1
            if self.driver.postgres:
                text = f"WITH m AS ({_fenced_update(columns, returning=True)}) {_LOG_INSERT}{_LOG_SELECT}m"
                return self._run(("log",) + columns, text, params).rowcount == 1
            with self._tx():
                if self._run(columns, _fenced_update(columns), params).rowcount != 1:
                    return False
                self._run(("log",) + columns, f"{_LOG_INSERT}{_LOG_SELECT}messages WHERE id = :f_id", params)
                return True

    def mark_sent(self, msg: Claimed, worker: str, now: datetime, to_email: str) -> bool:
        """Record the send (and the marketing send log); False if the lease was lost."""
        # last_error is kept: "sent at attempt 3" with the reason of the earlier failures.
        return self._mark(msg, worker, log_send=msg.kind == "marketing", status="sent", sent_at=now,
                          to_email=to_email, updated_at=now)

    def mark_retry(self, msg: Claimed, worker: str, now: datetime, error: str, due: datetime) -> bool:
        """A transient failure: back to scheduled, due again later."""
        return self._mark(msg, worker, status="scheduled", due_at=due, last_error=error[:2000], updated_at=now)

    def mark_failed(self, msg: Claimed, worker: str, now: datetime, error: str,
                    suppress: tuple[str, str] | None = None) -> bool:
        """A final failure with its reason; a hard bounce also suppresses the address."""
        values = dict(status="failed", last_error=error[:2000], updated_at=now)
        if suppress is None:
            return self._mark(msg, worker, **values)
        with self._tx() as s:
            ok = self._mark(msg, worker, **values)
            if ok:
                add_suppression(s, msg.seller_id, suppress[0], "hard_bounce", "all", now, suppress[1])
            return ok

    def mark_suppressed(self, msg: Claimed, worker: str, now: datetime, reason: str) -> bool:
        """Not sent on purpose (unsubscribed, bounced, no consent, capped), with the reason."""
        return self._mark(msg, worker, status="suppressed", last_error=reason, updated_at=now)

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

    def defer(self, msg: Claimed, worker: str, now: datetime, due: datetime, reason: str) -> bool:
        """Put a claimed message back until `due` without counting an attempt (nothing was tried:
        its recipient's domain asked us to wait, its relay was busy, or it is night for the buyer)."""
        with self._tx() as s:
            return s.execute(update(Message).where(Message.id == msg.id, Message.lease_owner == worker,
                                                   Message.status == "sending")
                             .values(status="scheduled", due_at=due, lease_owner=None, lease_expires_at=None,
                                     attempts=Message.attempts - 1, last_error=reason[:2000], updated_at=now)
                             ).rowcount == 1

    def next_due(self) -> datetime | None:
        """When the next message becomes due (for idle workers and the panel)."""
        with self.pinned():
            return self._conn.scalar(select(func.min(Message.due_at)).where(
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
