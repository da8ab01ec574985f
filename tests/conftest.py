"""Shared fixtures: real SQLite and PostgreSQL databases migrated by Alembic, the app, a fixed clock.

PostgreSQL tests run when CRM_TEST_POSTGRES_URL is set (CI sets it); they fail — not skip —
when it is set and the server is unreachable. Each test run gets its own schema.
"""
from __future__ import annotations

import os
import shutil
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from crossborder_crm import create_app
from crossborder_crm.clock import FixedClock
from crossborder_crm.db import Database
from crossborder_crm.migrate import upgrade
from crossborder_crm.models import Base

PG_URL = os.environ.get("CRM_TEST_POSTGRES_URL")
T0 = datetime(2026, 3, 10, 2, 0, tzinfo=timezone.utc)  # Tue 10:00 in Shanghai
OUTPUT_DIR = Path(os.environ.get("CRM_TEST_OUTPUT", Path(__file__).resolve().parent.parent / "test-output"))


def _with_search_path(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def pg_schema_url():
    """A fresh PostgreSQL schema for this run, migrated to head; dropped afterwards."""
    if not PG_URL:
        pytest.skip("CRM_TEST_POSTGRES_URL is not set: PostgreSQL tests not run")
    schema = f"crm_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:  # fails loudly if the server is unreachable
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = _with_search_path(PG_URL, schema)
    try:
        upgrade(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file migrated once; each test gets a copy."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


def _truncate_all(db: Database) -> None:
    names = ", ".join(f'"{t.name}"' for t in reversed(Base.metadata.sorted_tables))
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


def _make_db(kind: str, request, tmp_path) -> Database:
    if kind == "sqlite":
        path = tmp_path / "crm.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return Database(f"sqlite:///{path}")
    db = Database(request.getfixturevalue("pg_schema_url"))
    _truncate_all(db)
    return db


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request, tmp_path) -> Database:
    """The migrated database, once on SQLite and once on PostgreSQL."""
    db = _make_db(request.param, request, tmp_path)
    yield db
    db.dispose()


@pytest.fixture
def sqlite_db(request, tmp_path) -> Database:
    """A migrated SQLite database only (for tests that are not about the backend)."""
    db = _make_db("sqlite", request, tmp_path)
    yield db
    db.dispose()


@pytest.fixture
def pg_db(request, tmp_path) -> Database:
    """A migrated, emptied PostgreSQL database."""
    db = _make_db("postgres", request, tmp_path)
    yield db
    db.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(T0)


@pytest.fixture
def app(database, clock, tmp_path):
    """The app on the parametrized database, with a fixed clock and a temp mail folder."""
    return create_app({"MAIL_DIR": str(tmp_path / "mail"), "DATABASE_URL": database.url},
                      env="test", clock=clock, db=database)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def services(app):
    return app.extensions["crm"]


class ApiClient:
    """A test client that sends a seller's bearer token and JSON."""

    def __init__(self, client, token: str):
        self.client, self.token = client, token

    def _headers(self, extra=None):
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    def get(self, path, **kw):
        return self.client.get("/api/v1" + path, headers=self._headers(), **kw)

    def post(self, path, json=None, **kw):
        return self.client.post("/api/v1" + path, json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    def patch(self, path, json=None, **kw):
        return self.client.patch("/api/v1" + path, json=json, headers=self._headers(), **kw)

    def put(self, path, json=None, **kw):
        return self.client.put("/api/v1" + path, json=json, headers=self._headers(), **kw)

    def delete(self, path, **kw):
        return self.client.delete("/api/v1" + path, headers=self._headers(), **kw)


def make_seller(services, name="Shop A", email="a@example.com"):
    """A seller with a reply address, as a personal message needs one (outbox.deliverability)."""
    from sqlalchemy import update

    from crossborder_crm.accounts.models import Seller
    from crossborder_crm.accounts.service import create_seller

    seller = create_seller(services.db, services.clock, name, email, "correct horse 1", box=services.box)
    with services.db.transaction() as s:
        s.execute(update(Seller).where(Seller.id == seller.seller_id).values(reply_to=f"replies-{email}"))
    return seller


@pytest.fixture
def seller_a(services):
    return make_seller(services, "Shop A", "owner-a@example.com")


@pytest.fixture
def seller_b(services):
    return make_seller(services, "Shop B", "owner-b@example.com")


@pytest.fixture
def api_a(client, seller_a) -> ApiClient:
    return ApiClient(client, seller_a.api_token)


@pytest.fixture
def api_b(client, seller_b) -> ApiClient:
    return ApiClient(client, seller_b.api_token)
