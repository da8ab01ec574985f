"""Sending limits shared by every worker: a rate per relay and per recipient domain, and a pause for a
domain that answers 421 or 4.7.x."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, select, update

from crossborder_crm.accounts.models import Seller
from crossborder_crm.accounts.service import create_seller
from crossborder_crm.buyers.models import Buyer
from crossborder_crm.clock import FixedClock
from crossborder_crm.outbox.message_id import make_message_id
from crossborder_crm.outbox.models import Message
from crossborder_crm.outbox.rate_limits import Limits, RateLimiter, is_throttling, recipient_domain
from crossborder_crm.worker import dispatch_job
from tests.outbox.helpers import smtp_services, with_mail


class FakeTime:
    def __init__(self, at: float = 1_000.0):
        self.at, self.slept = at, []

    def now(self) -> float:
        return self.at

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))


def _limiter(database, fake: FakeTime) -> RateLimiter:
    return RateLimiter(database, now=fake.now, sleep=fake.sleep)


def test_a_rate_spreads_messages_evenly(database):
    fake = FakeTime()
    limiter = _limiter(database, fake)
    for _ in range(3):
        limiter.wait_turn("default", "example.com", Limits(per_second=10))
    assert fake.slept == [0.1, 0.2]


def test_a_domain_rate_holds_beside_the_relay_rate(database):
    fake = FakeTime()
    limiter = _limiter(database, fake)
    limiter.wait_turn("default", "gmail.com", Limits(per_second=100, per_domain_per_minute=6))
    limiter.wait_turn("default", "yahoo.com", Limits(per_second=100, per_domain_per_minute=6))
    limiter.wait_turn("default", "gmail.com", Limits(per_second=100, per_domain_per_minute=6))
    assert fake.slept == [0.01, 10.0]  # yahoo waits for the relay only; gmail's second for its domain


def test_no_limits_take_no_slot(database):
    fake = FakeTime()
    limiter = _limiter(database, fake)
    assert limiter.wait_turn("default", "example.com", Limits()) == 0.0
    assert fake.slept == []


def test_a_pause_holds_for_its_domain_only(database):
    fake = FakeTime()
    limiter = _limiter(database, fake)
    limiter.pause("default", "slow.example", 300)
    assert limiter.paused_until("default", "slow.example") == 1_300.0
    assert limiter.paused_until("default", "fast.example") is None
    fake.at += 301
    assert limiter.paused_until("default", "slow.example") is None


@pytest.mark.parametrize("code, reason, throttling", [
    (421, "Service not available", True), (451, "4.7.1 Try again later: too many messages", True),
    (451, "4.3.0 Mailbox busy", False), (None, "connection reset", False)])
def test_throttling_is_a_421_or_an_enhanced_4_7_status(code, reason, throttling):
    assert is_throttling(code, reason) is throttling


def test_the_domain_is_the_part_after_the_at_sign():
    assert recipient_domain("Amy@Gmail.COM") == "gmail.com"


def _seed(db, seller_id, seller_key, now, addresses):
    base = dict(seller_id=seller_id, country="DE", timezone="Europe/Berlin", timezone_source="country",
                timezone_confidence="high", timezone_explanation="", language="de-DE", language_source="given",
                language_explanation="", tags=[], consent_status="granted", created_at=now, updated_at=now)
    with db.transaction() as s:
        # Due now, which may be night in Berlin (03:00 at the test clock, any hour on the real one):
        # this seller sends at any hour (no quiet hours).
        s.execute(update(Seller).where(Seller.id == seller_id).values(quiet_start="00:00", quiet_end="00:00"))
        s.execute(insert(Buyer), [dict(base, name=f"K {i}", email=a) for i, a in enumerate(addresses)])
        ids = list(s.scalars(select(Buyer.id).order_by(Buyer.id)))
        s.execute(insert(Message), [dict(
            seller_id=seller_id, buyer_id=b, kind="transactional", origin="written", idempotency_key=f"r:{i}",
            rfc_message_id=make_message_id(seller_key, f"r:{i}", "crm.test"), locale="de-DE", context={},
            subject=f"N {i}", body="Hallo", scheduled_at=now, explanation="", status="scheduled",
            due_at=now - timedelta(seconds=1), attempts=0, created_at=now, updated_at=now)
            for i, b in enumerate(ids)])


def test_a_throttling_domain_is_paused_while_the_others_go_on(services, seller_a, make_sink):
    sink = make_sink(refuse=lambda rcpt: "451 4.7.1 Too many messages, slow down" if "@slow." in rcpt else None)
    addresses = [f"s{i}@slow.example" for i in range(3)] + [f"f{i}@fast.example" for i in range(5)]
    _seed(services.db, seller_a.seller_id, seller_a.seller_key, services.clock.now(), addresses)
    result = dispatch_job(with_mail(smtp_services(services, sink), DISPATCH_BATCH_SIZE=100), "w1")
    assert result.sent == 5 and sink.message_count == 5
    with services.db.reading() as s:
        slow = s.execute(select(Message.attempts, Message.status, Message.last_error, Message.due_at)
                         .join(Buyer, Buyer.id == Message.buyer_id).where(Buyer.email.like("%@slow.example"))
                         .order_by(Message.id)).all()
    tried, *left_alone = slow
    assert tried.attempts == 1 and "4.7.1" in tried.last_error
    assert all(m.attempts == 0 and "asked us to slow down" in m.last_error for m in left_alone)
    assert all(m.status == "scheduled" and m.due_at >= services.clock.now() + timedelta(minutes=4) for m in slow)


RATE = 20
MESSAGES = 120


@pytest.mark.postgres
@pytest.mark.slow
def test_a_rate_is_held_across_three_workers(pg_db, make_sink):
    now = datetime.now(timezone.utc)  # the workers run on the real clock
    seller = create_seller(pg_db, FixedClock(now), "Rated", "rated@example.com", "password123")
    _seed(pg_db, seller.seller_id, seller.seller_key, now, [f"k{i}@example.de" for i in range(MESSAGES)])
    sink = make_sink()
    env = {**os.environ, "CRM_ENV": "production", "CRM_SECRET_KEY": "rate-limit-test-secret-of-at-least-32-bytes",
           "CRM_PUBLIC_URL": "https://crm.example.com", "CRM_DATABASE_URL": pg_db.url, "CRM_MAIL_BACKEND": "smtp",
           "CRM_SMTP_URL": f"smtp://127.0.0.1:{sink.port}", "CRM_MAIL_FROM_DOMAIN": "crm.test",
           "CRM_SMTP_MAX_PER_SECOND": str(RATE), "CRM_DISPATCH_BATCH_SIZE": "12"}
    workers = [subprocess.Popen([sys.executable, "-m", "crossborder_crm", "dispatch", "--once", "--concurrency", "4"],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(3)]
    outputs = [w.communicate(timeout=120)[0].decode(errors="replace") for w in workers]
    assert sink.message_count == MESSAGES, outputs
    arrivals = sorted(sink.arrivals)
    busiest = max(sum(1 for t in arrivals if start <= t < start + 1.0) for start in arrivals)
    assert busiest <= RATE * 1.1, busiest
    assert arrivals[-1] - arrivals[0] >= (MESSAGES - 1) / RATE * 0.9  # and not faster overall


def test_connection_slots_are_shared_and_given_back(database):
    fake = FakeTime()
    limiter = _limiter(database, fake)
    assert limiter.hold_slot("default", 2, "w1/0") and limiter.hold_slot("default", 2, "w2/0")
    assert not limiter.hold_slot("default", 2, "w3/0")
    assert limiter.hold_slot("default", 2, "w1/0")  # a holder keeps its own
    limiter.free_slots("w2/0")
    assert limiter.hold_slot("default", 2, "w3/0")


def test_a_slot_whose_lease_ran_out_is_taken_over(database):
    fake = FakeTime()
    limiter = _limiter(database, fake)
    assert limiter.hold_slot("default", 1, "killed/0")
    fake.at += 61
    assert limiter.hold_slot("default", 1, "alive/0")
