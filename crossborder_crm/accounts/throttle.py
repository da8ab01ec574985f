"""Failed sign-ins counted atomically: a growing pause per account, a lockout per client address.

Every attempt claims its place before the password is checked, with one
`INSERT … ON CONFLICT (key) DO UPDATE … RETURNING` per key: parallel guesses are counted one by
one (PostgreSQL locks the row, SQLite the database, until the claim commits), and an attempt that
arrives while its key is paused is refused without being checked or counted. An attempt whose
password turns out right gives its place back (`forget_success`).

The same table counts other uses per fixed window (`count_in_window`, e.g. the panel's test emails
under "test-email:<seller id>"); `prune_expired` deletes the rows whose windows and pauses are over.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from crossborder_crm.accounts.models import LoginThrottle

ACCOUNT = "account"
CLIENT = "client"
# Longest doubling exponent computed; far past any sensible cap, and keeps 2**n small.
MAX_DOUBLINGS = 30


@dataclass(frozen=True)
class LoginPolicy:
    """How failed sign-ins slow down an account and shut out a client address."""

    slowdown_after: int = 3  # account failures before each further attempt must wait
    pause_max_seconds: int = 60  # the pause doubles from 1 s up to this
    client_lockout_after: int = 30  # failures from one address before it is refused
    client_lockout_seconds: int = 900  # how long; failures older than this are forgotten too

    def account_pause(self, failures: int) -> int:
        """Seconds the account waits after its n-th failure in a row: none, then 1, 2, 4 … the cap."""
        if failures < self.slowdown_after:
            return 0
        return min(2 ** min(failures - self.slowdown_after, MAX_DOUBLINGS), self.pause_max_seconds)

    def client_pause(self, failures: int) -> int:
        """Seconds the address is refused after its n-th failure: the lockout from the limit on."""
        return self.client_lockout_seconds if failures >= self.client_lockout_after else 0

    def pause(self, scope: str, failures: int) -> int:
        """The pause for an account or a client key after this many failures."""
        return self.account_pause(failures) if scope == ACCOUNT else self.client_pause(failures)


@dataclass(frozen=True)
class Refusal:
    """Why an attempt was not checked: which key is paused, and for how many more seconds."""

    scope: str
    retry_after: int


def account_key(email: str) -> str:
    """The throttle key of an account: a digest, so the table neither lists emails nor overflows."""
    return f"{ACCOUNT}:{hashlib.sha256(email.encode()).hexdigest()}"


def client_key(address: str) -> str:
    """The throttle key of a client address."""
    return f"{CLIENT}:{address[:200]}"


def _insert(session: Session):
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _older_than(col, now: datetime, seconds: int):
    """Nothing counted on the row for `seconds`: whatever it counted is forgotten."""
    return or_(col.last_failure_at.is_(None), col.last_failure_at <= now - timedelta(seconds=seconds))


def claim(session: Session, scope: str, key: str, now: datetime, policy: LoginPolicy) -> Refusal | None:
    """Count one attempt against the key and start its pause if due; a Refusal if already paused."""
    table = LoginThrottle.__table__
    col = table.c
    forgotten = _older_than(col, now, policy.client_lockout_seconds)
    stmt = _insert(session)(table).values(key=key, failures=1, last_failure_at=now, locked_until=None)
    stmt = stmt.on_conflict_do_update(
        index_elements=[col.key],
        set_={"failures": case((forgotten, 1), else_=col.failures + 1), "last_failure_at": now},
        where=or_(col.locked_until.is_(None), col.locked_until <= now),
    ).returning(col.failures)
    failures = session.execute(stmt).scalar()
    if failures is None:
        locked_until = session.scalar(select(col.locked_until).where(col.key == key))
        return Refusal(scope, max(1, math.ceil((locked_until - now).total_seconds())))
    pause = policy.pause(scope, failures)
    if pause:
        # Still inside the claim's transaction, so no other attempt on this key slips in between.
        session.execute(update(table).where(col.key == key)
                        .values(locked_until=now + timedelta(seconds=pause)))
    return None


def forget_success(session: Session, account: str, client: str | None, policy: LoginPolicy) -> None:
    """A right password: the address gets back the place it claimed; the account starts afresh."""
    # Client before account, the order claims lock them in too, so two transactions never deadlock.
    table = LoginThrottle.__table__
    col = table.c
    if client is not None:
        remaining = col.failures - 1
        session.execute(update(table).where(col.key == client, col.failures > 0).values(
            failures=remaining,
            locked_until=case((remaining < policy.client_lockout_after, None), else_=col.locked_until)))
    session.execute(delete(table).where(col.key == account))


def count_in_window(session: Session, key: str, now: datetime, limit: int, window_seconds: int) -> int | None:
    """Count one use of the key in its window (opened by its first use); None when counted, else the
    seconds until the window ends if `limit` uses are already counted in it (the refusal is not counted)."""
    # No new column (no migration): on these rows last_failure_at holds the window's start and
    # locked_until stays empty, so prune_expired judges them exactly as it judges the login rows.
    table = LoginThrottle.__table__
    col = table.c
    over = _older_than(col, now, window_seconds)
    stmt = _insert(session)(table).values(key=key, failures=1, last_failure_at=now, locked_until=None)
    stmt = stmt.on_conflict_do_update(
        index_elements=[col.key],
        set_={"failures": case((over, 1), else_=col.failures + 1),
              "last_failure_at": case((over, literal(now, col.last_failure_at.type)), else_=col.last_failure_at)},
        where=or_(over, col.failures < limit),
    ).returning(col.failures)
    if session.execute(stmt).scalar() is not None:
        return None
    started = session.scalar(select(col.last_failure_at).where(col.key == key))
    return max(1, math.ceil((started + timedelta(seconds=window_seconds) - now).total_seconds()))


def prune_expired(session: Session, now: datetime, keep_seconds: int) -> int:
    """Delete the rows with nothing counted for `keep_seconds` and no pause running; how many.

    `keep_seconds` must be at least the longest window any key uses: such a row counts for nothing
    any more, its next use starts afresh exactly as a new row would.
    """
    col = LoginThrottle.__table__.c
    unpaused = or_(col.locked_until.is_(None), col.locked_until <= now)
    return session.execute(delete(LoginThrottle.__table__)
                           .where(_older_than(col, now, keep_seconds), unpaused)).rowcount
