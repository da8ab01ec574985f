"""Test keys made once per run: an SNS-like signing certificate, a SendGrid-like ECDSA pair."""
from __future__ import annotations

import base64
import functools
from datetime import datetime, timedelta, timezone

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

CERT_URL = "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-6aad65c2f9911b05cd53efda11f913f9.pem"
VALID_FROM = datetime(2026, 1, 1, tzinfo=timezone.utc)


@functools.cache
def sns_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def sns_cert_pem(not_after: datetime = VALID_FROM + timedelta(days=365), key=None) -> bytes:
    """A self-signed certificate named like SNS's, valid through 2026 unless told otherwise."""
    key = key or sns_key()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(VALID_FROM).not_valid_after(not_after)
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


def rsa_sign(data: bytes, version: str, key=None) -> str:
    algorithm = hashes.SHA1() if version == "1" else hashes.SHA256()
    return base64.b64encode((key or sns_key()).sign(data, padding.PKCS1v15(), algorithm)).decode()


@functools.cache
def sendgrid_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def sendgrid_public_b64(key=None) -> str:
    """The verification key as SendGrid's settings page shows it: base64 DER, no PEM armour."""
    der = (key or sendgrid_key()).public_key().public_bytes(serialization.Encoding.DER,
                                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


def sendgrid_sign(timestamp: str, body: bytes, key=None) -> str:
    signature = (key or sendgrid_key()).sign(timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))
    return base64.b64encode(signature).decode()
