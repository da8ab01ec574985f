from __future__ import annotations

import email
import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from email import policy

import dkim
import pytest

from crossborder_crm.outbox.mime import (
    DkimKey,
    OutgoingEmail,
    build_message,
    make_message_id,
    sanitize_header_text,
)

DATE = datetime(2024, 5, 1, 9, 30, tzinfo=timezone(timedelta(hours=2)))


def make_email(**overrides) -> OutgoingEmail:
    base = OutgoingEmail(
        from_addr="shop@seller.example",
        from_name="Seller Shop",
        to_addr="buyer@example.jp",
        to_name="Buyer",
        subject="Your order has shipped",
        text="Hello,\nyour parcel is on its way.\n",
        html="<p>Hello,</p><p>your parcel is on its way.</p>",
        message_id=make_message_id("acme", "order-1-shipped", "seller.example"),
        date=DATE,
    )
    return replace(base, **overrides)


def marketing_email(**overrides) -> OutgoingEmail:
    return make_email(
        list_unsubscribe_url="https://crm.example.com/u/tok123",
        list_unsubscribe_mailto="mailto:unsubscribe@crm.example.com?subject=unsubscribe-tok123",
        **overrides,
    )


def parse(raw: bytes):
    return email.message_from_bytes(raw, policy=policy.default)


def header_block(raw: bytes) -> bytes:
    return raw.split(b"\r\n\r\n", 1)[0]


# ---------------------------------------------------------------- structure


def test_message_is_multipart_alternative_with_text_then_html():
    msg = parse(build_message(make_email()))
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]


def test_both_parts_are_utf8_and_decode_to_the_original_text():
    mail = make_email(text="Grüße, 山田様\n", html="<p>Grüße, 山田様</p>")
    msg = parse(build_message(mail))
    plain, html = msg.iter_parts()
    assert plain.get_content_charset() == "utf-8"
    assert html.get_content_charset() == "utf-8"
    assert plain.get_content().replace("\r\n", "\n") == "Grüße, 山田様\n"
    assert html.get_content().strip() == "<p>Grüße, 山田様</p>"


def test_non_ascii_bodies_use_quoted_printable_or_base64():
    msg = parse(build_message(make_email(text="Grüße\n", html="<p>山田様</p>")))
    for part in msg.iter_parts():
        assert part["Content-Transfer-Encoding"] in ("quoted-printable", "base64")


def test_output_is_7bit_ascii():
    raw = build_message(make_email(to_name="山田太郎", subject="ご注文 Grüße", text="Zoë\n", html="<p>山田</p>"))
    raw.decode("ascii")  # raises if any 8-bit byte slipped through


def test_every_line_ends_with_crlf():
    raw = build_message(marketing_email(text="a\nb\rc\r\nd\n"))
    assert raw.endswith(b"\r\n")
    assert re.search(rb"(?<!\r)\n", raw) is None
    assert re.search(rb"\r(?!\n)", raw) is None


def test_no_line_exceeds_998_octets_even_for_long_body_lines():
    raw = build_message(make_email(text="x" * 5000, html="<p>" + "y" * 5000 + "</p>"))
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998


def test_sub_parts_carry_no_mime_version_header():
    msg = parse(build_message(make_email()))
    assert msg["MIME-Version"] == "1.0"
    assert all(p["MIME-Version"] is None for p in msg.iter_parts())


def test_empty_html_yields_a_single_text_plain_part():
    msg = parse(build_message(make_email(html="")))
    assert msg.get_content_type() == "text/plain"


def test_same_email_builds_to_identical_bytes():
    assert build_message(marketing_email()) == build_message(marketing_email())


# ------------------------------------------------------------------ headers


def test_date_header_is_rfc5322_formatted_from_the_given_datetime():
    msg = parse(build_message(make_email()))
    assert msg["Date"] == "Wed, 01 May 2024 09:30:00 +0200"
    assert msg["Date"].datetime == DATE


