"""After a dispatch pass, the counters and the outbox gauges say exactly what was sent and failed."""
from __future__ import annotations

from datetime import timedelta

import pytest

from crossborder_crm.db import Database
from crossborder_crm.ops.metrics import OutboxCollector, record_webhook_delivery
from tests.ops.conftest import sample, value
from tests.outbox.helpers import at, dispatch, new_buyer, schedule, smtp_services, with_mail

NOON = "2026-03-10T12:00:00+00:00"


def refuse_bounces(rcpt: str) -> str | None:
    return "550 5.1.1 no such user" if rcpt.startswith("bounce") else None


def two_sent_one_bounced(api):
    """Three conversation messages due at noon: two to good addresses, one to an address that bounces."""
    for n, email in enumerate(["ana@example.es", "ben@example.de", "bounce@example.fr"]):
        buyer = new_buyer(api, name=f"Buyer {n}", email=email)
        schedule(api, buyer["id"], send_at=NOON, idempotency_key=f"k{n}")


def deltas(before: dict, names: dict) -> dict:
    return {key: sample(name, **labels) - before[key] for key, (name, labels) in names.items()}


WATCHED = {
    "sent": ("crm_outbox_sent_total", {"kind": "conversation"}),
    "failed": ("crm_outbox_failed_total", {"kind": "conversation"}),
    "retried": ("crm_outbox_retried_total", {"kind": "conversation"}),
    "hard_bounce": ("crm_smtp_errors_total", {"class": "hard_bounce"}),
    "transient": ("crm_smtp_errors_total", {"class": "transient"}),
    "connection": ("crm_smtp_errors_total", {"class": "connection"}),
    "timed_sent": ("crm_outbox_dispatch_duration_seconds_count", {"outcome": "sent"}),
    "timed_failed": ("crm_outbox_dispatch_duration_seconds_count", {"outcome": "failed"}),
}


@pytest.fixture
def watch():
    """The watched counters' values now; `changes()` gives how much each moved since."""
    before = {key: sample(name, **labels) for key, (name, labels) in WATCHED.items()}
    return lambda: deltas(before, WATCHED)


def test_counters_count_exactly_the_messages_a_pass_sent_and_failed(api_a, services, clock, make_sink, watch):
    sink = make_sink(refuse=refuse_bounces)
    two_sent_one_bounced(api_a)
    at(clock, NOON)
    result = dispatch(smtp_services(services, sink))
    assert (result.sent, result.failed) == (2, 1)
    assert len(sink.messages) == 2
    assert watch() == {"sent": 2, "failed": 1, "retried": 0, "hard_bounce": 1, "transient": 0, "connection": 0,
                       "timed_sent": 2, "timed_failed": 1}


def test_gauges_show_the_outbox_by_status_and_kind_after_a_pass(api_a, services, clock, make_sink, scrape):
    sink = make_sink(refuse=refuse_bounces)
    two_sent_one_bounced(api_a)
    at(clock, NOON)
    dispatch(smtp_services(services, sink))
    samples = scrape()
    assert value(samples, "crm_outbox_messages", status="sent", kind="conversation") == 2
    assert value(samples, "crm_outbox_messages", status="failed", kind="conversation") == 1
    assert value(samples, "crm_outbox_messages", status="scheduled", kind="conversation") == 0
    assert value(samples, "crm_outbox_messages", status="sent", kind="marketing") == 0
    assert value(samples, "crm_outbox_oldest_due_age_seconds") == 0
    assert value(samples, "crm_outbox_metrics_up") == 1


def test_a_4xx_counts_as_retried_and_as_a_transient_smtp_error(api_a, services, clock, make_sink, watch):
    sink = make_sink(refuse=lambda rcpt: "451 4.7.1 try again later")
    schedule(api_a, new_buyer(api_a)["id"], send_at=NOON)
    at(clock, NOON)
    assert dispatch(smtp_services(services, sink)).retried == 1
    changes = watch()
    assert (changes["retried"], changes["transient"], changes["sent"]) == (1, 1, 0)


def test_a_mail_server_that_does_not_answer_counts_as_a_connection_error(api_a, services, clock, unused_port,
                                                                          watch):
    schedule(api_a, new_buyer(api_a)["id"], send_at=NOON)
    at(clock, NOON)
    svc = with_mail(services, MAIL_BACKEND="smtp", SMTP_URL=f"smtp://127.0.0.1:{unused_port}", SMTP_TIMEOUT=2.0)
    assert dispatch(svc).retried == 1
    assert (watch()["connection"], watch()["retried"]) == (1, 1)


def test_oldest_due_age_grows_while_no_worker_dispatches(api_a, services, clock, scrape):
    schedule(api_a, new_buyer(api_a)["id"], send_at=NOON)
    at(clock, NOON)
    assert value(scrape(), "crm_outbox_oldest_due_age_seconds") == 0
    clock.advance(timedelta(minutes=1))
    assert value(scrape(), "crm_outbox_oldest_due_age_seconds") == 60
    clock.advance(timedelta(minutes=10))
    assert value(scrape(), "crm_outbox_oldest_due_age_seconds") == 660


def test_oldest_due_age_falls_back_to_zero_once_the_worker_catches_up(api_a, services, clock, sink, scrape):
    schedule(api_a, new_buyer(api_a)["id"], send_at=NOON)
    at(clock, "2026-03-10T12:30:00Z")
    assert value(scrape(), "crm_outbox_oldest_due_age_seconds") == 1800
    dispatch(smtp_services(services, sink))
    assert value(scrape(), "crm_outbox_oldest_due_age_seconds") == 0


def test_a_message_not_yet_due_does_not_count_as_waiting(api_a, services, clock, scrape):
    schedule(api_a, new_buyer(api_a)["id"], send_at="2026-03-11T12:00:00+00:00")
    at(clock, NOON)
    samples = scrape()
    assert value(samples, "crm_outbox_messages", status="scheduled", kind="conversation") == 1
    assert value(samples, "crm_outbox_oldest_due_age_seconds") == 0


def test_an_unreadable_database_turns_the_outbox_gauges_off_instead_of_failing_the_scrape(tmp_path, clock):
    db = Database(f"sqlite:///{tmp_path / 'never-migrated.sqlite3'}")
    families = {f.name: f for f in OutboxCollector(db, clock).collect()}
    assert set(families) == {"crm_outbox_metrics_up"}
    assert families["crm_outbox_metrics_up"].samples[0].value == 0


def test_a_webhook_delivery_is_counted_by_source_and_status():
    before = sample("crm_webhook_deliveries_total", source="shopify", status="accepted")
    record_webhook_delivery("shopify", "accepted")
    assert sample("crm_webhook_deliveries_total", source="shopify", status="accepted") == before + 1


@pytest.mark.parametrize("source, status", [("shopify", "great"), ("Shop ify", "accepted"), ("x" * 40, "accepted")])
def test_a_webhook_delivery_with_an_unknown_status_or_a_wild_source_is_refused(source, status):
    with pytest.raises(ValueError):
        record_webhook_delivery(source, status)
