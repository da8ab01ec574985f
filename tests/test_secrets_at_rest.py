"""Webhook secrets and DKIM keys in the database: encrypted, readable to verify, re-encrypted by rotation."""
import hashlib
import hmac
import json

import pytest
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import text

from crossborder_crm import create_app
from crossborder_crm.accounts.models import WEBHOOK_SOURCES
from crossborder_crm.accounts.secret_rotation import reencrypt_secrets
from crossborder_crm.accounts.service import create_seller, rotate_webhook_secret, webhook_secret
from crossborder_crm.errors import NotFound, ValidationFailed
from crossborder_crm.outbox.sender import update_sender
from crossborder_crm.secret_box import SecretBox, UndecryptableSecret

NEW = Fernet.generate_key().decode()
PAYLOAD = b'{"id": 820982911946154508, "topic": "orders/create"}'


def _raw_secrets(db) -> dict[str, str]:
    with db.engine.connect() as conn:
        return dict(conn.execute(text("SELECT source, secret FROM webhook_secrets")).all())


def _raw_dkim(db, seller_id) -> str:
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT dkim_private_key FROM sellers WHERE id = :id"), {"id": seller_id}).scalar()


def _box(services, keys: str) -> SecretBox:
    return SecretBox.from_settings({**services.settings, "ENCRYPTION_KEYS": keys})


def _sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@pytest.fixture(scope="module")
def dkim_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def test_webhook_secrets_are_stored_encrypted(services, seller_a):
    stored = _raw_secrets(services.db)
    assert set(stored) == set(WEBHOOK_SOURCES)
    for source, secret in seller_a.webhook_secrets.items():
        assert stored[source].startswith("fernet:") and secret not in stored[source]


def test_webhook_secret_gives_back_what_the_platform_signs_with(services, seller_a):
    shown = seller_a.webhook_secrets["shopify"]
    secret = webhook_secret(services.db, services.box, seller_a.seller_id, "shopify")
    assert hmac.compare_digest(_sign(secret, PAYLOAD), _sign(shown, PAYLOAD))


def test_a_rotated_webhook_secret_is_stored_encrypted_and_verifies(services, seller_a):
    new = rotate_webhook_secret(services.db, services.clock, services.box, seller_a.seller_id, "generic")
    assert new not in _raw_secrets(services.db)["generic"]
    assert webhook_secret(services.db, services.box, seller_a.seller_id, "generic") == new


def test_webhook_secret_of_an_unknown_source_names_the_field(services, seller_a):
    with pytest.raises(ValidationFailed) as err:
        webhook_secret(services.db, services.box, seller_a.seller_id, "ebay")
    assert "source" in err.value.fields


def test_webhook_secret_of_another_seller_is_not_found(services, seller_a):
    with pytest.raises(NotFound):
        webhook_secret(services.db, services.box, seller_a.seller_id + 1, "shopify")


def test_a_seller_made_without_the_box_gets_secrets_on_first_rotation(services):
    new = create_seller(services.db, services.clock, "Plain", "plain@example.com", "correct horse 1")
    assert new.webhook_secrets == {} and _raw_secrets(services.db) == {}
    secret = rotate_webhook_secret(services.db, services.clock, services.box, new.seller_id, "shopify")
    assert webhook_secret(services.db, services.box, new.seller_id, "shopify") == secret


def test_rotation_moves_every_secret_to_the_new_first_key(services, seller_a, dkim_key):
    update_sender(services.db, services.clock, services.box, seller_a.seller_id,
                  {"dkim_domain": "shop-a.example", "dkim_selector": "s1", "dkim_private_key": dkim_key})
    report = reencrypt_secrets(services.db, _box(services, f"{NEW},secret-key"))
    assert (report.webhook_secrets, report.dkim_keys, report.were_plain) == (4, 1, 0)
    only_new = _box(services, NEW)
    for source, secret in seller_a.webhook_secrets.items():
        assert webhook_secret(services.db, only_new, seller_a.seller_id, source) == secret
    assert only_new.decrypt(_raw_dkim(services.db, seller_a.seller_id)) == dkim_key.strip()


def test_rotation_encrypts_legacy_plain_rows(services, seller_a, dkim_key):
    with services.db.engine.begin() as conn:
        conn.execute(text("UPDATE webhook_secrets SET secret = 'legacy-plain-secret' WHERE source = 'shopify'"))
        conn.execute(text("UPDATE sellers SET dkim_domain = 'shop-a.example', dkim_selector = 's1', "
                          "dkim_private_key = :pem"), {"pem": dkim_key})
    assert webhook_secret(services.db, services.box, seller_a.seller_id, "shopify") == "legacy-plain-secret"
    report = reencrypt_secrets(services.db, services.box)
    assert report.were_plain == 2
    assert _raw_secrets(services.db)["shopify"].startswith("fernet:")
    assert "PRIVATE KEY" not in _raw_dkim(services.db, seller_a.seller_id)
    assert webhook_secret(services.db, services.box, seller_a.seller_id, "shopify") == "legacy-plain-secret"
    assert services.box.decrypt(_raw_dkim(services.db, seller_a.seller_id)) == dkim_key


def test_rotation_without_the_old_key_changes_nothing_and_names_the_row(services, seller_a):
    before = _raw_secrets(services.db)
    with pytest.raises(UndecryptableSecret, match=r"webhook secret of seller \d+.*CRM_ENCRYPTION_KEYS"):
        reencrypt_secrets(services.db, _box(services, NEW))
    assert _raw_secrets(services.db) == before


def test_secrets_rotate_command_reencrypts_and_reports_how_many(database, clock, tmp_path, services, seller_a):
    rotating = create_app({"MAIL_DIR": str(tmp_path / "mail"), "DATABASE_URL": database.url,
                           "ENCRYPTION_KEYS": f"{NEW},secret-key"}, env="test", clock=clock, db=database)
    r = rotating.test_cli_runner().invoke(args=["crm", "secrets", "rotate"])
    assert r.exit_code == 0, r.output
    assert "re-encrypted 4 webhook secret(s), 0 DKIM key(s) and 0 relay password(s)" in r.output
    assert webhook_secret(database, _box(services, NEW), seller_a.seller_id, "aftership") == \
        seller_a.webhook_secrets["aftership"]


def test_secrets_rotate_command_fails_plainly_when_a_key_is_missing(database, clock, tmp_path, seller_a):
    wrong = create_app({"MAIL_DIR": str(tmp_path / "mail"), "DATABASE_URL": database.url,
                        "ENCRYPTION_KEYS": NEW}, env="test", clock=clock, db=database)
    r = wrong.test_cli_runner().invoke(args=["crm", "secrets", "rotate"])
    assert r.exit_code == 1
    assert "CRM_ENCRYPTION_KEYS" in r.output and "nothing was changed" in r.output


def test_create_seller_command_prints_secrets_that_verify(app, services):
    r = app.test_cli_runner().invoke(args=["crm", "create-seller", "--name", "CLI Shop", "--email",
                                           "cli@example.com", "--password", "long enough 1", "--json"])
    out = json.loads(r.output)
    secret = webhook_secret(services.db, services.box, out["seller_id"], "woocommerce")
    assert secret == out["webhook_secrets"]["woocommerce"]