def test_naive_date_is_rejected():
    with pytest.raises(ValueError):
        build_message(make_email(date=datetime(2024, 5, 1, 9, 30)))


def test_message_id_header_is_the_given_id():
    mail = make_email()
    assert parse(build_message(mail))["Message-ID"] == mail.message_id


def test_malformed_message_id_is_rejected():
    with pytest.raises(ValueError):
        build_message(make_email(message_id="no-brackets@example.com"))


def test_mime_version_header_present():
    assert b"\r\nMIME-Version: 1.0\r\n" in header_block(build_message(make_email()))


@pytest.mark.parametrize("name", ["Zoë Ünal", "山田太郎"])
def test_non_ascii_display_name_is_rfc2047_encoded_and_round_trips(name):
    raw = build_message(make_email(from_name=name, to_name=name))
    head = header_block(raw)
    assert b"=?utf-8?" in head
    msg = parse(raw)
    assert msg["From"].addresses[0].display_name == name
    assert msg["From"].addresses[0].addr_spec == "shop@seller.example"
    assert msg["To"].addresses[0].display_name == name
    assert msg["To"].addresses[0].addr_spec == "buyer@example.jp"


def test_display_name_with_comma_and_quotes_stays_one_address():
    name = 'Ünal, Zoë "the boss"'
    msg = parse(build_message(make_email(to_name=name)))
    addresses = msg["To"].addresses
    assert len(addresses) == 1
    assert addresses[0].display_name == name
    assert addresses[0].addr_spec == "buyer@example.jp"


def test_ascii_display_name_with_comma_is_quoted():
    raw = build_message(make_email(from_name="Doe, John"))
    assert b'From: "Doe, John" <shop@seller.example>' in raw
    assert parse(raw)["From"].addresses[0].display_name == "Doe, John"


def test_non_ascii_subject_is_encoded_and_round_trips():
    subject = "Ihre Bestellung wurde versandt – 山田太郎様, ご注文ありがとうございます " * 2
    raw = build_message(make_email(subject=subject))
    assert b"=?utf-8?" in header_block(raw)
    assert parse(raw)["Subject"] == subject.strip()


def test_reply_to_header_when_given():
    msg = parse(build_message(make_email(reply_to="support@seller.example")))
    assert msg["Reply-To"].addresses[0].addr_spec == "support@seller.example"


def test_idn_recipient_domain_is_punycoded():
    msg = parse(build_message(make_email(to_addr="kunde@bücher.example")))
    assert msg["To"].addresses[0].addr_spec == "kunde@xn--bcher-kva.example"


def test_extra_headers_are_added():
    msg = parse(build_message(make_email(headers=(("X-CRM-Message", "123"),))))
    assert msg["X-CRM-Message"] == "123"


@pytest.mark.parametrize("name", ["From", "bcc", "Subject", "List-Unsubscribe", "Content-Type"])
def test_extra_headers_cannot_override_builtin_headers(name):
    with pytest.raises(ValueError):
        build_message(make_email(headers=((name, "x"),)))


def test_extra_header_with_invalid_name_is_rejected():
    with pytest.raises(ValueError):
        build_message(make_email(headers=(("X-Bad\r\nBcc", "x"),)))


@pytest.mark.parametrize("bad", ["not-an-address", "a@b@c.example", "bob@example.com\r\nBcc: evil@x", "<a@b.example>"])
def test_invalid_recipient_address_is_rejected(bad):
    with pytest.raises(ValueError):
        build_message(make_email(to_addr=bad))


# ---------------------------------------------------------- header injection

INJECTION = "Bob\r\nBcc: evil@x"


def _assert_no_injected_header(raw: bytes) -> None:
    msg = parse(raw)
    assert msg["Bcc"] is None
    assert all(name.lower() != "bcc" for name in msg.keys())
    assert re.search(rb"(?im)^bcc:", raw) is None


