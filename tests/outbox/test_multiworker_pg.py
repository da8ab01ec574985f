"""Four worker processes on PostgreSQL, eight SMTP sessions each, share 5,000 due messages; one
worker is SIGKILLed mid-batch while the server refuses some connections and some recipients.

Every message arrives; none is left behind; a message arrives twice only where the killed worker
died between the SMTP server's acceptance and its mark: at most one per session of that worker,
with the same Message-ID.
"""
from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, insert, select, update

from crossborder_crm.accounts.models import Seller
from crossborder_crm.accounts.service import create_seller
from crossborder_crm.buyers.models import Buyer
from crossborder_crm.clock import FixedClock
from crossborder_crm.outbox.message_id import make_message_id
from crossborder_crm.outbox.models import Message
from tests.smtp_sink import SmtpSink

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

MESSAGES = 5000
BUYERS = 500
CONCURRENCY = 8


def _seed(db, now):
    seller = create_seller(db, FixedClock(now), "Multi", "multi@example.com", "password123")
    base = dict(seller_id=seller.seller_id, country="DE", timezone="Europe/Berlin", timezone_source="country",
                timezone_confidence="high", timezone_explanation="", language="de-DE", language_source="given",
                language_explanation="", tags=[], consent_status="granted", created_at=now, updated_at=now)
    with db.transaction() as s:
        # The workers run on the real clock, which may be night in Berlin: no quiet hours for this seller.
        s.execute(update(Seller).where(Seller.id == seller.seller_id).values(quiet_start="00:00", quiet_end="00:00"))
        s.execute(insert(Buyer), [dict(base, name=f"Käufer {i}", email=f"k{i}@example.de") for i in range(BUYERS)])
        ids = list(s.scalars(select(Buyer.id).order_by(Buyer.id)))
        rows = []
        for n in range(MESSAGES):
            key = f"load:{n}"
            rows.append(dict(seller_id=seller.seller_id, buyer_id=ids[n % BUYERS], kind="transactional",
                             origin="written", idempotency_key=key,
                             rfc_message_id=make_message_id(seller.seller_key, key, "crm.test"),
                             locale="de-DE", context={}, subject=f"Nachricht {n}", body="Hallo!",
                             scheduled_at=now - timedelta(minutes=1), explanation="load test", status="scheduled",
                             due_at=now - timedelta(minutes=1), attempts=0, created_at=now, updated_at=now))
        s.execute(insert(Message), rows)


def _counts(db):
    with db.reading() as s:
        return dict(s.execute(select(Message.status, func.count()).group_by(Message.status)).all())


def _start_worker(url, smtp_port, log_path):
    env = {**os.environ, "CRM_ENV": "production", "CRM_SECRET_KEY": "multiworker-test-secret-of-at-least-32-bytes",
           "CRM_PUBLIC_URL": "https://crm.example.com",
           "CRM_DATABASE_URL": url, "CRM_MAIL_BACKEND": "smtp", "CRM_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
           "CRM_SMTP_TIMEOUT": "5", "CRM_DISPATCH_INTERVAL_SECONDS": "1", "CRM_DISPATCH_BATCH_SIZE": "50",
           "CRM_DISPATCH_LEASE_SECONDS": "4", "CRM_DISPATCH_BACKOFF_BASE_SECONDS": "1",
           "CRM_DISPATCH_MAX_ATTEMPTS": "20", "CRM_MAIL_FROM_DOMAIN": "crm.test"}
    log = open(log_path, "wb")
    proc = subprocess.Popen([sys.executable, "-m", "crossborder_crm", "worker", "--concurrency", str(CONCURRENCY)],
                            env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    proc.log = log
    return proc


def test_four_workers_one_killed_deliver_every_message_once(pg_db, tmp_path):
    now = datetime.now(timezone.utc)  # the workers run on the real clock
    _seed(pg_db, now)
    # Refuse every third connection and every 13th recipient: workers see transient failures and retry.
    rcpts = itertools.count(1)
    sink = SmtpSink(refuse_connection=lambda n: n % 3 == 2,
                    refuse=lambda rcpt: "451 4.3.0 try again later" if next(rcpts) % 13 == 0 else None).start()
    procs = []
    try:
        procs = [_start_worker(pg_db.url, sink.port, tmp_path / f"worker{i}.log") for i in range(4)]
        victim = procs[0]
        victim_id = None
        deadline = time.monotonic() + 60
        # Kill the first worker while it holds a claimed batch, after the sink has taken some mail.
        while time.monotonic() < deadline:
            with pg_db.reading() as s:
                holders = set(s.scalars(select(Message.lease_owner).where(Message.status == "sending")))
            mine = [h for h in holders if h and f":{victim.pid}/" in h]
            if mine and sink.message_count > 300:
                victim_id = f":{victim.pid}/"
                victim.send_signal(signal.SIGKILL)
                break
            time.sleep(0.02)
        assert victim_id, "the victim worker never held a batch"
        victim.wait(10)
        with pg_db.reading() as s:
            stranded = s.scalar(select(func.count()).where(Message.lease_owner.contains(victim_id),
                                                           Message.status == "sending"))
        assert stranded > 0, "the kill did not land mid-batch"

        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            counts = _counts(pg_db)
            if counts.get("scheduled", 0) == 0 and counts.get("sending", 0) == 0:
                break
            time.sleep(0.5)
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
            p.log.close()
        sink.stop()

    counts = _counts(pg_db)
    logs = "\n".join((tmp_path / f"worker{i}.log").read_text(errors="replace")[-2000:] for i in range(4))
    assert counts == {"sent": MESSAGES}, (counts, logs)
    assert sink.refused_connections > 0, ("the sink never refused a connection", logs)
    received = Counter(sink.message_ids())
    with pg_db.reading() as s:
        expected = set(s.scalars(select(Message.rfc_message_id)))
    assert set(received) == expected  # every message arrived, nothing foreign
    repeats = {mid: n for mid, n in received.items() if n > 1}
    # Only the killed worker can cause a repeat: one message per session at most.
    assert len(repeats) <= CONCURRENCY, repeats
    assert all(n == 2 for n in repeats.values()), repeats
    with pg_db.reading() as s:
        retried = s.execute(select(Message.attempts, Message.last_error).where(Message.attempts > 1)).all()
    assert retried, "no message needed a retry"
    silent = [row for row in retried if not row[1]]
    assert not silent, (silent[:5], logs)  # every retried message says why it was retried
    for p in procs[1:]:
        assert p.returncode == 0, logs  # live workers exit cleanly on SIGTERM
