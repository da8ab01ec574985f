"""Migration 0012: a message scheduled inside quiet hours on purpose before it existed (said only by
its explanation's code) keeps its override as `messages.quiet_override`."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import text

from crossborder_crm.db import make_engine
from crossborder_crm.migrate import upgrade
from tests.test_migrations import empty_url, seed_seller_and_buyer  # noqa: F401 -- empty_url: the fixture

OVERRIDDEN = '{"code": "seller_local_quiet_override", "local": "2026-03-10T23:30", "tz": "Europe/Madrid"}'
CHOSEN = '{"code": "seller_local", "local": "2026-03-10T19:00", "tz": "Europe/Madrid"}'


def _seed_messages(url: str) -> None:
    """A seller, a buyer and three messages at 0011: overridden and due, overridden and sent, ordinary."""
    at = datetime(2026, 3, 10, 2, 0)
    engine = make_engine(url)
    with engine.begin() as conn:
        seller_id, buyer_id = seed_seller_and_buyer(conn, at)
        for key, status, data in (("due", "scheduled", OVERRIDDEN), ("sent", "sent", OVERRIDDEN),
                                  ("plain", "scheduled", CHOSEN)):
            conn.execute(text(
                "INSERT INTO messages (seller_id, buyer_id, kind, origin, idempotency_key, rfc_message_id, locale,"
                " context, scheduled_at, explanation, explanation_data, status, due_at, attempts, created_at,"
                " updated_at) VALUES (:s, :b, 'conversation', 'written', :k, :mid, 'es', '{}', :at, '', :data,"
                " :status, :at, 0, :at, :at)"),
                {"s": seller_id, "b": buyer_id, "k": key, "mid": f"<{key}@example.com>", "data": data,
                 "status": status, "at": at})
    engine.dispose()


def _overrides(url: str) -> dict[str, bool]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT idempotency_key, quiet_override FROM messages")).all()
    engine.dispose()
    return {key: bool(value) for key, value in rows}


def test_an_override_said_only_by_the_explanation_is_kept_on_the_messages_still_to_go(empty_url):  # noqa: F811
    upgrade(empty_url, "0011_seller_relays")
    _seed_messages(empty_url)
    upgrade(empty_url, "0012_message_quiet_override")
    assert _overrides(empty_url) == {"due": True, "sent": False, "plain": False}