@pytest.mark.parametrize("field", ["from_name", "to_name", "subject"])
def test_crlf_in_name_or_subject_does_not_inject_a_header(field):
    _assert_no_injected_header(build_message(make_email(**{field: INJECTION})))


@pytest.mark.parametrize("field", ["from_name", "to_name", "subject"])
def test_lone_lf_or_cr_in_name_or_subject_does_not_inject_a_header(field):
    _assert_no_injected_header(build_message(make_email(**{field: "Bob\nBcc: evil@x"})))
    _assert_no_injected_header(build_message(make_email(**{field: "Bob\rBcc: evil@x"})))


def test_unicode_line_separators_do_not_inject_a_header():
    raw = build_message(make_email(subject="Bob\u2028Bcc: evil@x\u0085X: y"))
    _assert_no_injected_header(raw)


def test_crlf_in_extra_header_value_does_not_inject_a_header():
    _assert_no_injected_header(build_message(make_email(headers=(("X-Note", INJECTION),))))


def test_control_characters_become_spaces():
    assert sanitize_header_text("Bob\r\nBcc:\tevil\x00@x\x7f") == "Bob Bcc: evil @x"
    assert parse(build_message(make_email(subject=INJECTION)))["Subject"] == "Bob Bcc: evil@x"


# --------------------------------------------------------------- unsubscribe


def test_marketing_mail_has_list_unsubscribe_with_https_and_mailto():
    msg = parse(build_message(marketing_email()))
    assert msg["List-Unsubscribe"] == (
        "<https://crm.example.com/u/tok123>, "
        "<mailto:unsubscribe@crm.example.com?subject=unsubscribe-tok123>"
    )


def test_marketing_mail_has_one_click_list_unsubscribe_post():
    msg = parse(build_message(marketing_email()))
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_transactional_mail_has_no_list_unsubscribe_headers():
    msg = parse(build_message(make_email()))
    assert msg["List-Unsubscribe"] is None
    assert msg["List-Unsubscribe-Post"] is None


def test_mailto_only_unsubscribe_has_no_one_click_post_header():
    msg = parse(build_message(make_email(list_unsubscribe_mailto="mailto:unsubscribe@crm.example.com")))
    assert msg["List-Unsubscribe"] == "<mailto:unsubscribe@crm.example.com>"
    assert msg["List-Unsubscribe-Post"] is None


def test_long_unsubscribe_url_is_neither_encoded_nor_split():
    token = "eyJ" + "A" * 180 + ".sig_-" + "B" * 40
    url = f"https://crm.example.com/u/{token}"
    mailto = f"mailto:unsubscribe@crm.example.com?subject=unsubscribe-{token}"
    raw = build_message(make_email(list_unsubscribe_url=url, list_unsubscribe_mailto=mailto))
    assert f"List-Unsubscribe: <{url}>,\r\n <{mailto}>\r\n".encode() in raw
    assert parse(raw)["List-Unsubscribe"] == f"<{url}>, <{mailto}>"


@pytest.mark.parametrize(
    "field,value",
    [
        ("list_unsubscribe_url", "javascript:alert(1)"),
        ("list_unsubscribe_url", "https://crm.example.com/u/a b"),
        ("list_unsubscribe_url", "https://crm.example.com/u/x>\r\nBcc: evil@x"),
        ("list_unsubscribe_mailto", "https://not-a-mailto.example"),
    ],
)
def test_invalid_unsubscribe_uri_is_rejected(field, value):
    with pytest.raises(ValueError):
        build_message(make_email(**{field: value}))


# ---------------------------------------------------------------- message id


def test_make_message_id_is_deterministic():
    assert make_message_id("acme", "k-1", "seller.example") == make_message_id("acme", "k-1", "seller.example")


def test_make_message_id_differs_per_idempotency_key_and_seller():
    ids = {
        make_message_id("acme", "k-1", "seller.example"),
        make_message_id("acme", "k-2", "seller.example"),
        make_message_id("other", "k-1", "seller.example"),
    }
    assert len(ids) == 3


