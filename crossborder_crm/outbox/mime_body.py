"""Encode a text body for a 7-bit clean MIME part: 7bit, quoted-printable or base64.

Pure functions over bytes; the shorter encoding is chosen without computing both.
"""
from __future__ import annotations

import binascii
import functools

__all__ = ["encode_body", "part_head"]

_MAX_LINE = 78  # RFC 5322 "SHOULD" limit; a longer ASCII line is encoded
# Bytes b2a_qp writes as they are (text mode, tabs and spaces unquoted); every other byte
# becomes a three-character "=XX".
_QP_LITERAL = bytes(b for b in range(33, 127) if b != 0x3D) + b"\t \r\n"
_QP_CACHED_LINE = 256  # longer lines are mostly the seller's own text: rarely repeated
_B64_LINE = 76  # what base64.encodebytes writes (57 input bytes per line)


def _crlf_body(data: bytes) -> bytes:
    """UTF-8 body with CR, LF and CRLF all turned into CRLF, ending in CRLF."""
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    if not data.endswith(b"\n"):
        data += b"\n"
    return data.replace(b"\n", b"\r\n")


class _QpLines(dict):
    """Quoted-printable of single CRLF-terminated lines, remembered for the short ones."""

    def __missing__(self, line: bytes) -> bytes:
        encoded = binascii.b2a_qp(line, quotetabs=False, istext=True, header=False)
        if len(line) <= _QP_CACHED_LINE:
            if len(self) >= _QP_CACHE_SIZE:
                self.clear()  # atomic, unlike evicting one by one; the hot lines return at once
            self[line] = encoded
        return encoded


_QP_CACHE_SIZE = 4096
_qp_lines = _QpLines()


def _qp(data: bytes) -> bytes:
    """Quoted-printable of a CRLF body, exactly as one b2a_qp call would write it."""
    # b2a_qp's escapes and soft breaks depend only on the current line (each line keeps its CRLF,
    # which also makes b2a_qp use CRLF soft breaks), and the template lines of the HTML frame and
    # the footer repeat in every message: encoded line by line, they come from the cache.
    return b"".join(map(_qp_lines.__getitem__, data.splitlines(keepends=True)))


def _b64(data: bytes) -> bytes:
    """Base64 in CRLF-terminated 76-column lines, as base64.encodebytes lays it out."""
    flat = binascii.b2a_base64(data, newline=False)
    return b"\r\n".join([flat[i:i + _B64_LINE] for i in range(0, len(flat), _B64_LINE)]) + b"\r\n"


def _b64_len(n: int) -> int:
    return (n + 2) // 3 * 4 + 2 * ((n + 56) // 57)


def encode_body(utf8: bytes) -> tuple[str, bytes]:
    """(Content-Transfer-Encoding, CRLF-terminated 7-bit body) for a UTF-8 body."""
    data = _crlf_body(utf8)
    if data.isascii() and b"\x00" not in data and max(map(len, data.split(b"\r\n"))) <= _MAX_LINE:
        return "7bit", data
    # The shorter of quoted-printable and base64, encoding only the winner: base64's length is
    # known up front, and every escaped byte costs quoted-printable two extra characters.
    b64_len = _b64_len(len(data))
    if len(data) + 2 * len(data.translate(None, _QP_LITERAL)) > b64_len:
        return "base64", _b64(data)
    qp = _qp(data)
    if b64_len < len(qp):
        return "base64", _b64(data)
    return "quoted-printable", qp


@functools.lru_cache(maxsize=16)
def part_head(subtype: str, cte: str) -> bytes:
    """The Content-Type and Content-Transfer-Encoding lines of a UTF-8 text part."""
    return (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        f"Content-Transfer-Encoding: {cte}\r\n\r\n"
    ).encode("ascii")
