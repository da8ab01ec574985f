"""The service's Prometheus metrics and who may read them.

Counted as they happen (process-wide, `prometheus_client`'s default registry; under gunicorn with
PROMETHEUS_MULTIPROC_DIR set, one file per process, added up at scrape time):
    crm_outbox_{sent,failed,retried,suppressed}_total{kind}, crm_outbox_lease_lost_total,
    crm_outbox_dispatch_duration_seconds{outcome}, crm_smtp_errors_total{class},
    crm_webhook_deliveries_total{source,status}.
Read from the database at scrape time (OutboxCollector, so every process reports the same truth):
    crm_outbox_messages{status,kind}, crm_outbox_oldest_due_age_seconds, crm_outbox_metrics_up.
"""
from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import re
from typing import Iterable

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, disable_created_metrics
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.ops.health import outbox_snapshot
from crossborder_crm.outbox.backends import DeliveryError, PermanentDeliveryError
from crossborder_crm.outbox.models import MESSAGE_KINDS, MESSAGE_STATUSES

log = logging.getLogger(__name__)

# A *_created series per counter doubles the output and no alert or dashboard here reads it.
disable_created_metrics()

SENT = Counter("crm_outbox_sent", "Messages the mail server accepted, marked sent.", ["kind"])
FAILED = Counter("crm_outbox_failed", "Messages that ended failed: permanent refusal, rendering error or "
                 "retries exhausted.", ["kind"])
RETRIED = Counter("crm_outbox_retried", "Transient failures put back for a later attempt.", ["kind"])
SUPPRESSED = Counter("crm_outbox_suppressed", "Messages not sent on purpose at send time (unsubscribed, "
                     "bounced, no consent, frequency cap).", ["kind"])
LEASE_LOST = Counter("crm_outbox_lease_lost", "Outcomes not recorded because another worker had taken the "
                     "message over (this worker was too slow).")
DISPATCH_SECONDS = Histogram("crm_outbox_dispatch_duration_seconds", "One message from its send-time check "
                             "to its outcome (for a sent message: the server's acceptance).", ["outcome"],
                             buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))
SMTP_ERRORS = Counter("crm_smtp_errors", "Delivery errors by class: connection (no reply: refused, timeout, "
                      "dropped), transient (4xx), permanent (5xx), hard_bounce (5xx on the recipient).",
                      ["class"])
WEBHOOK_DELIVERIES = Counter("crm_webhook_deliveries", "Webhook deliveries received, by source and outcome.",
                             ["source", "status"])
OUTCOME_COUNTERS = {"sent": SENT, "failed": FAILED, "retried": RETRIED, "suppressed": SUPPRESSED}
SMTP_ERROR_CLASSES = ("connection", "transient", "permanent", "hard_bounce")
WEBHOOK_STATUSES = ("accepted", "duplicate", "bad_signature", "bad_payload", "unknown_seller", "failed")
_SOURCE = re.compile(r"[a-z][a-z0-9_]{0,31}")

for _kind in MESSAGE_KINDS:  # a series that exists at 0 lets rate() see its first increase
    for _counter in OUTCOME_COUNTERS.values():
        _counter.labels(_kind)
for _class in SMTP_ERROR_CLASSES:
    SMTP_ERRORS.labels(_class)


def smtp_error_class(error: DeliveryError) -> str:
    """The class of a delivery error, as the dispatcher treats it (see backends/base.py)."""
    if isinstance(error, PermanentDeliveryError):
        return "hard_bounce" if error.hard_bounce else "permanent"
    return "transient" if error.code is not None else "connection"


def record_webhook_delivery(source: str, status: str) -> None:
    """Count one webhook delivery: `source` a marketplace name from the webhook route's own list
    (e.g. "shopify"), `status` one of WEBHOOK_STATUSES. For the webhook endpoints to call."""
    if status not in WEBHOOK_STATUSES:
        raise ValueError(f"webhook status: expected one of {', '.join(WEBHOOK_STATUSES)}, got {status!r}")
    if not _SOURCE.fullmatch(source):  # label values must not come from a caller unchecked
        raise ValueError(f"webhook source: expected a short lowercase name, got {source!r}")
    WEBHOOK_DELIVERIES.labels(source, status).inc()


class OutboxCollector(Collector):
    """Gauges read from the database at scrape time: messages by status and kind, oldest due age."""

    def __init__(self, db: Database, clock: Clock):
        self.db, self.clock = db, clock

    def collect(self) -> Iterable[GaugeMetricFamily]:
        """One GROUP BY over the outbox; a database that cannot be read reports up=0 and nothing else."""
        up = GaugeMetricFamily("crm_outbox_metrics_up", "1 when the outbox gauges could be read from the database.")
        now = self.clock.now()
        try:
            snap = outbox_snapshot(self.db, now)
        except Exception as exc:  # a scrape must still answer, so the failure is itself a metric
            log.warning("metrics: outbox gauges not read: %s", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        messages = GaugeMetricFamily("crm_outbox_messages", "Messages in the outbox by status and kind.",
                                     labels=["status", "kind"])
        pairs = {(s, k) for s in MESSAGE_STATUSES for k in MESSAGE_KINDS} | set(snap.counts)
        for status, kind in sorted(pairs):
            messages.add_metric([status, kind], snap.counts.get((status, kind), 0))
        yield messages
        age = (now - snap.oldest_due).total_seconds() if snap.oldest_due else 0.0
        yield GaugeMetricFamily("crm_outbox_oldest_due_age_seconds", "How long the oldest message due now has "
                                "waited for a worker (0: none due); alert when it grows.", value=max(age, 0.0))


class ProcessMetrics(Collector):
    """This process's own metrics (the default registry), for a registry that adds others."""

    def collect(self):
        """Everything in prometheus_client's default registry."""
        return REGISTRY.collect()


def multiprocess_dir() -> str | None:
    """PROMETHEUS_MULTIPROC_DIR (prometheus_client's own variable): set under gunicorn with workers."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def scrape_registry(db: Database, clock: Clock) -> CollectorRegistry:
    """What one scrape reports: every process's counters (or this one's) plus the outbox gauges."""
    registry = CollectorRegistry()
    if multiprocess_dir():
        MultiProcessCollector(registry)
    else:
        registry.register(ProcessMetrics())
    registry.register(OutboxCollector(db, clock))
    return registry


# Headers a reverse proxy adds: a request bearing one came from elsewhere, whatever its peer address.
PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-Ip")


def scrape_refusal(remote_addr: str | None, authorization: str | None, proxied: bool, token: str) -> int | None:
    """None when the scrape may be answered, else the HTTP status to refuse it with.

    With a token configured, "Authorization: Bearer <token>" is required (401 otherwise). Without
    one, only a client on this machine talking to the process directly is answered (403 otherwise).
    """
    if token:
        scheme, _, given = (authorization or "").partition(" ")
        ok = scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())
        return None if ok else 401
    if proxied or not remote_addr:
        return 403
    try:
        address = ipaddress.ip_address(remote_addr.split("%")[0])
    except ValueError:
        return 403
    # A dual-stack socket shows an IPv4 client as ::ffff:a.b.c.d
    address = getattr(address, "ipv4_mapped", None) or address
    return None if address.is_loopback else 403
