"""Health checks over the database: readiness, and the outbox backlog a stopped worker leaves behind.

Plain functions of (db, now, …); the web views, the metrics collector and the panel call them.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, select

from crossborder_crm.db import Database
from crossborder_crm.migrate import revision_on
from crossborder_crm.outbox.models import Message

log = logging.getLogger(__name__)

# The rows a worker picks up once due_at has passed: a "sending" row is due again when its
# lease expired (its worker died), exactly as the dispatcher's claim reads them.
DUE_STATUSES = ("scheduled", "sending")
# Due this long and not sent: with the worker ticking every few seconds, it is not running.
STALLED_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class Readiness:
    """Whether the service can do its work; when not, which check failed and a short reason."""

    ready: bool
    failed: str | None = None  # "database" | "migrations"
    reason: str | None = None  # safe to show anyone: no URL, no exception text


def readiness(db: Database, head: str | None) -> Readiness:
    """Ready when the database answers and its schema is at the migrations' `head` (one small query)."""
    try:
        with db.engine.connect() as conn:
            revision = revision_on(conn)
    except Exception as exc:  # any failure to read the revision means "cannot serve"; say why in the log only
        log.warning("readiness: database check failed: %s: %s", type(exc).__name__,
                    (str(exc).splitlines() or [""])[0])
        return Readiness(False, "database", "database unreachable")
    if revision != head:
        log.warning("readiness: database at revision %s, migrations at %s", revision, head)
        return Readiness(False, "migrations", "database schema is not at the newest migration")
    return Readiness(True)


@dataclass(frozen=True)
class Backlog:
    """Messages due and not yet sent, and since when the oldest of them has been due."""

    count: int
    oldest_due: datetime | None

    def age(self, now: datetime) -> timedelta:
        """How long the oldest due message has waited (zero when nothing is due)."""
        return max(now - self.oldest_due, timedelta(0)) if self.oldest_due else timedelta(0)


def outbox_backlog(db: Database, now: datetime, *, seller_id: int | None = None,
                   waiting_longer_than: timedelta = timedelta(0)) -> Backlog:
    """Messages due for more than `waiting_longer_than` at `now` (one seller's, or everyone's)."""
    where = [Message.status.in_(DUE_STATUSES), Message.due_at <= now - waiting_longer_than]
    if seller_id is not None:
        where.append(Message.seller_id == seller_id)
    with db.reading() as s:
        count, oldest = s.execute(select(func.count(Message.id), func.min(Message.due_at)).where(*where)).one()
    return Backlog(count or 0, oldest)


@dataclass(frozen=True)
class OutboxSnapshot:
    """Messages by (status, kind), and the due instant of the oldest message due now."""

    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    oldest_due: datetime | None = None


def outbox_snapshot(db: Database, now: datetime) -> OutboxSnapshot:
    """Every seller's messages counted by status and kind, with the oldest due one: one GROUP BY."""
    due = and_(Message.status.in_(DUE_STATUSES), Message.due_at <= now)
    oldest = func.min(case((due, Message.due_at), else_=None))
    stmt = select(Message.status, Message.kind, func.count(Message.id), oldest).group_by(Message.status,
                                                                                        Message.kind)
    with db.reading() as s:
        rows = s.execute(stmt).all()
    dues = [row[3] for row in rows if row[3] is not None]
    return OutboxSnapshot({(status, kind): n for status, kind, n, _ in rows}, min(dues) if dues else None)
