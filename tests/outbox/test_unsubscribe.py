from __future__ import annotations

import re

import pytest
from itsdangerous import URLSafeSerializer

from crossborder_crm.outbox.unsubscribe import (
    InvalidUnsubscribeToken,
    UnsubscribeClaim,
    check_form_token,
    form_token,
    make_unsubscribe_token,
    mask_email,
    read_unsubscribe_token,
    unsubscribe_links,
)

SECRET = "s3cret-key-for-tests"


def test_token_round_trips_to_a_claim():
    token = make_unsubscribe_token(SECRET, 7, 42, message_id=1001)
    assert read_unsubscribe_token(SECRET, token) == UnsubscribeClaim(
        seller_id=7, buyer_id=42, message_id=1001, scope="marketing"
    )


def test_token_without_message_id_round_trips_with_none():
    token = make_unsubscribe_token(SECRET, 7, 42)
    assert read_unsubscribe_token(SECRET, token).message_id is None


def test_token_is_url_safe():
    token = make_unsubscribe_token(SECRET, 7, 42, message_id=5)
    assert re.fullmatch(r"[A-Za-z0-9_.\-]+", token)


def test_token_is_deterministic():
    assert make_unsubscribe_token(SECRET, 1, 2, 3) == make_unsubscribe_token(SECRET, 1, 2, 3)


def test_tampered_token_is_rejected():
    token = make_unsubscribe_token(SECRET, 7, 42)
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    with pytest.raises(InvalidUnsubscribeToken):
        read_unsubscribe_token(SECRET, flipped)


def test_token_with_swapped_payload_is_rejected():
    mine = make_unsubscribe_token(SECRET, 7, 42)
    other = make_unsubscribe_token(SECRET, 7, 43)
    forged = other.split(".")[0] + "." + mine.split(".")[1]
    with pytest.raises(InvalidUnsubscribeToken):
        read_unsubscribe_token(SECRET, forged)


def test_token_signed_with_another_secret_is_rejected():
    token = make_unsubscribe_token("another-secret", 7, 42)
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


def test_token_payload_names_the_buyer_by_id_and_carries_no_address():
    token = make_unsubscribe_token(SECRET, 7, 42, message_id=9)
    payload = URLSafeSerializer(SECRET, salt="unsubscribe").loads(token)
    assert payload == [2, 7, 42, 9, "marketing"]


def test_version_1_token_from_mails_already_sent_is_read_without_its_address():
    legacy = URLSafeSerializer(SECRET, salt="unsubscribe").dumps([1, 7, 42, "buyer@example.jp", 9])
    claim = read_unsubscribe_token(SECRET, legacy)
    assert claim == UnsubscribeClaim(seller_id=7, buyer_id=42, message_id=9, scope="marketing")
    assert "buyer@example.jp" not in repr(claim)


def test_version_2_token_with_an_unknown_scope_is_rejected():
    token = URLSafeSerializer(SECRET, salt="unsubscribe").dumps([2, 7, 42, None, "everything"])
    with pytest.raises(InvalidUnsubscribeToken):
        read_unsubscribe_token(SECRET, token)


def test_form_token_is_bound_to_its_link_and_its_action():
    link, other = make_unsubscribe_token(SECRET, 7, 42), make_unsubscribe_token(SECRET, 7, 43)
    value = form_token(SECRET, link, "resubscribe")
    assert check_form_token(SECRET, link, "resubscribe", value)
    assert not check_form_token(SECRET, other, "resubscribe", value)
    assert not check_form_token(SECRET, link, "unsubscribe", value)
    assert not check_form_token("another-secret", link, "resubscribe", value)
    assert not check_form_token(SECRET, link, "resubscribe", None)


@pytest.mark.parametrize("email, shown", [("lucia@example.es", "l***@example.es"), ("a@b.example", "a***@b.example"),
                                          ("not-an-address", "***"), (None, "")])
def test_masked_address_keeps_only_the_first_letter_and_the_domain(email, shown):
    assert mask_email(email) == shown


def test_correctly_signed_but_foreign_payload_is_rejected():
    token = URLSafeSerializer(SECRET, salt="unsubscribe").dumps({"seller": 1})
    with pytest.raises(InvalidUnsubscribeToken):
        read_unsubscribe_token(SECRET, token)


def test_invalid_token_error_is_a_value_error():
    assert issubclass(InvalidUnsubscribeToken, ValueError)


def test_token_carries_no_timestamp_so_it_never_expires():
    token = make_unsubscribe_token(SECRET, 7, 42)
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
    token = make_unsubscribe_token(SECRET, 7, 42, message_id=9)
    https, mailto = unsubscribe_links("https://crm.example.com", token, "crm.example.com")
    assert https.endswith("/u/" + token)
    assert mailto.endswith("unsubscribe-" + token)
    assert read_unsubscribe_token(SECRET, https.rsplit("/", 1)[1]).buyer_id == 42
