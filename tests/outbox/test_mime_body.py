"""Body encoding: encode_body must choose and write exactly what encoding the whole body both ways did."""
from __future__ import annotations

import base64 as _base64
import binascii as _binascii

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import crossborder_crm.outbox.mime_body as _body


# ------------------------------------------------- bodies: encoding only the winner
# encode_body picks quoted-printable or base64 from a length bound and encodes
# quoted-printable line by line (cached); it must choose and write exactly what
# encoding the whole body both ways did.



def _old_encode_body(text: str) -> tuple[str, bytes]:
    # verbatim copy of the implementation before the length bound and the line cache
    lines = text.encode("utf-8").splitlines()
    data = b"\r\n".join(lines) + b"\r\n"
    if text.isascii() and "\x00" not in text and max(map(len, lines), default=0) <= 78:
        return "7bit", data
    qp = _binascii.b2a_qp(data, quotetabs=False, istext=True, header=False)
    b64 = _base64.encodebytes(data).replace(b"\n", b"\r\n")
    if len(b64) < len(qp):
        return "base64", b64
    return "quoted-printable", qp


_qp_body = st.lists(
    st.one_of(
        st.sampled_from(["\n", "\r\n", "\r", " \n", "\t\r\n", ".", ".\n", "\n.\n", "=", "=\r\n", "\x00", "\x7f",
                         "\x0c", "é", "—", "祝好", "山田太郎", "😀", "a" * 74, "b" * 75, "c" * 76, "=" * 30, " " * 80]),
        st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
        st.text("abc xyz<>&\"'=.", max_size=160),
    ),
    max_size=40,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(text=_qp_body)
def test_encode_body_matches_encoding_both_ways(text):
    assert _body.encode_body(text.encode("utf-8")) == _old_encode_body(text)


@settings(max_examples=300, deadline=None)
@given(text=_qp_body)
def test_quoted_printable_line_by_line_is_one_b2a_qp_call(text):
    data = b"".join(line + b"\r\n" for line in text.encode("utf-8").splitlines()) or b"\r\n"
    assert _body._qp(data) == _binascii.b2a_qp(data, quotetabs=False, istext=True, header=False)


def test_encode_body_is_unchanged_when_the_line_cache_is_cleared(monkeypatch):
    monkeypatch.setattr(_body, "_QP_CACHE_SIZE", 3)
    monkeypatch.setattr(_body, "_qp_lines", _body._QpLines())
    text = "".join(f"line {i} — grüße {'=' * (i % 3)}\n" for i in range(20)) * 3
    for _ in range(3):
        assert _body.encode_body(text.encode("utf-8")) == _old_encode_body(text)
    assert len(_body._qp_lines) <= 3


def test_mostly_ascii_body_is_never_base64_encoded(monkeypatch):
    calls = []
    monkeypatch.setattr(_body, "_b64", lambda data: calls.append(data))
    assert _body.encode_body("Viele Grüße aus Köln\n".encode())[0] == "quoted-printable"
    assert calls == []


def test_cjk_body_is_never_quoted_printable_encoded(monkeypatch):
    monkeypatch.setattr(_body, "_qp", lambda data: pytest.fail("quoted-printable computed"))
    assert _body.encode_body("山田太郎様、ご注文ありがとうございます".encode())[0] == "base64"


@settings(max_examples=200, deadline=None)
@given(data=st.binary(min_size=1, max_size=400))  # a body always ends in CRLF, so is never empty
def test_base64_lines_match_encodebytes(data):
    assert _body._b64(data) == _base64.encodebytes(data).replace(b"\n", b"\r\n")
