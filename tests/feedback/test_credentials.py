"""Per-seller provider credentials: validated when pasted, stored encrypted, Postmark's generated."""
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from sqlalchemy import text

from crossborder_crm.accounts.service import rotate_webhook_secret, webhook_secret
from crossborder_crm.errors import ValidationFailed
from crossborder_crm.feedback.credentials import new_postmark_password, save_pasted
from tests.feedback.keys import sendgrid_key, sendgrid_public_b64
from tests.feedback.payloads import TOPIC


def _save(services, seller, provider, value):
    save_pasted(services.db, services.clock, services.box, seller.seller_id, provider, value)


def _stored(services, source):
    with services.db.engine.connect() as conn:
        return conn.execute(text("SELECT secret FROM webhook_secrets WHERE source = :s"), {"s": source}).scalar()


def test_the_sendgrid_key_as_sendgrid_shows_it_is_accepted_and_stored_as_pem(services, seller_a):
    _save(services, seller_a, "sendgrid", sendgrid_public_b64())
    stored = webhook_secret(services.db, services.box, seller_a.seller_id, "sendgrid")
    assert stored.startswith("-----BEGIN PUBLIC KEY-----")


def test_a_pem_ec_public_key_is_accepted(services, seller_a):
    pem = sendgrid_key().public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    _save(services, seller_a, "sendgrid", pem)


def test_an_rsa_public_key_is_refused_for_sendgrid(services, seller_a):
    pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    with pytest.raises(ValidationFailed) as err:
        _save(services, seller_a, "sendgrid", pem)
    assert "elliptic-curve" in err.value.fields["credential"]


def test_a_private_key_pasted_by_mistake_is_refused(services, seller_a):
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    with pytest.raises(ValidationFailed) as err:
        _save(services, seller_a, "sendgrid", pem)
    assert "private key" in err.value.fields["credential"]


def test_text_that_is_no_key_is_refused(services, seller_a):
    with pytest.raises(ValidationFailed):
        _save(services, seller_a, "sendgrid", "hello")


def test_ses_topics_are_validated_and_kept_one_per_line(services, seller_a):
    other = "arn:aws:sns:us-east-1:123456789012:ses-complaints"
    _save(services, seller_a, "ses", f"{TOPIC}, {other}")
    assert webhook_secret(services.db, services.box, seller_a.seller_id, "ses") == f"{TOPIC}\n{other}"


def test_something_that_is_no_topic_arn_is_refused(services, seller_a):
    with pytest.raises(ValidationFailed) as err:
        _save(services, seller_a, "ses", "arn:aws:sqs:eu-west-1:123456789012:queue")
    assert "not an SNS topic ARN" in err.value.fields["credential"]


def test_a_short_mailgun_key_is_refused(services, seller_a):
    with pytest.raises(ValidationFailed):
        _save(services, seller_a, "mailgun", "short")


def test_pasted_credentials_are_stored_encrypted(services, seller_a):
    _save(services, seller_a, "mailgun", "key-3ax6xnjp29jd6fds4gc373sgvjxteol0")
    stored = _stored(services, "mailgun")
    assert stored.startswith("fernet:") and "3ax6xnjp" not in stored


def test_the_postmark_password_is_generated_and_stored_encrypted(services, seller_a):
    password = new_postmark_password(services.db, services.clock, services.box, seller_a.seller_id)
    assert len(password) >= 32 and password not in _stored(services, "postmark")
    assert webhook_secret(services.db, services.box, seller_a.seller_id, "postmark") == password


def test_a_pasted_credential_cannot_be_rotated_into_a_random_one(services, seller_a):
    with pytest.raises(ValidationFailed):
        rotate_webhook_secret(services.db, services.clock, services.box, seller_a.seller_id, "sendgrid")
