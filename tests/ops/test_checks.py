"""`crossborder-crm check`: each check against the real thing (SQLite, PostgreSQL, an SMTP server,
a closed port), and the command's lines and exit status."""
from __future__ import annotations

import socket
import sqlite3

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet

from config import DEFAULT_SECRET_KEY, ConfigError
from crossborder_crm.accounts.service import create_seller
from crossborder_crm.i18n.compiled import write_compiled
from crossborder_crm.migrate import head
from crossborder_crm.ops import checks
from crossborder_crm.ops.cli import check_cmd
from crossborder_crm.secret_box import SecretBox
from tests.i18n.conftest import write_catalog

LONG_KEY = "a-production-secret-key-long-enough-for-checks"


def settings(env: str = "production", **values) -> dict:
    return {"ENV_NAME": env, "SECRET_KEY": LONG_KEY, "PUBLIC_URL": "https://crm.example.com",
            "ENCRYPTION_KEYS": "", **values}


# database

def test_a_migrated_database_passes(database):
    found = checks.database(database.url, head())
    assert found.ok, found.detail


def test_a_database_without_the_schema_is_told_to_upgrade(tmp_path):
    path = tmp_path / "empty.sqlite3"
    sqlite3.connect(path).close()
    found = checks.database(f"sqlite:///{path}", head())
    assert (found.ok, "has no schema yet" in found.detail, "crossborder-crm db upgrade" in found.detail) == (
        False, True, True)


def test_a_missing_sqlite_file_fails_and_is_not_created(tmp_path):
    path = tmp_path / "nowhere.sqlite3"
    found = checks.database(f"sqlite:///{path}", head())
    assert (found.ok, path.exists()) == (False, False)


@pytest.mark.postgres
def test_a_postgresql_server_that_is_not_there_fails_without_showing_the_password(unused_port):
    found = checks.database(f"postgresql+psycopg://crm:hunter2@127.0.0.1:{unused_port}/crm", head())
    assert (found.ok, found.name, "cannot connect" in found.detail, "hunter2" in found.detail) == (
        False, "database", True, False)


@pytest.mark.postgres
@pytest.mark.timeout(60)  # without a connect timeout libpq would wait minutes for the silent server
def test_a_postgresql_server_that_never_answers_fails_instead_of_hanging():
    with socket.socket() as silent:  # accepts TCP connections (the kernel does) and says nothing
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        found = checks.database(f"postgresql+psycopg://crm@127.0.0.1:{silent.getsockname()[1]}/crm", head())
    assert (found.ok, "timeout" in found.detail) == (False, True)


# mail

def test_an_smtp_relay_that_greets_passes_and_receives_no_mail(sink):
    found = checks.mail(settings(MAIL_BACKEND="smtp", SMTP_URL=f"smtp://127.0.0.1:{sink.port}", SMTP_TIMEOUT=30.0))
    assert (found.ok, sink.messages) == (True, [])


def test_an_smtp_relay_refusing_the_login_fails_naming_authentication(make_sink):
    relay = make_sink(auth={"crm": "right"})
    found = checks.smtp_relay(f"smtp://crm:wrong@127.0.0.1:{relay.port}")
    assert (found.ok, "authentication failed" in found.detail, "wrong" in found.detail) == (False, True, False)


def test_an_smtp_relay_on_a_closed_port_fails(unused_port):
    found = checks.smtp_relay(f"smtp://127.0.0.1:{unused_port}")
    assert (found.ok, f"127.0.0.1:{unused_port}" in found.detail) == (False, True)


def test_a_malformed_smtp_url_fails_naming_the_setting():
    found = checks.smtp_relay("http://relay.example.com")
    assert (found.ok, found.detail.startswith("CRM_SMTP_URL:")) == (False, True)


def test_a_writable_mail_folder_passes(tmp_path):
    assert checks.mail(settings(MAIL_BACKEND="file", MAIL_DIR=str(tmp_path))).ok


def test_a_mail_folder_yet_to_be_made_passes_and_is_not_made(tmp_path):
    folder = tmp_path / "mail" / "out"
    found = checks.mail_folder(str(folder))
    assert (found.ok, folder.exists()) == (True, False)


def test_a_mail_folder_that_cannot_be_a_folder_fails_naming_the_setting(tmp_path):
    (tmp_path / "a-file").write_text("")
    found = checks.mail_folder(str(tmp_path / "a-file" / "mail"))
    assert (found.ok, "CRM_MAIL_DIR" in found.detail) == (False, True)


# secret key, public URL

@pytest.mark.parametrize("key", ["", DEFAULT_SECRET_KEY, "short"])
def test_production_with_a_missing_published_or_short_secret_key_fails(key):
    found = checks.secret_key(settings(SECRET_KEY=key))
    assert (found.ok, "CRM_SECRET_KEY" in found.detail) == (False, True)


def test_development_with_a_short_secret_key_passes():
    assert checks.secret_key(settings("development", SECRET_KEY="short")).ok


