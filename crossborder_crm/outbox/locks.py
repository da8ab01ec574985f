"""Once-only periodic jobs across many workers: a PostgreSQL advisory lock, or a leased row."""
from __future__ import annotations

import zlib
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Iterator

from sqlalchemy import or_, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from crossborder_crm.db import Database
from crossborder_crm.outbox.models import JobLock


def _lock_id(name: str) -> int:
    return zlib.crc32(f"crossborder_crm:{name}".encode()) & 0x7FFFFFFF


@contextmanager
def run_once(db: Database, name: str, holder: str, now: datetime,
             ttl: timedelta = timedelta(minutes=10)) -> Iterator[bool]:
    """Yield True in exactly one worker at a time for job `name`; others get False and skip."""
    if db.dialect == "postgresql":
        with db.engine.connect() as conn:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _lock_id(name)}).scalar()
            try:
                yield bool(got)
            finally:
                if got:
                    conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _lock_id(name)})
                conn.commit()
        return
    with db.transaction() as s:
        s.execute(sqlite_insert(JobLock).values(name=name).on_conflict_do_nothing(index_elements=["name"]))
        took = s.execute(update(JobLock).where(JobLock.name == name, or_(
            JobLock.holder.is_(None), JobLock.expires_at < now, JobLock.holder == holder))
            .values(holder=holder, expires_at=now + ttl)).rowcount == 1
    try:
        yield took
    finally:
        if took:
            with db.transaction() as s:
                s.execute(update(JobLock).where(JobLock.name == name, JobLock.holder == holder)
                          .values(holder=None, expires_at=None, last_run_at=now))
