"""Sending limits that hold across every worker: a rate per relay, a rate per recipient domain through
it, and a pause for a domain that answers 421 or 4.7.x (throttling).

Each limit is a row holding the next free slot (epoch seconds): taking a slot moves it on by
1/rate in one statement, so workers on any host queue behind one another without a lock; the
caller waits until its slot. Rates are spread evenly (no bursts): R a second is R in every second.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from crossborder_crm.db import Database
from crossborder_crm.outbox.models import SendRate

_THROTTLED = re.compile(r"\b4\.7\.\d{1,3}\b")
PAUSES_REFRESH_SECONDS = 1.0
# A connection slot is leased: a worker killed while holding one frees it when the lease runs out.
SLOT_LEASE_SECONDS = 60.0


@dataclass(frozen=True)
class Limits:
    """A relay's limits (None: unlimited) and how long a throttling domain is left alone."""

    per_second: float | None = None
    per_domain_per_minute: int | None = None
    throttle_backoff_seconds: float = 300.0
    max_connections: int | None = None  # sessions connected to the relay at once, all workers together

    @property
    def any(self) -> bool:
        """True when a rate is set: only then are slots taken."""
        return bool(self.per_second or self.per_domain_per_minute)


def is_throttling(code: int | None, reason: str) -> bool:
    """A reply that says "too much, slow down": 421, or an enhanced status 4.7.x."""
    return code == 421 or bool(_THROTTLED.search(reason or ""))


def recipient_domain(address: str) -> str:
    """The domain part, lower-cased (IDNA left as written: the key only has to be stable)."""
    return address.rpartition("@")[2].strip().lower()


class RateLimiter:
    """Takes slots and reads pauses; `now`/`sleep` are wall-clock seconds, shared
    by every worker (an injected clock that stands still would queue forever)."""

    def __init__(self, db: Database, now: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep):
        self.db, self.now, self.sleep = db, now, sleep
        self._insert = pg_insert if db.dialect == "postgresql" else sqlite_insert
        self._greatest = func.greatest if db.dialect == "postgresql" else func.max
        self._pauses: dict[str, float] = {}
        self._pauses_read_at = float("-inf")

    def _run(self, statement, params=None):
        """One statement on a pooled connection of its own, committed at once. A session does not hold
        a second connection for its limits: the pool then needs only one per session, and a session
        waiting for the pool while its lease runs out is how a message gets sent twice."""
        with self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            result = conn.execute(statement, params) if params is not None else conn.execute(statement)
            return result.all() if result.returns_rows else result.rowcount

    def _take(self, key: str, interval: float, now: float) -> float:
        """Reserve the next slot of `key`; the instant it starts."""
        stmt = self._insert(SendRate).values(key=key, next_at=now + interval)
        stmt = stmt.on_conflict_do_update(index_elements=["key"], set_={
            "next_at": self._greatest(SendRate.next_at, now) + interval}).returning(SendRate.next_at)
        return self._run(stmt)[0][0] - interval

    def wait_turn(self, relay: str, domain: str, limits: Limits) -> float:
        """Take this message's slots (relay, then domain) and sleep until both start; seconds waited."""
        if not limits.any:
            return 0.0
        now = self.now()
        start = now
        if limits.per_second:
            start = max(start, self._take(f"relay:{relay}", 1.0 / limits.per_second, now))
        if limits.per_domain_per_minute:
            start = max(start, self._take(f"domain:{relay}:{domain}", 60.0 / limits.per_domain_per_minute, now))
        waited = start - now
        if waited > 0:
            self.sleep(waited)
        return max(0.0, waited)

    def paused_until(self, relay: str, domain: str) -> float | None:
        """Until when a throttling domain is left alone (epoch seconds), or None. The pauses are read
        at most once a second: a pause lasts minutes, a query per message would cost more than it saves."""
        now = self.now()
        if now >= self._pauses_read_at + PAUSES_REFRESH_SECONDS:
            self._pauses = dict(self._run(select(SendRate.key, SendRate.blocked_until).where(
                SendRate.blocked_until > now)))
            self._pauses_read_at = now
        until = self._pauses.get(f"pause:{relay}:{domain}")
        return until if until is not None and until > now else None

    def pause(self, relay: str, domain: str, seconds: float) -> float:
        """Leave a throttling domain alone for `seconds` (every worker); until when."""
        until = self.now() + seconds
        stmt = self._insert(SendRate).values(key=f"pause:{relay}:{domain}", next_at=0.0, blocked_until=until)
        self._run(stmt.on_conflict_do_update(index_elements=["key"], set_={"blocked_until": until}))
        self._pauses[f"pause:{relay}:{domain}"] = until
        return until

    def hold_slot(self, relay: str, max_connections: int, holder: str) -> bool:
        """Take one of the relay's connection slots for `holder` (True), or find them all taken (False)."""
        now = self.now()
        keys = [f"conn:{relay}:{n}" for n in range(max_connections)]
        self._run(self._insert(SendRate).on_conflict_do_nothing(index_elements=["key"]),
                  [{"key": k, "next_at": 0.0} for k in keys])
        free = select(SendRate.key).where(SendRate.key.in_(keys), or_(
            SendRate.holder.is_(None), SendRate.holder == holder, SendRate.blocked_until < now)
        ).order_by(case((SendRate.holder == holder, 0), else_=1), SendRate.key).limit(1)  # its own first
        if self.db.dialect == "postgresql":
            free = free.with_for_update(skip_locked=True)
        taken = self._run(update(SendRate).where(SendRate.key == free.scalar_subquery())
                                   .values(holder=holder, blocked_until=now + SLOT_LEASE_SECONDS))
        return taken == 1

    def renew_slot(self, holder: str) -> None:
        """Extend the lease of the slots `holder` has (called as it keeps sending)."""
        self._run(update(SendRate).where(SendRate.holder == holder)
                  .values(blocked_until=self.now() + SLOT_LEASE_SECONDS))

    def free_slots(self, holder: str) -> None:
        """Give back every slot `holder` has."""
        self._run(update(SendRate).where(SendRate.holder == holder).values(holder=None, blocked_until=None))
