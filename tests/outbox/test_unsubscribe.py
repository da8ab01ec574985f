from __future__ import annotations

import re

import pytest
from itsdangerous import URLSafeSerializer

from crossborder_crm.outbox.unsubscribe import (
    InvalidUnsubscribeToken,
    UnsubscribeClaim,
    make_unsubscribe_token,
    read_unsubscribe_token,
    unsubscribe_links,
)

SECRET = "s3cret-key-for-tests"


def test_token_round_trips_to_a_claim():
    token = make_unsubscribe_token(SECRET, 7, 42, "buyer@example.jp", message_id=1001)
    assert read_unsubscribe_token(SECRET, token) == UnsubscribeClaim(
        seller_id=7, buyer_id=42, email="buyer@example.jp", message_id=1001
    )


def test_token_without_message_id_round_trips_with_none():
    token = make_unsubscribe_token(SECRET, 7, 42, "buyer@example.jp")
    assert read_unsubscribe_token(SECRET, token).message_id is None


def test_token_is_url_safe():
    token = make_unsubscribe_token(SECRET, 7, 42, "zoë+tag@exämple.de", message_id=5)
    assert re.fullmatch(r"[A-Za-z0-9_.\-]+", token)


def test_token_is_deterministic():
    assert make_unsubscribe_token(SECRET, 1, 2, "a@b.example") == make_unsubscribe_token(SECRET, 1, 2, "a@b.example")


def test_tampered_token_is_rejected():
    token = make_unsubscribe_token(SECRET, 7, 42, "buyer@example.jp")
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    with pytest.raises(InvalidUnsubscribeToken):
        read_unsubscribe_token(SECRET, flipped)


def test_token_with_swapped_payload_is_rejected():
    mine = make_unsubscribe_token(SECRET, 7, 42, "buyer@example.jp")
    other = make_unsubscribe_token(SECRET, 7, 43, "victim@example.jp")
    forged = other.split(".")[0] + "." + mine.split(".")[1]
    with pytest.raises(InvalidUnsubscribeToken):
        read_unsubscribe_token(SECRET, forged)


def test_token_signed_with_another_secret_is_rejected():
    token = make_unsubscribe_token("another-secret", 7, 42, "buyer@example.jp")
    with pytest.raises(InvalidUnsubscribeToken):
        read_unsubscribe_token(SECRET, token)


def test_token_signed_with_another_salt_is_rejected():
    token = URLSafeSerializer(SECRET, salt="password-reset").dumps([1, 7, 42, "buyer@example.jp", None])
    with pytest.raises(InvalidUnsubscribeToken):
        read_unsubscribe_token(SECRET, token)


@pytest.mark.parametrize("garbage", ["", "abc", "....", "x" * 5000, "not a token at all"])
def test_garbage_token_is_rejected(garbage):
    with pytest.raises(InvalidUnsubscribeToken):
        read_unsubscribe_token(SECRET, garbage)


def test_correctly_signed_but_foreign_payload_is_rejected():
    token = URLSafeSerializer(SECRET, salt="unsubscribe").dumps({"seller": 1})
    with pytest.raises(InvalidUnsubscribeToken):
        read_unsubscribe_token(SECRET, token)


def test_invalid_token_error_is_a_value_error():
    assert issubclass(InvalidUnsubscribeToken, ValueError)


def test_token_carries_no_timestamp_so_it_never_expires():
    token = make_unsubscribe_token(SECRET, 7, 42, "buyer@example.jp")
    # a plain (untimed) serializer with the same salt reads it: no timestamp part
    payload = URLSafeSerializer(SECRET, salt="unsubscribe").loads(token)
    assert 7 in payload and 42 in payload
    assert token.count(".") == 1


def test_links_are_https_path_and_mailto_subject():
    https, mailto = unsubscribe_links("https://crm.example.com", "TOKEN.sig", "mail.example.com")
    assert https == "https://crm.example.com/u/TOKEN.sig"
    assert mailto == "mailto:unsubscribe@mail.example.com?subject=unsubscribe-TOKEN.sig"


def test_links_tolerate_trailing_slash_and_path_prefix():
    https, _ = unsubscribe_links("https://example.com/crm/", "tok", "example.com")
    assert https == "https://example.com/crm/u/tok"


def test_links_reject_a_non_url_safe_token():
    with pytest.raises(ValueError):
        unsubscribe_links("https://crm.example.com", "a b\r\nBcc: x", "example.com")


def test_real_token_fits_in_both_links():
    token = make_unsubscribe_token(SECRET, 7, 42, "buyer@example.jp", message_id=9)
    https, mailto = unsubscribe_links("https://crm.example.com", token, "crm.example.com")
    assert https.endswith("/u/" + token)
    assert mailto.endswith("unsubscribe-" + token)
    assert read_unsubscribe_token(SECRET, https.rsplit("/", 1)[1]).buyer_id == 42
