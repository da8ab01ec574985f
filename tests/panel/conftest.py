"""Panel fixtures: compiled catalogs, signed-in clients, a few seeded buyers."""
from __future__ import annotations

from pathlib import Path

import pytest

from crossborder_crm import create_app
from crossborder_crm.buyers import orders
from crossborder_crm.buyers import service as buyers
from crossborder_crm.buyers.activity import add_activity

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "crossborder_crm" / "locales"
PASSWORD = "correct horse 1"


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs():
    """`make test` compiles the catalogs first; a bare `pytest` run compiles any that are missing or stale."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in LOCALES.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as src:
                catalog = read_po(src, locale=po.parent.parent.name)
            with mo.open("wb") as out:
                write_mo(out, catalog)


def login(client, email: str, password: str = PASSWORD, **extra):
    """Post the sign-in form."""
    return client.post("/login", data={"email": email, "password": password, **extra})


@pytest.fixture
def make_app(database, clock, tmp_path):
    """An app on the test database with some settings changed."""
    def build(env: str = "test", **overrides):
        settings = {"MAIL_DIR": str(tmp_path / "mail"), "DATABASE_URL": database.url, **overrides}
        return create_app(settings, env=env, clock=clock, db=database)
    return build


@pytest.fixture
def panel_a(client, seller_a):
    """A test client signed in as seller A's user."""
    assert login(client, seller_a.user_email).status_code == 302
    return client


@pytest.fixture
def panel_b(app, seller_b):
    """A second client, signed in as seller B's user."""
    other = app.test_client()
    assert login(other, seller_b.user_email).status_code == 302
    return other


ORDER = {"marketplace": "shopify", "currency": "EUR", "status": "paid"}


def add_order(services, seller_id, buyer_id, external_id, placed_at, items, currency="EUR"):
    """Record an order with items through the buyer service."""
    return orders.add_order(services.db, services.clock, seller_id, buyer_id, {
        **ORDER, "currency": currency, "external_id": external_id, "placed_at": placed_at,
        "items": items})


@pytest.fixture
def shop_a(services, seller_a):
    """Seller A's buyers: Lucía (ES, two EUR orders and a JPY one), Jean (FR), Maria (US, no orders)."""
    sid = seller_a.seller_id
    make = lambda data: buyers.create_buyer(services.db, services.clock, sid, data)  # noqa: E731
    lucia = make({"name": "Lucía García", "country": "ES", "email": "lucia@example.es",
                  "tags": ["vip", "repeat"], "consent": {"status": "granted", "source": "checkout"}})
    jean = make({"name": "Jean Dupont", "country": "FR", "email": "jean@example.fr"})
    maria = make({"name": "Maria Smith", "country": "US", "email": "maria@example.com",
                  "language": "en"})
    add_order(services, sid, lucia.id, "1001", "2026-01-05T19:30:00Z",
              [{"title": "Silk scarf", "sku": "SC-1", "unit_price": "24.50", "quantity": 2}])
    add_order(services, sid, lucia.id, "1002", "2026-02-04T10:00:00Z",
              [{"title": "Linen shirt", "unit_price": "60.00"}])
    add_order(services, sid, lucia.id, "1003", "2026-02-20T08:00:00Z",
              [{"title": "Tea set", "unit_price": "1500"}], currency="JPY")
    add_activity(services.db, services.clock, sid, lucia.id,
                        {"kind": "email_open", "occurred_at": "2026-03-01T20:15:00Z", "source": "mail"})
    return {"lucia": lucia, "jean": jean, "maria": maria}