def test_make_message_id_format():
    mid = make_message_id("acme", "k-1", "Seller.Example")
    assert re.fullmatch(r"<[0-9a-f]{32}\.acme@seller\.example>", mid)


def test_make_message_id_sanitises_unsafe_seller_key():
    mid = make_message_id("ac me<>@x", "k-1", "seller.example")
    assert re.fullmatch(r"<[0-9a-f]{32}\.[A-Za-z0-9_-]+@seller\.example>", mid)
    assert mid != make_message_id("ac-me-x", "k-1", "seller.example")


def test_make_message_id_rejects_invalid_domain():
    with pytest.raises(ValueError):
        make_message_id("acme", "k-1", "bad domain")


# ---------------------------------------------------------------------- DKIM


def _dkim_key(material, pem=None) -> DkimKey:
    return DkimKey(domain="seller.example", selector="crm2024", private_key_pem=pem or material.private_pkcs8_pem)


def _dnsfunc(material):
    def dnsfunc(name, timeout=5):
        assert name == b"crm2024._domainkey.seller.example."
        return material.txt_record()

    return dnsfunc


def _signed_tags(raw: bytes) -> dict[str, str]:
    sig = parse(raw)["DKIM-Signature"]
    value = "".join(str(sig).split())
    return dict(item.split("=", 1) for item in value.split(";") if item)


def test_dkim_signed_message_verifies(dkim_material):
    raw = build_message(marketing_email(), dkim=_dkim_key(dkim_material))
    assert raw.startswith(b"DKIM-Signature: ")
    assert dkim.verify(raw, dnsfunc=_dnsfunc(dkim_material))


def test_dkim_signature_uses_relaxed_relaxed_rsa_sha256(dkim_material):
    tags = _signed_tags(build_message(marketing_email(), dkim=_dkim_key(dkim_material)))
    assert tags["a"] == "rsa-sha256"
    assert tags["c"] == "relaxed/relaxed"
    assert tags["d"] == "seller.example"
    assert tags["s"] == "crm2024"


def test_dkim_signs_core_headers(dkim_material):
    tags = _signed_tags(build_message(make_email(), dkim=_dkim_key(dkim_material)))
    signed = set(tags["h"].lower().split(":"))
    assert {"from", "to", "subject", "date", "message-id", "mime-version", "content-type"} <= signed


def test_dkim_h_covers_both_unsubscribe_headers(dkim_material):
    tags = _signed_tags(build_message(marketing_email(), dkim=_dkim_key(dkim_material)))
    signed = tags["h"].lower().split(":")
    assert "list-unsubscribe" in signed
    assert "list-unsubscribe-post" in signed


def test_dkim_signature_breaks_when_subject_is_altered(dkim_material):
    raw = build_message(marketing_email(), dkim=_dkim_key(dkim_material))
    tampered = raw.replace(b"Subject: Your order has shipped", b"Subject: Your order has shipped!")
    assert tampered != raw
    assert not dkim.verify(tampered, dnsfunc=_dnsfunc(dkim_material))


def test_dkim_signature_breaks_when_unsubscribe_header_is_removed(dkim_material):
    raw = build_message(marketing_email(), dkim=_dkim_key(dkim_material))
    tampered = raw.replace(b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n", b"")
    assert tampered != raw
    assert not dkim.verify(tampered, dnsfunc=_dnsfunc(dkim_material))


def test_dkim_accepts_pkcs1_private_key(dkim_material):
    raw = build_message(make_email(), dkim=_dkim_key(dkim_material, dkim_material.private_pkcs1_pem))
    assert dkim.verify(raw, dnsfunc=_dnsfunc(dkim_material))


def test_dkim_rejects_garbage_private_key():
    with pytest.raises(ValueError):
        build_message(make_email(), dkim=DkimKey("seller.example", "crm2024", b"not a key"))
