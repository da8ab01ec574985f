"""Settings: defaults per environment, CRM_* overrides, production's refusal of the default secret."""
import pytest

from config import DEFAULT_SECRET_KEY, ConfigError, load_config


def test_development_defaults_are_the_embedded_setup():
    s = load_config("development", environ={})
    assert s["DATABASE_URL"].startswith("sqlite:///") and s["MAIL_BACKEND"] == "file" and s["RUN_SCHEDULER"]


def test_every_value_can_be_overridden_by_crm_variables():
    s = load_config("development", environ={"CRM_MAIL_BACKEND": "smtp", "CRM_DISPATCH_BATCH_SIZE": "7",
                                             "CRM_RUN_SCHEDULER": "false"})
    assert (s["MAIL_BACKEND"], s["DISPATCH_BATCH_SIZE"], s["RUN_SCHEDULER"]) == ("smtp", 7, False)


def test_bad_override_names_the_variable():
    with pytest.raises(ConfigError, match="CRM_DISPATCH_BATCH_SIZE"):
        load_config("development", environ={"CRM_DISPATCH_BATCH_SIZE": "many"})


def test_production_refuses_the_default_secret_key():
    with pytest.raises(ConfigError, match="secret key"):
        load_config("production", environ={"CRM_SECRET_KEY": DEFAULT_SECRET_KEY})


def test_production_sets_secure_cookies():
    s = load_config("production", environ={"CRM_SECRET_KEY": "s3cret-value"})
    assert s["SESSION_COOKIE_SECURE"] and s["SESSION_COOKIE_HTTPONLY"] and s["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_unknown_environment_is_refused():
    with pytest.raises(ConfigError, match="CRM_ENV"):
        load_config(environ={"CRM_ENV": "staging"})
