"""DKIM through OpenSSL: our signatures verified by dkimpy's verifier (differential), tampering caught,
keys parsed once per fingerprint, Ed25519 (RFC 8463) beside RSA."""
from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from dkim.canonicalization import Relaxed
from dkim.util import parse_tag_value
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crossborder_crm.outbox import dkim_signing
from crossborder_crm.outbox.dkim_signing import DkimKey, dkim_sign, validate_dkim_key
from crossborder_crm.outbox.message_id import make_message_id
from crossborder_crm.outbox.mime import OutgoingEmail, build_message

DOMAIN, SELECTOR = "seller.example", "crm2024"
PRESENT = frozenset({"from", "to", "subject", "date", "message-id", "mime-version", "content-type"})


def _dns(material):
    def dnsfunc(name, timeout=5):
        assert name == f"{SELECTOR}._domainkey.{DOMAIN}.".encode()
        return material.txt_record()
    return dnsfunc


def _key(material, pem=None) -> DkimKey:
    return DkimKey(DOMAIN, SELECTOR, pem or material.private_pkcs8_pem)


def email_of(**fields) -> OutgoingEmail:
    base = dict(from_addr="shop@seller.example", from_name="Seller", to_addr="buyer@example.jp", to_name="Buyer",
                subject="Your order", text="hello\n", html="<p>hello</p>",
                message_id=make_message_id("acme", "k-1", DOMAIN), date=datetime(2026, 3, 10, 9, tzinfo=timezone.utc))
    return OutgoingEmail(**{**base, **fields})


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(subject=_text, name=_text, text=_text, html=_text, marketing=st.booleans(),
       local=st.sampled_from(["buyer", "josé.müller", "用户", "o'brien+tag"]))
def test_built_messages_signed_by_us_verify_with_dkimpy(dkim_material, subject, name, text, html, marketing, local):
    mail = email_of(subject=subject, to_name=name, from_name=name, text=text, html=html,
                    to_addr=f"{local}@example.jp", reply_to="help@seller.example")
    if marketing:
        mail = replace(mail, list_unsubscribe_url="https://crm.example.com/u/" + "t" * 90,
                       list_unsubscribe_mailto="mailto:unsubscribe@crm.example.com?subject=u")
    raw = build_message(mail, _key(dkim_material))
    assert dkim.verify(raw, dnsfunc=_dns(dkim_material))


_wsp_line = st.lists(st.sampled_from(["word", " ", "\t", "  \t ", "ü", "x" * 90, ""]), max_size=8).map("".join)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(_wsp_line, max_size=12), trailing_empty=st.integers(0, 3), end_crlf=st.booleans(),
       folded=st.lists(st.sampled_from(["a", "b c", "\t d", "  e  "]), min_size=1, max_size=4))
def test_raw_messages_with_whitespace_folding_and_line_edge_cases_verify(dkim_material, lines, trailing_empty,
                                                                         end_crlf, folded):
    body = "\r\n".join(lines) + "\r\n" * trailing_empty
    if end_crlf and not body.endswith("\r\n"):
        body += "\r\n"
    elif not end_crlf:
        body = body.rstrip(" \t\r\n")  # a last line without CRLF (it gets one on the wire)
    subject = "Subject:" + "\r\n ".join(folded) + "  \r\n"
    head = ("From:  Seller <shop@seller.example>\r\nTo: buyer@example.jp\r\n" + subject
            + "Date: Tue, 10 Mar 2026 09:00:00 +0000\r\nMessage-ID: <k-1@seller.example>\r\n")
    raw = (head + "\r\n" + body).encode("utf-8")
    signed = dkim_sign(raw, frozenset({"from", "to", "subject", "date", "message-id"}), _key(dkim_material), DOMAIN)
    assert dkim.verify(signed, dnsfunc=_dns(dkim_material))


def test_a_long_body_verifies(dkim_material):
    raw = build_message(email_of(text="Grüße, 山田 \t line\n" * 20000, html="<p>" + "x " * 50000 + "</p>"),
                        _key(dkim_material))
    assert dkim.verify(raw, dnsfunc=_dns(dkim_material))


def test_an_empty_body_verifies(dkim_material):
    raw = b"From: shop@seller.example\r\nTo: b@example.jp\r\nSubject: x\r\n\r\n"
    assert dkim.verify(dkim_sign(raw, PRESENT, _key(dkim_material), DOMAIN), dnsfunc=_dns(dkim_material))


def test_a_tampered_body_fails_verification(dkim_material):
    raw = build_message(email_of(text="pay 10 EUR\n", html=""), _key(dkim_material))
    tampered = raw.replace(b"pay 10 EUR", b"pay 90 EUR")
    assert tampered != raw
    assert not dkim.verify(tampered, dnsfunc=_dns(dkim_material))