def test_production_with_a_long_secret_key_passes():
    assert checks.secret_key(settings()).ok


def test_production_with_the_development_public_url_fails():
    found = checks.public_url(settings(PUBLIC_URL="http://127.0.0.1:5000"))
    assert (found.ok, "CRM_PUBLIC_URL" in found.detail) == (False, True)


def test_a_public_url_that_is_not_a_web_address_fails():
    assert not checks.public_url(settings("development", PUBLIC_URL="crm.example.com")).ok


def test_production_with_its_public_url_passes():
    assert checks.public_url(settings()).ok


# catalogs

def test_compiled_and_current_catalogs_pass(tmp_path):
    write_compiled(write_catalog(tmp_path, {"Sign in": "登录"}))
    assert checks.catalogs(tmp_path).ok


def test_a_catalog_not_compiled_fails_naming_it(tmp_path):
    write_catalog(tmp_path, {"Sign in": "登录"})
    found = checks.catalogs(tmp_path)
    assert (found.ok, "messages.mo is missing" in found.detail) == (False, True)


def test_no_catalogs_at_all_fails(tmp_path):
    assert not checks.catalogs(tmp_path).ok


# encryption keys

def test_a_key_that_is_not_a_fernet_key_fails_naming_the_setting():
    found = checks.encryption_keys(settings(ENCRYPTION_KEYS="not-a-key"), None)
    assert (found.ok, "CRM_ENCRYPTION_KEYS" in found.detail) == (False, True)


def test_keys_that_open_the_stored_secrets_pass(sqlite_db, clock):
    key = Fernet.generate_key().decode()
    create_seller(sqlite_db, clock, "Shop", "o@example.com", "correct horse 1", box=SecretBox([key.encode()]))
    found = checks.encryption_keys(settings(ENCRYPTION_KEYS=key), sqlite_db.url)
    assert found.ok, found.detail


def test_keys_that_cannot_open_the_stored_secrets_fail(sqlite_db, clock):
    create_seller(sqlite_db, clock, "Shop", "o@example.com", "correct horse 1",
                  box=SecretBox([Fernet.generate_key()]))
    found = checks.encryption_keys(settings(ENCRYPTION_KEYS=Fernet.generate_key().decode()), sqlite_db.url)
    assert (found.ok, "cannot be decrypted" in found.detail) == (False, True)


# loading the settings

def test_settings_load_with_a_missing_secret_key_so_its_check_can_report_it():
    loaded = checks.load_settings({"CRM_ENV": "production"}, instance_dir="/nonexistent")
    assert (loaded["SECRET_KEY"], loaded["PUBLIC_URL"]) == ("", "http://127.0.0.1:5000")


def test_settings_that_cannot_be_understood_raise():
    with pytest.raises(ConfigError, match="CRM_ENV"):
        checks.load_settings({"CRM_ENV": "staging"})


# the command

@pytest.fixture
def environment(sqlite_db, tmp_path, sink, monkeypatch):
    """A production configuration where everything checks out (catalogs of its own: the checkout's
    are compiled by `make catalogs`, not by this test)."""
    write_compiled(write_catalog(tmp_path / "locales", {"Sign in": "登录"}))
    monkeypatch.setattr("crossborder_crm.ops.cli.LOCALES_DIR", tmp_path / "locales")
    return {"CRM_ENV": "production", "CRM_SECRET_KEY": LONG_KEY, "CRM_PUBLIC_URL": "https://crm.example.com",
            "CRM_DATABASE_URL": sqlite_db.url, "CRM_INSTANCE_DIR": str(tmp_path / "instance"),
            "CRM_MAIL_BACKEND": "smtp", "CRM_SMTP_URL": f"smtp://127.0.0.1:{sink.port}",
            "CRM_ENCRYPTION_KEYS": Fernet.generate_key().decode()}


def test_the_command_prints_one_ok_line_per_check_and_exits_zero(environment):
    result = CliRunner().invoke(check_cmd, env=environment)
    assert ([line.split(":")[0] for line in result.output.splitlines()], result.exit_code) == (
        ["ok    secret key", "ok    public URL", "ok    database", "ok    encryption keys", "ok    mail",
         "ok    catalogs"], 0)


def test_the_command_exits_non_zero_naming_what_is_wrong(environment, unused_port):
    environment["CRM_SMTP_URL"] = f"smtp://127.0.0.1:{unused_port}"
    result = CliRunner().invoke(check_cmd, env=environment)
    assert ([line for line in result.output.splitlines() if line.startswith("FAIL")][0].startswith("FAIL  mail: "),
            result.exit_code) == (True, 1)


def test_the_command_reports_settings_it_cannot_understand(environment):
    result = CliRunner().invoke(check_cmd, env={**environment, "CRM_LOG_FORMAT": "xml"})
    assert (result.output.startswith("FAIL  settings: CRM_LOG_FORMAT"), result.exit_code) == (True, 1)
