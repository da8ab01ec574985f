"""The secret box: secrets at rest encrypted with configured Fernet keys, the first encrypts, all decrypt."""
import pytest
from cryptography.fernet import Fernet

from config import ConfigError
from crossborder_crm import create_app
from crossborder_crm.secret_box import SecretBox, UndecryptableSecret

SECRET_KEY = "s" * 40
OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def box(keys: str = "", secret_key: str = SECRET_KEY) -> SecretBox:
    return SecretBox.from_settings({"ENCRYPTION_KEYS": keys, "SECRET_KEY": secret_key})


def test_a_stored_value_is_prefixed_and_does_not_contain_the_text():
    stored = box(OLD).encrypt("whsec-plain-text")
    assert stored.startswith("fernet:")
    assert "whsec-plain-text" not in stored


def test_a_stored_value_decrypts_to_the_text():
    b = box(OLD)
    assert b.decrypt(b.encrypt("山田 secret")) == "山田 secret"


def test_a_legacy_plain_value_is_read_as_it_is():
    assert box(OLD).decrypt("3f9a0c-legacy") == "3f9a0c-legacy"


def test_without_configured_keys_the_key_is_derived_from_the_secret_key():
    stored = box("").encrypt("hello")
    assert box("").decrypt(stored) == "hello"  # the same SECRET_KEY: the same key, in another process too
    with pytest.raises(UndecryptableSecret):
        box("", secret_key="t" * 40).decrypt(stored)


def test_the_secret_key_entry_stands_for_the_derived_key():
    stored = box("").encrypt("hello")
    assert box(f"{NEW},secret-key").decrypt(stored) == "hello"


def test_a_value_no_key_opens_raises_an_error_naming_the_setting():
    stored = box(OLD).encrypt("hello")
    with pytest.raises(UndecryptableSecret, match="CRM_ENCRYPTION_KEYS"):
        box(NEW).decrypt(stored)


def test_a_tampered_value_is_refused_not_returned():
    stored = box(OLD).encrypt("hello")
    with pytest.raises(UndecryptableSecret):
        box(OLD).decrypt(stored[:-6] + "AAAAAA")


def test_the_first_key_encrypts_and_every_key_decrypts():
    old_value = box(OLD).encrypt("old")
    both = box(f"{NEW}, {OLD}")
    assert both.decrypt(old_value) == "old"
    assert box(NEW).decrypt(both.encrypt("new")) == "new"


def test_rotate_moves_a_value_to_the_first_key():
    rotated = box(f"{NEW},{OLD}").rotate(box(OLD).encrypt("hello"))
    assert box(NEW).decrypt(rotated) == "hello"


def test_rotate_encrypts_a_legacy_plain_value():
    rotated = box(NEW).rotate("legacy")
    assert rotated.startswith("fernet:") and box(NEW).decrypt(rotated) == "legacy"


def test_a_malformed_key_is_refused_naming_the_setting_and_position_but_not_the_key():
    with pytest.raises(ConfigError, match=r"CRM_ENCRYPTION_KEYS: entry 2 is not a Fernet key") as err:
        box(f"{NEW},not-a-fernet-key-but-a-secret")
    assert "not-a-fernet-key-but-a-secret" not in str(err.value)


def test_the_app_refuses_to_start_with_a_malformed_key():
    with pytest.raises(ConfigError, match="CRM_ENCRYPTION_KEYS"):
        create_app({"ENCRYPTION_KEYS": "nope"}, env="test")


def test_the_setting_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("CRM_ENCRYPTION_KEYS", NEW)
    app = create_app(env="test")
    assert box(NEW).decrypt(app.extensions["crm"].box.encrypt("x")) == "x"
