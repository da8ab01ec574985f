"""Build RFC 5322 messages for the outbox (and DKIM-sign them).

Pure functions: nothing here reads the clock, the network or the database.
The caller passes the ``Date`` and a ready-made ``Message-ID``
(:func:`make_message_id`).

* the message bytes are assembled directly (no ``email.message`` round
  trip -- that cost ~1.6 ms per message); the output is still parsed back
  in the tests by the ``email`` package and compared with the old builder;
* an address with a non-ASCII local part is written as UTF-8 in its header
  (RFC 6532; such a message needs a relay offering SMTPUTF8), everything
  else in the head stays ASCII;
* multipart/alternative (text/plain first, then text/html), UTF-8 bodies
  (see :mod:`.mime_body`), header lines from :mod:`.mime_headers`;
* marketing mail gets ``List-Unsubscribe`` and, for an http(s) link,
  ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058);
* the MIME boundary is derived from a hash of the Message-ID (and of any 7bit
  body, the only kind that could contain it), so building the
  same :class:`OutgoingEmail` twice yields the same bytes (without DKIM).
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from crossborder_crm.outbox.dkim_signing import DkimKey, dkim_sign, validate_dkim_key
from crossborder_crm.outbox.message_id import ascii_domain, check_message_id, make_message_id
from crossborder_crm.outbox.mime_body import encode_body, part_head
from crossborder_crm.outbox.mime_headers import (
    HEADER_NAME_RE,
    RESERVED_HEADERS,
    addr_spec,
    address_header,
    check_uri,
    list_unsubscribe_header,
    sanitize_header_text,
    sender_header,
    unstructured_header,
)

# DkimKey, make_message_id, sanitize_header_text and validate_dkim_key are defined elsewhere and
# stay importable from here, where callers have always found them.
__all__ = [
    "DkimKey",
    "OutgoingEmail",
    "boundary",
    "build_message",
    "make_message_id",
    "sanitize_header_text",
    "validate_dkim_key",
]


@dataclass(frozen=True)
class OutgoingEmail:
    """One message to build: addresses, subject, both bodies and the headers around them."""

    from_addr: str
    from_name: str
    to_addr: str
    to_name: str
    subject: str
    text: str
    html: str
    message_id: str  # already in "<...@domain>" form
    date: datetime  # timezone-aware
    reply_to: str | None = None
    list_unsubscribe_url: str | None = None  # marketing only
    list_unsubscribe_mailto: str | None = None  # marketing only
    headers: tuple[tuple[str, str], ...] = ()  # extra, e.g. ("X-CRM-Message", "123")


# --------------------------------------------------------------------------
# building
# --------------------------------------------------------------------------


def boundary(email: OutgoingEmail) -> str:
    """The MIME boundary build_message gives ``email`` (when it has an HTML part)."""
    text, html = (email.text or "").encode("utf-8"), (email.html or "").encode("utf-8")
    return _boundary_of(email.message_id, (text, encode_body(text)[0]), (html, encode_body(html)[0]))


def _boundary_of(message_id: str, *parts: tuple[bytes, str]) -> str:
    """Boundary from the Message-ID and each (UTF-8 body, Content-Transfer-Encoding)."""
    # "=_" can never occur in quoted-printable or base64 output, so only a 7bit body could
    # contain the boundary: such a body is hashed in (nobody can write a body containing the
    # hash of itself), an encoded one need not be (hashing it cost more than the headers).
    h = hashlib.sha256("\x00".join([message_id] + [cte for _, cte in parts]).encode("utf-8", "surrogatepass"))
    for body, cte in parts:
        if cte == "7bit":  # never holds a NUL, so NUL separates unambiguously
            h.update(b"\x00" + body)
    return "=_crm_" + h.hexdigest()[:40]


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@functools.lru_cache(maxsize=64)
def _zone(offset: timedelta) -> str:
    """``strftime("%z")`` for a UTC offset ("+0200"; seconds only when it has them)."""
    return datetime(2000, 1, 1, tzinfo=timezone(offset)).strftime("%z")


def _date(dt: datetime, offset: timedelta) -> str:
    """``email.utils.format_datetime(dt)`` for an aware datetime and its UTC offset."""
    return "%s, %02d %s %04d %02d:%02d:%02d %s" % (
        _DAYS[dt.weekday()], dt.day, _MONTHS[dt.month - 1], dt.year, dt.hour, dt.minute, dt.second,
        _zone(offset))


def _build_unsigned(email: OutgoingEmail) -> tuple[bytes, frozenset[str]]:
    """Return (message bytes, lower-cased names of the top-level headers)."""
    if not isinstance(email.date, datetime):
        raise TypeError("date must be a datetime")
    offset = None if email.date.tzinfo is None else email.date.utcoffset()
    if offset is None:
        raise ValueError("date must be timezone-aware")

    present = {"date", "from", "to", "subject", "message-id", "mime-version", "content-type"}
    head = [
        "Date: " + _date(email.date, offset) + "\r\n",
        sender_header("From", email.from_addr, email.from_name, "from_addr"),
        address_header("To", addr_spec(email.to_addr, what="to_addr"), email.to_name),
    ]
    if email.reply_to:
        head.append(sender_header("Reply-To", email.reply_to, "", "reply_to"))
        present.add("reply-to")
    head.append(unstructured_header("Subject", sanitize_header_text(email.subject or "")))
    head.append("Message-ID: " + check_message_id(email.message_id) + "\r\n")

    uris = []
    if email.list_unsubscribe_url:
        uris.append(check_uri(email.list_unsubscribe_url, ("https://", "http://"), "list_unsubscribe_url"))
    if email.list_unsubscribe_mailto:
        uris.append(check_uri(email.list_unsubscribe_mailto, ("mailto:",), "list_unsubscribe_mailto"))
    if uris:
        head.append(list_unsubscribe_header(uris))
        present.add("list-unsubscribe")
        if email.list_unsubscribe_url:
            head.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n")
            present.add("list-unsubscribe-post")

    seen: set[str] = set()
    for item in email.headers:
        name, value = item
        if not isinstance(name, str) or not HEADER_NAME_RE.match(name):
            raise ValueError(f"invalid header name: {name!r}")
        lname = name.lower()
        if lname in RESERVED_HEADERS:
            raise ValueError(f"header {name!r} is set by build_message and cannot be overridden")
        if lname in seen:
            raise ValueError(f"duplicate extra header: {name!r}")
        seen.add(lname)
        head.append(unstructured_header(name, sanitize_header_text(str(value))))
    present |= seen

    head.append("MIME-Version: 1.0\r\n")
    text = (email.text or "").encode("utf-8")
    html = (email.html or "").encode("utf-8")
    text_cte, text_body = encode_body(text)
    if not html:
        return (
            "".join(head).encode("utf-8") + part_head("plain", text_cte) + text_body,
            frozenset(present),
        )
    html_cte, html_body = encode_body(html)
    mark = _boundary_of(email.message_id, (text, text_cte), (html, html_cte))
    head.append(f'Content-Type: multipart/alternative;\r\n boundary="{mark}"\r\n\r\n')
    delim = f"--{mark}\r\n".encode("ascii")
    raw = b"".join(
        (
            "".join(head).encode("utf-8"),
            delim,
            part_head("plain", text_cte),
            text_body,
            b"\r\n",
            delim,
            part_head("html", html_cte),
            html_body,
            f"\r\n--{mark}--\r\n".encode("ascii"),
        )
    )
    return raw, frozenset(present)


def build_message(email: OutgoingEmail, dkim: DkimKey | None = None) -> bytes:
    """Return the RFC 5322 message as bytes with CRLF line endings."""
    raw, present = _build_unsigned(email)
    if dkim is not None:
        raw = dkim_sign(raw, present, dkim, ascii_domain(dkim.domain), int(email.date.timestamp()))
    return raw
