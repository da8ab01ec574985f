"""The worker's scheduling: UTC triggers, coalescing, once-only jobs, catching up after downtime."""
from __future__ import annotations

import threading
from datetime import timedelta

from crossborder_crm.outbox.locks import run_once
from crossborder_crm.worker import JOBS, build_scheduler, dispatch_job
from tests.outbox.helpers import at, new_buyer, schedule, with_mail


def test_every_job_runs_in_utc_and_coalesces_missed_runs(services):
    sched = build_scheduler(services, "w", threading.Event(), blocking=False)
    sched.start(paused=True)  # job defaults are applied when the scheduler starts
    jobs = sched.get_jobs()
    sched.shutdown(wait=False)
    assert {j.id for j in jobs} == {"dispatch"} | {j.name for j in JOBS}
    for job in jobs:
        assert job.coalesce is True and job.max_instances == 1 and job.misfire_grace_time >= 60
        assert str(job.trigger.timezone) == "UTC"


def test_only_one_holder_runs_a_once_only_job(services, clock):
    with run_once(services.db, "scan", "worker-1", clock.now()) as first:
        with run_once(services.db, "scan", "worker-2", clock.now()) as second:
            assert (first, second) == (True, False)
    with run_once(services.db, "scan", "worker-2", clock.now()) as again:
        assert again is True  # released after the first holder finished


def test_a_restart_after_downtime_sends_every_due_message_once(api_a, services, clock, tmp_path):
    buyer = new_buyer(api_a)
    for hour in range(9, 21):  # twelve messages fell due while the worker was down
        schedule(api_a, buyer["id"], send_at=f"2026-03-10T{hour:02d}:00:00+00:00", idempotency_key=f"h{hour}")
    at(clock, "2026-03-11T09:00:00Z")
    svc = with_mail(services, MAIL_DIR=str(tmp_path / "mail"), DISPATCH_BATCH_SIZE=5)
    first = dispatch_job(svc, "restarted")
    assert first.sent == 12
    clock.advance(timedelta(seconds=5))
    assert dispatch_job(svc, "restarted").sent == 0
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 12
