"""The login_throttle table beyond sign-ins: uses counted per fixed window, and expired rows pruned."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import select

from crossborder_crm.accounts.models import LoginThrottle
from crossborder_crm.accounts.service import check_login, prune_throttle
from crossborder_crm.accounts.throttle import count_in_window
from crossborder_crm.worker import prune_throttle_job

KEY = "test-email:1"
PARALLEL = 20


def _count(services, limit: int = 2, window: int = 60, key: str = KEY) -> int | None:
    with services.db.transaction() as s:
        return count_in_window(s, key, services.clock.now(), limit, window)


def _keys(services) -> set[str]:
    with services.db.reading() as s:
        return set(s.scalars(select(LoginThrottle.key)))


def _failures(services, key: str = KEY) -> int:
    with services.db.reading() as s:
        return s.scalar(select(LoginThrottle.failures).where(LoginThrottle.key == key))


def _row(services, key: str, seconds_ago: int, locked_for: int | None = None) -> None:
    """A row whose last count was `seconds_ago`, paused for `locked_for` more seconds if given."""
    now = services.clock.now()
    locked_until = now + timedelta(seconds=locked_for) if locked_for is not None else None
    with services.db.transaction() as s:
        s.add(LoginThrottle(key=key, failures=1, last_failure_at=now - timedelta(seconds=seconds_ago),
                            locked_until=locked_until))


def test_uses_past_the_limit_are_refused_until_the_window_ends(services, clock):
    assert [_count(services) for _ in range(3)] == [None, None, 60]
    clock.advance(timedelta(seconds=59))
    assert _count(services) == 1
    clock.advance(timedelta(seconds=1))
    assert _count(services) is None


def test_a_refused_use_is_not_counted(services):
    for _ in range(5):
        _count(services, limit=2)
    assert _failures(services) == 2


def test_parallel_uses_are_each_counted_once(services):
    start = threading.Barrier(PARALLEL)

    def use(_):
        start.wait()
        return _count(services, limit=5)

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        results = list(pool.map(use, range(PARALLEL)))
    assert results.count(None) == 5 and _failures(services) == 5


def test_pruning_deletes_expired_rows_and_keeps_live_ones(services, clock, seller_a):
    check_login(services.db, clock, seller_a.user_email, "wrong", client="203.0.113.7")  # account + client rows
    clock.advance(timedelta(minutes=10))
    _count(services, window=600)
    clock.advance(timedelta(minutes=5))
    assert prune_throttle(services.db, clock, keep_seconds=900) == 2
    assert _keys(services) == {KEY}


def test_pruning_keeps_a_row_whose_pause_is_still_running(services, clock):
    _row(services, "account:paused", seconds_ago=3600, locked_for=60)
    _row(services, "account:done", seconds_ago=3600, locked_for=0)
    prune_throttle(services.db, clock, keep_seconds=900)
    assert _keys(services) == {"account:paused"}


def test_the_worker_job_keeps_rows_for_the_whole_client_lockout(services):
    lockout = services.settings["LOGIN_CLIENT_LOCKOUT_SECONDS"]  # longer than the test email window
    _row(services, "client:old", seconds_ago=lockout)
    _row(services, "client:recent", seconds_ago=lockout - 1)
    prune_throttle_job(services, "w")
    assert _keys(services) == {"client:recent"}