def test_an_added_second_subject_fails_verification(dkim_material):
    raw = build_message(email_of(), _key(dkim_material))
    head, _, body = raw.partition(b"\r\n\r\n")
    assert not dkim.verify(head + b"\r\nSubject: forged\r\n\r\n" + body, dnsfunc=_dns(dkim_material))


def test_the_signed_header_list_is_the_core_headers_then_the_oversigned_ones(dkim_material):
    raw = build_message(email_of(), _key(dkim_material))
    sig = parse_tag_value(raw.split(b"\r\nDate:")[0].partition(b":")[2])
    assert re.split(r"\s*:\s*", sig[b"h"].decode()) == [
        "from", "to", "subject", "date", "message-id", "mime-version", "content-type",
        "from", "to", "reply-to", "subject", "date", "message-id", "list-unsubscribe", "list-unsubscribe-post"]
    assert (sig[b"a"], sig[b"c"], sig[b"t"]) == (b"rsa-sha256", b"relaxed/relaxed", b"1773133200")


def test_pkcs1_and_pkcs8_keys_give_the_same_signature(dkim_material):
    raw = build_message(email_of())
    assert (dkim_sign(raw, PRESENT, _key(dkim_material, dkim_material.private_pkcs1_pem), DOMAIN)
            == dkim_sign(raw, PRESENT, _key(dkim_material), DOMAIN))


@pytest.mark.parametrize("pem", [b"not a key", b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"])
def test_an_unparsable_key_is_refused(pem):
    with pytest.raises(ValueError):
        validate_dkim_key(pem)


def test_an_ec_key_is_refused_naming_the_supported_types():
    from cryptography.hazmat.primitives.asymmetric import ec
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    with pytest.raises(ValueError, match="RSA .* or Ed25519"):
        validate_dkim_key(pem)


def test_a_key_is_parsed_once_per_fingerprint_and_a_rotated_key_afresh(dkim_material, monkeypatch):
    parsed = []
    real = dkim_signing._load
    monkeypatch.setattr(dkim_signing, "_load", lambda pem: parsed.append(pem) or real(pem))
    dkim_signing._parsed.clear()
    raw = build_message(email_of())
    for _ in range(3):  # a new DkimKey each pass, as the dispatcher makes
        dkim_sign(raw, PRESENT, _key(dkim_material), DOMAIN)
    assert len(parsed) == 1
    rotated = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    signed = dkim_sign(raw, PRESENT, _key(dkim_material, rotated), DOMAIN)
    assert len(parsed) == 2 and b"a=ed25519-sha256" in signed


def _verify_ed25519(signed: bytes, public: ed25519.Ed25519PublicKey) -> bool:
    """An RFC 8463 check written from the RFC with dkimpy's canonicalization (dkimpy's own verifier
    needs PyNaCl for Ed25519)."""
    head, _, body = signed.partition(b"\r\n\r\n")
    fields = [f.split(b":", 1) for f in head.replace(b"\r\n ", b"\x00 ").split(b"\r\n")]
    fields = [(n, v.replace(b"\x00 ", b"\r\n ")) for n, v in fields]
    sig_value = fields[0][1]
    tags = parse_tag_value(sig_value)
    body_c = Relaxed.canonicalize_body(body)
    if base64.b64encode(hashlib.sha256(body_c).digest()) != tags[b"bh"]:
        return False
    chosen = dkim.select_headers(fields[1:], re.split(rb"\s*:\s*", tags[b"h"].strip()))
    data = b"".join(n + b":" + v for n, v in Relaxed.canonicalize_headers(chosen))
    stripped = dkim.RE_BTAG.sub(b"\\1", sig_value)
    [(n, v)] = Relaxed.canonicalize_headers([(fields[0][0], stripped)])
    data += n + b":" + v.rstrip()
    try:
        public.verify(base64.b64decode(b"".join(tags[b"b"].split())), hashlib.sha256(data).digest())
        return True
    except Exception:  # noqa: BLE001 - InvalidSignature
        return False


def test_an_ed25519_key_signs_ed25519_sha256_that_verifies_and_breaks_on_tampering():
    private = ed25519.Ed25519PrivateKey.generate()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    raw = build_message(email_of(text="pay 10 EUR\n", subject="Grüße " * 20), DkimKey(DOMAIN, SELECTOR, pem))
    assert b"a=ed25519-sha256" in raw
    assert _verify_ed25519(raw, private.public_key())
    assert not _verify_ed25519(raw.replace(b"pay 10 EUR", b"pay 90 EUR"), private.public_key())


def test_the_signature_time_is_the_messages_date(dkim_material):
    later = datetime(2026, 3, 10, 9, tzinfo=timezone.utc) + timedelta(hours=1)
    raw = build_message(email_of(date=later), _key(dkim_material))
    assert f"t={int(later.timestamp())};".encode() in raw.split(b"\r\nDate:")[0]
