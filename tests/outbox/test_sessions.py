"""A worker's SMTP sessions in flight: every due message sent once, however many sessions share the work."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import insert, select, update

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.models import Buyer
from crossborder_crm.outbox.dispatcher import PassResult
from crossborder_crm.outbox.message_id import make_message_id
from crossborder_crm.outbox.models import Message
from crossborder_crm.outbox.sessions import effective_concurrency, merge, session_name
from crossborder_crm.worker import dispatch_job
from tests.outbox.helpers import smtp_services, with_mail


def _due(services, seller, n: int) -> None:
    now = services.clock.now()
    base = dict(seller_id=seller.seller_id, country="DE", timezone="Europe/Berlin", timezone_source="country",
                timezone_confidence="high", timezone_explanation="", language="de-DE", language_source="given",
                language_explanation="", tags=[], consent_status="granted", created_at=now, updated_at=now)
    with services.db.transaction() as s:
        # Due at the test's instant, 03:00 in Berlin: this seller sends at any hour (no quiet hours).
        s.execute(update(Seller).where(Seller.id == seller.seller_id).values(quiet_start="00:00", quiet_end="00:00"))
        s.execute(insert(Buyer), [dict(base, name=f"K {i}", email=f"k{i}@example.de") for i in range(20)])
        ids = list(s.scalars(select(Buyer.id).order_by(Buyer.id)))
        s.execute(insert(Message), [dict(
            seller_id=seller.seller_id, buyer_id=ids[i % 20], kind="transactional", origin="written",
            idempotency_key=f"s:{i}", rfc_message_id=make_message_id(seller.seller_key, f"s:{i}", "crm.test"),
            locale="de-DE", context={}, subject=f"Nachricht {i}", body="Hallo", scheduled_at=now,
            explanation="", status="scheduled", due_at=now - timedelta(seconds=1), attempts=0, created_at=now,
            updated_at=now) for i in range(n)])


def test_sqlite_runs_one_session_and_postgresql_as_many_as_asked():
    assert (effective_concurrency(8, "sqlite"), effective_concurrency(8, "postgresql")) == (1, 8)
    assert effective_concurrency(1000, "postgresql") == 16


def test_a_session_is_named_after_its_worker():
    assert (session_name("host:1", 0, 1), session_name("host:1", 3, 8)) == ("host:1", "host:1/3")


def test_the_pass_adds_up_its_sessions():
    total = merge([PassResult(claimed=2, sent=2), PassResult(claimed=3, sent=1, retried=2, errors=["x"])])
    assert (total.claimed, total.sent, total.retried, total.errors) == (5, 3, 2, ["x"])


def test_sessions_in_flight_send_every_due_message_once(services, seller_a, make_sink):
    sink = make_sink(hold_reply=lambda raw: 0.01)
    _due(services, seller_a, 120)
    svc = with_mail(smtp_services(services, sink), DISPATCH_CONCURRENCY=6, DISPATCH_BATCH_SIZE=30)
    result = dispatch_job(svc, "w1")
    assert (result.claimed, result.sent) == (120, 120)
    received = Counter(sink.message_ids())
    assert len(received) == 120 and set(received.values()) == {1}
    expected_connections = 1 if services.db.dialect == "sqlite" else 6
    assert sink.connections == expected_connections
