"""At start-up the app checks its compiled catalogs: a warning, or in production a refusal to start."""
from __future__ import annotations

import logging

import pytest

from config import ConfigError
from crossborder_crm import create_app, i18n
from crossborder_crm.i18n.compiled import write_compiled
from tests.i18n.conftest import write_catalog

PRODUCTION = {"SECRET_KEY": "a-long-production-secret-for-the-startup-test", "PUBLIC_URL": "https://crm.example.com"}


def test_current_catalogs_start_quietly(locales, caplog):
    write_compiled(write_catalog(locales, {"Sign in": "登录"}))
    with caplog.at_level(logging.WARNING, logger="crossborder_crm.i18n"):
        i18n.check_catalogs("production", locales)
    assert caplog.records == []


def test_a_missing_catalog_is_logged_naming_the_file_and_the_fix(locales, caplog):
    write_catalog(locales, {"Sign in": "登录"})
    with caplog.at_level(logging.WARNING, logger="crossborder_crm.i18n"):
        i18n.check_catalogs("development", locales)
    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert str(locales / "zh_CN" / "LC_MESSAGES" / "messages.mo") in record.getMessage()
    assert "crossborder-crm i18n compile" in record.getMessage()


def test_each_stale_catalog_of_every_domain_gets_its_own_warning(locales, caplog):
    write_catalog(locales, {"Sign in": "登录"})
    write_compiled(write_catalog(locales, {"Hello": "你好"}, domain="emails"))
    write_catalog(locales, {"Hello": "你好", "Bye": "再见"}, domain="emails")
    with caplog.at_level(logging.WARNING, logger="crossborder_crm.i18n"):
        i18n.check_catalogs("development", locales)
    assert [("emails.mo" in r.getMessage(), "does not match" in r.getMessage()) for r in caplog.records] == [
        (True, True), (False, False)]


def test_production_refuses_to_start_with_a_stale_catalog(locales):
    write_compiled(write_catalog(locales, {"Sign in": "登录"}))
    write_catalog(locales, {"Sign in": "登录", "Sign out": "退出登录"})
    with pytest.raises(ConfigError, match="messages.mo does not match"):
        i18n.check_catalogs("production", locales)


def test_the_app_factory_refuses_production_with_a_missing_catalog(locales, monkeypatch, sqlite_db):
    write_catalog(locales, {"Sign in": "登录"})
    monkeypatch.setattr(i18n, "LOCALES_DIR", locales)
    with pytest.raises(ConfigError, match="messages.mo is missing"):
        create_app({**PRODUCTION, "DATABASE_URL": sqlite_db.url}, env="production", db=sqlite_db)


def test_the_app_factory_warns_and_starts_outside_production(locales, monkeypatch, sqlite_db, caplog):
    write_catalog(locales, {"Sign in": "登录"})
    monkeypatch.setattr(i18n, "LOCALES_DIR", locales)
    with caplog.at_level(logging.WARNING, logger="crossborder_crm.i18n"):
        app = create_app({"DATABASE_URL": sqlite_db.url}, env="test", db=sqlite_db)
    assert app.config["ENV_NAME"] == "test"
    assert ["messages.mo is missing" in r.getMessage() for r in caplog.records] == [True]
