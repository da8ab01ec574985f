"""Helpers for outbox tests: a Services bundle pointed at a mail backend, buyers and messages."""
from __future__ import annotations

import email
from email import policy

from crossborder_crm.clock import FixedClock
from crossborder_crm.container import Services
from crossborder_crm.worker import make_dispatcher


def with_mail(services: Services, **overrides) -> Services:
    """The same database and clock with other mail settings."""
    return Services(db=services.db, settings={**services.settings, **overrides}, clock=services.clock)


def smtp_services(services: Services, sink) -> Services:
    return with_mail(services, MAIL_BACKEND="smtp", SMTP_URL=f"smtp://127.0.0.1:{sink.port}", SMTP_TIMEOUT=5.0)


def dispatch(services: Services, worker: str = "test-worker"):
    """One dispatch pass at the services' clock."""
    return make_dispatcher(services, worker).run_pass()


def parse(raw: bytes):
    return email.message_from_bytes(raw, policy=policy.default)


def new_buyer(api, **fields) -> dict:
    body = {"name": "Lucía García", "email": "lucia@example.es", "country": "ES", **fields}
    r = api.post("/buyers", body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def schedule(api, buyer_id: int, **fields) -> dict:
    r = api.post("/messages", {"buyer_id": buyer_id, "subject": "Hola", "body": "Tu pedido está listo.", **fields})
    assert r.status_code in (200, 201), r.get_json()
    return r.get_json()


def at(clock: FixedClock, iso: str) -> None:
    from datetime import datetime

    clock.set(datetime.fromisoformat(iso.replace("Z", "+00:00")))
