"""Body encoding: encode_body must choose and write exactly what encoding the whole body both ways did."""
from __future__ import annotations

import base64 as _base64
import binascii as _binascii

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from crossborder_crm.outbox.mime_body import encode_body


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
    assert encode_body(text.encode("utf-8")) == _old_encode_body(text)


def _crlf(text: str) -> bytes:
    """The body as encode_body sees it: CR, LF and CRLF all CRLF, ending in CRLF."""
    return b"".join(line + b"\r\n" for line in text.encode("utf-8").splitlines()) or b"\r\n"


# mostly ASCII with at least one other character: quoted-printable usually wins
_mostly_ascii = st.tuples(_qp_body, st.sampled_from(["é", "—", "ß", "\x00"])).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=_mostly_ascii)
def test_quoted_printable_line_by_line_is_one_b2a_qp_call(text):
    cte, body = encode_body(text.encode("utf-8"))
    assume(cte == "quoted-printable")
    data = _crlf(text)
    assert body == _binascii.b2a_qp(data, quotetabs=False, istext=True, header=False)


def test_encode_body_is_unchanged_when_the_line_cache_is_cleared():
    # more distinct short lines than the line cache holds, each body encoded again after the
    # cache has been emptied to make room: every result stays what encoding the whole body gives
    bodies = ["".join(f"order {i}.{j}: your parcel is on its way, Grüße {'=' * (j % 3)}\n" for j in range(4))
              for i in range(3000)]
    first = [encode_body(text.encode("utf-8")) for text in bodies]
    for text, result in zip(bodies, first):
        assert result == _old_encode_body(text)
        assert result[0] == "quoted-printable"  # the cached encoding
    assert [encode_body(text.encode("utf-8")) for text in bodies] == first


def test_mostly_ascii_body_is_quoted_printable_encoded():
    data = "Viele Grüße aus Köln\n".encode()
    qp = _binascii.b2a_qp(data.replace(b"\n", b"\r\n"), quotetabs=False, istext=True, header=False)
    assert encode_body(data) == ("quoted-printable", qp)


def test_cjk_body_is_base64_encoded():
    data = "山田太郎様、ご注文ありがとうございます".encode() + b"\r\n"
    assert encode_body(data) == ("base64", _base64.encodebytes(data).replace(b"\n", b"\r\n"))


@settings(max_examples=200, deadline=None)
@given(text=st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=4, max_size=300),
       breaks=st.lists(st.integers(min_value=0, max_value=300), max_size=3))
def test_base64_lines_match_encodebytes(text, breaks):
    for at in sorted(breaks, reverse=True):  # a few line breaks: still far shorter in base64
        text = text[:at] + "\n" + text[at:]
    data = _crlf(text)
    assert encode_body(text.encode("utf-8")) == ("base64", _base64.encodebytes(data).replace(b"\n", b"\r\n"))
