"""Settings: defaults per environment, CRM_* overrides, the secret key rules, the instance folder."""
import os
import stat
import subprocess
import sys

import pytest

from config import DEFAULT_SECRET_KEY, ConfigError, load_config, served_public_url
from crossborder_crm import create_app
from crossborder_crm.db import Database

KEY = "k" * 40


def test_development_defaults_are_the_embedded_setup(tmp_path):
    s = load_config("development", environ={"CRM_SECRET_KEY": KEY}, instance_dir=str(tmp_path))
    assert s["DATABASE_URL"].startswith("sqlite:///") and s["MAIL_BACKEND"] == "file" and s["RUN_SCHEDULER"]


def test_every_value_can_be_overridden_by_crm_variables():
    s = load_config("development", environ={"CRM_MAIL_BACKEND": "smtp", "CRM_DISPATCH_BATCH_SIZE": "7",
                                             "CRM_RUN_SCHEDULER": "false", "CRM_SECRET_KEY": KEY})
    assert (s["MAIL_BACKEND"], s["DISPATCH_BATCH_SIZE"], s["RUN_SCHEDULER"]) == ("smtp", 7, False)


def test_bad_override_names_the_variable():
    with pytest.raises(ConfigError, match="CRM_DISPATCH_BATCH_SIZE"):
        load_config("development", environ={"CRM_DISPATCH_BATCH_SIZE": "many", "CRM_SECRET_KEY": KEY})


def test_production_refuses_the_default_secret_key():
    with pytest.raises(ConfigError, match="CRM_SECRET_KEY is the published development key"):
        load_config("production", environ={"CRM_SECRET_KEY": DEFAULT_SECRET_KEY})


@pytest.mark.parametrize("env", [{}, {"CRM_ENV": "development"}, {"CRM_ENV": "production"}])
def test_a_missing_secret_key_is_refused_with_how_to_make_one(env):
    with pytest.raises(ConfigError, match=r"CRM_SECRET_KEY is not set.*secrets\.token_urlsafe"):
        load_config(environ=env)


def test_a_secret_key_shorter_than_32_bytes_is_refused():
    with pytest.raises(ConfigError, match="shorter than 32 bytes"):
        load_config(environ={"CRM_SECRET_KEY": "x" * 31})


def test_the_app_without_crm_env_refuses_to_start_without_a_key(monkeypatch, tmp_path):
    """What `gunicorn wsgi:app` does with a bare environment: refuse, never sign with a known key."""
    for name in ("CRM_ENV", "CRM_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError, match="CRM_SECRET_KEY"):
        create_app({"INSTANCE_DIR": str(tmp_path)})


def test_the_test_environment_may_use_its_builtin_key():
    assert load_config("test", environ={})["SECRET_KEY"]


def test_the_dev_server_makes_its_own_key_once_readable_by_its_owner_only(tmp_path):
    first = load_config("development", environ={}, instance_dir=str(tmp_path), dev_server=True)["SECRET_KEY"]
    again = load_config("development", environ={}, instance_dir=str(tmp_path), dev_server=True)["SECRET_KEY"]
    assert first == again and len(first) >= 32 and first != DEFAULT_SECRET_KEY
    assert stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode) == 0o600


def test_the_dev_server_keeps_a_key_given_in_the_environment(tmp_path):
    s = load_config("development", environ={"CRM_SECRET_KEY": KEY}, instance_dir=str(tmp_path), dev_server=True)
    assert s["SECRET_KEY"] == KEY and not (tmp_path / "secret_key").exists()


def test_default_database_and_mail_live_in_the_instance_folder_not_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = load_config("development", environ={"CRM_SECRET_KEY": KEY}, instance_dir="/srv/crm/instance")
    assert s["DATABASE_URL"] == "sqlite:////srv/crm/instance/crossborder_crm.sqlite3"
    assert s["MAIL_DIR"] == "/srv/crm/instance/mail"


def test_crm_instance_dir_moves_the_defaults(tmp_path):
    s = load_config("development", environ={"CRM_SECRET_KEY": KEY, "CRM_INSTANCE_DIR": str(tmp_path)},
                    instance_dir="/elsewhere")
    assert s["DATABASE_URL"] == f"sqlite:///{tmp_path}/crossborder_crm.sqlite3"


def test_the_sqlite_file_is_created_readable_by_its_owner_only(tmp_path):
    db = Database(f"sqlite:///{tmp_path}/data/crm.sqlite3")
    try:
        assert stat.S_IMODE(os.stat(tmp_path / "data" / "crm.sqlite3").st_mode) == 0o600
        assert stat.S_IMODE(os.stat(tmp_path / "data").st_mode) == 0o700
    finally:
        db.dispose()


def test_production_refuses_the_development_public_url():
    with pytest.raises(ConfigError, match="CRM_PUBLIC_URL"):
        load_config("production", environ={"CRM_SECRET_KEY": KEY})


def test_production_sets_secure_cookies():
    s = load_config("production", environ={"CRM_SECRET_KEY": KEY, "CRM_PUBLIC_URL": "https://crm.example.com"})
    assert s["SESSION_COOKIE_SECURE"] and s["SESSION_COOKIE_HTTPONLY"] and s["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_unknown_environment_is_refused():
    with pytest.raises(ConfigError, match="CRM_ENV"):
        load_config(environ={"CRM_ENV": "staging", "CRM_SECRET_KEY": KEY})


def test_the_default_database_is_in_the_instance_folder_whatever_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = create_app({"SECRET_KEY": KEY}, env="development", db=Database("sqlite://"))
    assert app.config["DATABASE_URL"] == f"sqlite:///{app.instance_path}/crossborder_crm.sqlite3"
    assert str(tmp_path) not in app.config["DATABASE_URL"]


def test_a_command_says_which_database_it_uses(tmp_path):
    url = f"sqlite:///{tmp_path}/crm.sqlite3"
    env = {**os.environ, "CRM_SECRET_KEY": KEY, "CRM_DATABASE_URL": url, "CRM_ENV": "development"}
    done = subprocess.run([sys.executable, "-m", "crossborder_crm", "db", "upgrade"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"database: {url}" in done.stderr


def test_a_command_without_a_secret_key_fails_with_a_plain_message(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRM_")}
    env.update(CRM_DATABASE_URL=f"sqlite:///{tmp_path}/crm.sqlite3")
    done = subprocess.run([sys.executable, "-m", "crossborder_crm", "db", "upgrade"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "CRM_SECRET_KEY is not set" in done.stderr
    assert "Traceback" not in done.stderr


def _dev(environ=None):
    return load_config("development", environ={"CRM_SECRET_KEY": KEY, **(environ or {})}, instance_dir="/tmp")


def test_serving_on_another_port_moves_the_default_public_url_there():
    assert served_public_url(_dev(), "127.0.0.1", 8080) == "http://127.0.0.1:8080"


def test_serving_on_every_interface_gives_a_loopback_public_url():
    assert served_public_url(_dev(), "0.0.0.0", 8080) == "http://127.0.0.1:8080"


def test_a_public_url_set_by_the_operator_is_kept_whatever_the_port():
    settings = _dev({"CRM_PUBLIC_URL": "https://crm.example.com"})
    assert served_public_url(settings, "0.0.0.0", 8080) == "https://crm.example.com"


def test_the_default_port_keeps_the_default_public_url():
    assert served_public_url(_dev(), "127.0.0.1", 5000) == "http://127.0.0.1:5000"
