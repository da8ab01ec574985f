"""Alembic migrations: up from empty and back, on SQLite and PostgreSQL, matching the models."""
from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from crossborder_crm.db import make_engine
from crossborder_crm.migrate import current, downgrade, upgrade
from crossborder_crm.models import Base
from tests.conftest import PG_URL, _with_search_path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request, tmp_path):
    """An empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    if not PG_URL:
        pytest.skip("CRM_TEST_POSTGRES_URL is not set: PostgreSQL tests not run")
    schema = f"crm_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _with_search_path(PG_URL, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_upgrade_from_empty_reaches_head(empty_url):
    assert current(empty_url) is None
    upgrade(empty_url)
    assert current(empty_url) is not None
    engine = make_engine(empty_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert set(Base.metadata.tables) <= tables


def test_migrated_schema_matches_the_models(empty_url):
    upgrade(empty_url)
    engine = make_engine(empty_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": False}), Base.metadata)
    engine.dispose()
    assert diff == []


def test_downgrade_to_base_removes_every_table(empty_url):
    upgrade(empty_url)
    downgrade(empty_url, "base")
    engine = make_engine(empty_url)
    tables = set(inspect(engine).get_table_names()) - {"alembic_version"}
    engine.dispose()
    assert tables == set()


def seed_seller_and_buyer(conn, at: datetime, order_count: int = 0) -> tuple[int, int]:
    """A seller and a Spanish buyer inserted in plain SQL (no models: the schema may be an old one)."""
    seller_id = conn.execute(text(
        "INSERT INTO sellers (key, name, default_language, timezone, quiet_start, quiet_end,"
        " marketing_cap_count, marketing_cap_days, conversation_deadline_hours, settings, created_at)"
        " VALUES ('shop-a', 'Shop A', 'en', 'Asia/Shanghai', '22:00', '08:00', 2, 30, 24, '{}', :at)"
        " RETURNING id"), {"at": at}).scalar_one()
    buyer_id = conn.execute(text(
        "INSERT INTO buyers (seller_id, name, email, country, timezone, timezone_source, timezone_confidence,"
        " timezone_explanation, language, language_source, language_explanation, tags, consent_status,"
        " order_count, created_at, updated_at)"
        " VALUES (:s, 'Ana', 'ana@example.com', 'ES', 'Europe/Madrid', 'country', 'high', '', 'es', 'country',"
        " '', '[]', 'unknown', :n, :at, :at) RETURNING id"), {"s": seller_id, "at": at, "n": order_count}).scalar_one()
    return seller_id, buyer_id


def _seed_buyer_with_history(url: str) -> int:
    """A seller, a buyer, one order with an item, one message, in plain SQL at head; returns the buyer's id."""
    at = datetime(2026, 3, 10, 2, 0)
    engine = make_engine(url)
    with engine.begin() as conn:
        seller_id, buyer_id = seed_seller_and_buyer(conn, at, order_count=1)
        order_id = conn.execute(text(
            "INSERT INTO orders (seller_id, buyer_id, marketplace, external_id, placed_at, currency, total_minor,"
            " status, created_at, updated_at)"
            " VALUES (:s, :b, 'shopify', 'A-1', :at, 'EUR', 2500, 'paid', :at, :at) RETURNING id"),
            {"s": seller_id, "b": buyer_id, "at": at}).scalar_one()
        conn.execute(text(
            "INSERT INTO order_items (order_id, title, quantity, unit_price_minor) VALUES (:o, 'Mug', 1, 2500)"),
            {"o": order_id})
        conn.execute(text(
            "INSERT INTO messages (seller_id, buyer_id, kind, origin, idempotency_key, rfc_message_id, locale,"
            " context, scheduled_at, explanation, status, due_at, attempts, created_at, updated_at)"
            " VALUES (:s, :b, 'transactional', 'rule', 'k-1', '<m1@example.com>', 'es', '{}', :at, '',"
            " 'sent', :at, 0, :at, :at)"), {"s": seller_id, "b": buyer_id, "at": at})
    engine.dispose()
    return buyer_id


def _history_of(url: str, buyer_id: int) -> dict[str, int]:
    """How many orders, order items and messages the buyer has."""
    engine = make_engine(url)
    with engine.connect() as conn:
        counts = {
            "orders": conn.execute(text("SELECT count(*) FROM orders WHERE buyer_id = :b"), {"b": buyer_id}),
            "order_items": conn.execute(text(
                "SELECT count(*) FROM order_items JOIN orders ON orders.id = order_items.order_id"
                " WHERE orders.buyer_id = :b"), {"b": buyer_id}),
            "messages": conn.execute(text("SELECT count(*) FROM messages WHERE buyer_id = :b"), {"b": buyer_id}),
        }
        counts = {name: result.scalar_one() for name, result in counts.items()}
    engine.dispose()
    return counts


KEPT = {"orders": 1, "order_items": 1, "messages": 1}


def test_downgrade_to_0008_and_back_keeps_the_buyers_orders_and_messages(empty_url):
    upgrade(empty_url)
    buyer_id = _seed_buyer_with_history(empty_url)
    downgrade(empty_url, "0008_reply_drafts")
    assert _history_of(empty_url, buyer_id) == KEPT
    upgrade(empty_url)
    assert _history_of(empty_url, buyer_id) == KEPT


def test_downgrade_to_0002_keeps_the_buyers_orders_items_and_messages(empty_url):
    upgrade(empty_url)
    buyer_id = _seed_buyer_with_history(empty_url)
    downgrade(empty_url, "0002_sessions_and_secrets")
    assert _history_of(empty_url, buyer_id) == KEPT
