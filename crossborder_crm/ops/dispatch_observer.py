"""The worker's observer of dispatch outcomes: counts and times each one, and logs one line for it."""
from __future__ import annotations

import logging

from crossborder_crm.ops.logging_setup import mask_addresses, mask_email
from crossborder_crm.ops.metrics import DISPATCH_SECONDS, LEASE_LOST, OUTCOME_COUNTERS, SMTP_ERRORS, smtp_error_class
from crossborder_crm.outbox.backends import DeliveryError
from crossborder_crm.outbox.dispatch_events import DispatchOutcome

log = logging.getLogger("crossborder_crm.dispatch")

# Sent and suppressed are the normal course; the rest is what an operator looks into.
LEVELS = {"sent": logging.INFO, "suppressed": logging.INFO, "retried": logging.WARNING,
          "failed": logging.WARNING, "lost_lease": logging.WARNING}


class MetricsLogObserver:
    """Prometheus counters and histogram, plus one log line per message with the fields to search by."""

    def observe(self, outcome: DispatchOutcome) -> None:
        """Count, time and log one message's outcome."""
        msg = outcome.msg
        counter = OUTCOME_COUNTERS.get(outcome.outcome)
        if counter is not None:
            counter.labels(msg.kind).inc()
        else:
            LEASE_LOST.inc()
        DISPATCH_SECONDS.labels(outcome.outcome).observe(outcome.seconds)
        error_class = smtp_error_class(outcome.error) if isinstance(outcome.error, DeliveryError) else None
        if error_class is not None:
            SMTP_ERRORS.labels(error_class).inc()
        level = LEVELS.get(outcome.outcome, logging.WARNING)
        if log.isEnabledFor(level):
            # Never the body, and addresses masked: logs travel further than the database.
            log.log(level, "dispatch %s", outcome.outcome, extra={
                "outcome": outcome.outcome, "seller_id": msg.seller_id, "message_id": msg.id,
                "buyer_id": msg.buyer_id, "worker": outcome.worker, "attempt": msg.attempts, "kind": msg.kind,
                "duration_ms": round(outcome.seconds * 1000, 1), "to": mask_email(outcome.to_email),
                "error_class": error_class, "reason": mask_addresses(outcome.reason)})
