"""Sending limits that hold across every worker: a rate per relay, a rate per recipient domain through
it, and a pause for a domain that answers 421 or 4.7.x (throttling).

Each limit is a row holding the next free slot (epoch seconds): taking a slot moves it on by
1/rate in one statement, so workers on any host queue behind one another without a lock; the
caller waits until its slot. Rates are spread evenly (no bursts): R a second is R in every second.
"""
from __future__ import annotations

import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from crossborder_crm.db import Database
from crossborder_crm.outbox.models import SendRate

_THROTTLED = re.compile(r"\b4\.7\.\d{1,3}\b")
PAUSES_REFRESH_SECONDS = 1.0


@dataclass(frozen=True)
class Limits:
    """A relay's limits (None: unlimited) and how long a throttling domain is left alone."""

    per_second: float | None = None
    per_domain_per_minute: int | None = None
    throttle_backoff_seconds: float = 300.0

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
    """Takes slots and reads pauses on its own connection; `now`/`sleep` are wall-clock seconds, shared
    by every worker (an injected clock that stands still would queue forever)."""

    def __init__(self, db: Database, now: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep):
        self.db, self.now, self.sleep = db, now, sleep
        self._insert = pg_insert if db.dialect == "postgresql" else sqlite_insert
        self._greatest = func.greatest if db.dialect == "postgresql" else func.max
        self._conn = None
        self._pauses: dict[str, float] = {}
        self._pauses_read_at = float("-inf")

    @contextmanager
    def connected(self) -> Iterator[None]:
        """Hold one autocommit connection for a pass."""
        conn = self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        self._conn = conn
        try:
            yield
        finally:
            self._conn = None
            conn.close()

    def _take(self, key: str, interval: float, now: float) -> float:
        """Reserve the next slot of `key`; the instant it starts."""
        stmt = self._insert(SendRate).values(key=key, next_at=now + interval)
        stmt = stmt.on_conflict_do_update(index_elements=["key"], set_={
            "next_at": self._greatest(SendRate.next_at, now) + interval}).returning(SendRate.next_at)
        return self._conn.execute(stmt).scalar_one() - interval

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
            self._pauses = dict(self._conn.execute(select(SendRate.key, SendRate.blocked_until).where(
                SendRate.blocked_until > now)).all())
            self._pauses_read_at = now
        until = self._pauses.get(f"pause:{relay}:{domain}")
        return until if until is not None and until > now else None

    def pause(self, relay: str, domain: str, seconds: float) -> float:
        """Leave a throttling domain alone for `seconds` (every worker); until when."""
        until = self.now() + seconds
        stmt = self._insert(SendRate).values(key=f"pause:{relay}:{domain}", next_at=0.0, blocked_until=until)
        self._conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"blocked_until": until}))
        self._pauses[f"pause:{relay}:{domain}"] = until
        return until
