"""/healthz and /readyz: up always; ready only with a reachable database at the newest migration."""
from __future__ import annotations

import shutil

import pytest

from crossborder_crm import create_app
from crossborder_crm.db import Database
from crossborder_crm.migrate import upgrade


def app_on(url: str, tmp_path):
    """An app on a database of the test's choosing."""
    return create_app({"MAIL_DIR": str(tmp_path / "mail"), "DATABASE_URL": url}, env="test",
                      db=Database(url))


def test_healthz_answers_ok_without_signing_in(client):
    r = client.get("/healthz")
    assert (r.status_code, r.get_json()) == (200, {"status": "ok"})


def test_healthz_answers_even_when_the_database_is_gone(tmp_path):
    folder = tmp_path / "gone"
    app = app_on(f"sqlite:///{folder}/crm.sqlite3", tmp_path)
    shutil.rmtree(folder)
    assert app.test_client().get("/healthz").status_code == 200


def test_readyz_is_ready_on_a_migrated_database(client):
    r = client.get("/readyz")
    assert (r.status_code, r.get_json()) == (200, {"status": "ready"})


def test_probe_answers_are_never_cached(client):
    assert client.get("/healthz").headers["Cache-Control"] == "no-store"
    assert client.get("/readyz").headers["Cache-Control"] == "no-store"


def test_readyz_is_503_naming_the_database_when_its_sqlite_folder_was_removed(tmp_path):
    folder = tmp_path / "db"
    url = f"sqlite:///{folder}/crm.sqlite3"
    upgrade(url)
    app = app_on(url, tmp_path)
    shutil.rmtree(folder)
    r = app.test_client().get("/readyz")
    assert r.status_code == 503
    assert r.get_json() == {"status": "unavailable", "failed": "database", "reason": "database unreachable"}


def test_readyz_is_503_naming_the_database_when_postgresql_does_not_answer(tmp_path, unused_port):
    app = app_on(f"postgresql+psycopg://postgres@127.0.0.1:{unused_port}/crm", tmp_path)
    r = app.test_client().get("/readyz")
    assert (r.status_code, r.get_json()["failed"]) == (503, "database")


def test_readyz_is_503_naming_the_migrations_on_a_database_never_migrated(tmp_path):
    app = app_on(f"sqlite:///{tmp_path / 'empty.sqlite3'}", tmp_path)
    r = app.test_client().get("/readyz")
    assert r.status_code == 503
    assert r.get_json()["failed"] == "migrations"


@pytest.mark.parametrize("path", ["/readyz", "/healthz"])
def test_probes_tell_nothing_about_the_installation(tmp_path, unused_port, path):
    secret_url = f"postgresql+psycopg://crm:s3cret-pw@127.0.0.1:{unused_port}/crm"
    r = app_on(secret_url, tmp_path).test_client().get(path)
    assert r.is_json and set(r.get_json()) <= {"status", "failed", "reason"}
    text = r.get_data(as_text=True)
    for leak in ("s3cret", "127.0.0.1", str(unused_port), "psycopg", "postgresql", "Error", "refused"):
        assert leak not in text
