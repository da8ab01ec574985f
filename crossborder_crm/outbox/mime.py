"""Build RFC 5322 messages for the outbox (and DKIM-sign them).

Pure functions: nothing here reads the clock, the network or the database.
The caller passes the ``Date`` and a ready-made ``Message-ID``.

* multipart/alternative (text/plain first, then text/html), UTF-8 bodies,
  transfer-encoded as quoted-printable or base64 (whichever the ``email``
  package finds shorter) so the output is 7-bit clean;
* headers RFC 2047 encoded (``policy.SMTP``, ``utf8=False``), CRLF line ends;
* control characters (CR, LF, NUL, U+2028, ...) in display names, subject
  and extra header values are replaced by spaces so no value can ever start
  a new header line;
* marketing mail gets ``List-Unsubscribe`` and, for an http(s) link,
  ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 8058);
* the MIME boundary is derived from a hash of the content, so building the
  same :class:`OutgoingEmail` twice yields the same bytes (without DKIM).
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email import policy as email_policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

import dkim as _dkimpy
from dkim.crypto import UnparsableKeyError, parse_pem_private_key

__all__ = [
    "DkimKey",
    "OutgoingEmail",
    "build_message",
    "make_message_id",
    "sanitize_header_text",
]


@dataclass(frozen=True)
class OutgoingEmail:
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


@dataclass(frozen=True)
class DkimKey:
    domain: str
    selector: str
    private_key_pem: bytes  # PKCS#1 ("RSA PRIVATE KEY") or PKCS#8 ("PRIVATE KEY")


# --------------------------------------------------------------------------
# Message-ID
# --------------------------------------------------------------------------

_DOMAIN_RE = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
_LOCAL_UNSAFE_RE = re.compile(r"[^A-Za-z0-9_-]+")


def _ascii_domain(domain: str) -> str:
    domain = domain.strip().rstrip(".")
    try:
        domain.encode("ascii")
    except UnicodeEncodeError:
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise ValueError(f"invalid domain: {domain!r}") from exc
    if not _DOMAIN_RE.match(domain):
        raise ValueError(f"invalid domain: {domain!r}")
    return domain.lower()


def make_message_id(seller_key: str, idempotency_key: str, domain: str) -> str:
    """Deterministic ``<{hash32}.{seller_key}@{domain}>``.

    The same (seller_key, idempotency_key, domain) always yields the same id,
    so a retried send carries the same Message-ID and receivers/our own
    bounce matching can de-duplicate.  Characters of ``seller_key`` that are
    not ``[A-Za-z0-9_-]`` are replaced by ``-`` in the visible part (the hash
    covers the original value).
    """
    if not seller_key:
        raise ValueError("seller_key must not be empty")
    if not idempotency_key:
        raise ValueError("idempotency_key must not be empty")
    host = _ascii_domain(domain)
    digest = hashlib.sha256(
        b"\x00".join(
            [
                b"crossborder-crm-message-id-v1",
                seller_key.encode("utf-8"),
                idempotency_key.encode("utf-8"),
                host.encode("ascii"),
            ]
        )
    ).hexdigest()[:32]
    label = _LOCAL_UNSAFE_RE.sub("-", seller_key).strip("-")[:40] or "s"
    return f"<{digest}.{label}@{host}>"


# --------------------------------------------------------------------------
# header hygiene
# --------------------------------------------------------------------------

# C0 controls (incl. TAB, CR, LF), DEL, C1 controls (incl. NEL) and the
# Unicode line/paragraph separators -- everything str.splitlines() breaks on.
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_SPACES_RE = re.compile(r" {2,}")


def sanitize_header_text(value: str) -> str:
    """Replace control characters (CR/LF/...) by single spaces and trim."""
    return _SPACES_RE.sub(" ", _CONTROL_RE.sub(" ", value)).strip()


_ADDR_FORBIDDEN_RE = re.compile("[\\s<>,;\x00-\x1f\x7f-\x9f\u2028\u2029\"]")


def _address(addr: str, display_name: str = "", *, what: str) -> Address:
    if not isinstance(addr, str):
        raise TypeError(f"{what} must be a str")
    addr = addr.strip()
    if not addr or _ADDR_FORBIDDEN_RE.search(addr) or addr.count("@") != 1:
        raise ValueError(f"invalid {what}: {addr!r}")
    local, _, domain = addr.partition("@")
    if not local:
        raise ValueError(f"invalid {what}: {addr!r}")
    try:
        local.encode("ascii")
    except UnicodeEncodeError as exc:  # would need SMTPUTF8 / utf8 headers
        raise ValueError(f"non-ASCII local part is not supported in {what}: {addr!r}") from exc
    return Address(
        display_name=sanitize_header_text(display_name or ""),
        username=local,
        domain=_ascii_domain(domain),
    )


_MSGID_RE = re.compile(r"^<[!-;=?-~]+@[!-;=?-~]+>$")  # printable ASCII minus <, >, @ inside parts


def _check_message_id(message_id: str) -> str:
    message_id = message_id.strip()
    if not _MSGID_RE.match(message_id) or message_id.count("@") != 1:
        raise ValueError(f"invalid Message-ID (expected '<id@domain>'): {message_id!r}")
    return message_id


_URI_FORBIDDEN_RE = re.compile("[\\s<>\"\x00-\x1f\x7f-\x9f\u2028\u2029]")
_MAX_URI = 900  # keep the header line well below the 998 octet hard limit


def _check_uri(uri: str, schemes: tuple[str, ...], what: str) -> str:
    uri = uri.strip()
    if (
        not uri
        or _URI_FORBIDDEN_RE.search(uri)
        or not uri.lower().startswith(schemes)
        or len(uri) > _MAX_URI
    ):
        raise ValueError(f"invalid {what}: {uri!r}")
    try:
        uri.encode("ascii")
    except UnicodeEncodeError as exc:
        raise ValueError(f"{what} must be ASCII (percent-encode it): {uri!r}") from exc
    return uri


_HEADER_NAME_RE = re.compile(r"^[!-9;-~]+$")  # RFC 5322 ftext
_RESERVED_HEADERS = frozenset(
    h.lower()
    for h in (
        "From", "To", "Cc", "Bcc", "Sender", "Reply-To", "Subject", "Date",
        "Message-ID", "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
        "Content-Disposition", "List-Unsubscribe", "List-Unsubscribe-Post",
        "DKIM-Signature", "Return-Path", "Received",
    )
)

# Headers whose value must never be RFC 2047-encoded or folded inside a URI.
_VERBATIM_HEADERS = frozenset({"list-unsubscribe"})


class _Policy(email_policy.EmailPolicy):
    """policy.SMTP (CRLF, 78 columns) that never mangles List-Unsubscribe.

    The stock folder turns a long URI with no whitespace into a chain of
    encoded-words, which mail clients then cannot use.  We emit that header
    verbatim, folded only between its ``<uri>`` items.
    """

    def _fold(self, name, value, refold_binary=False):  # type: ignore[override]
        if name.lower() in _VERBATIM_HEADERS:
            text = str(value)
            if len(name) + 2 + len(text) > self.max_line_length:
                # fold only between the "<uri>" items, never inside one
                text = ("," + self.linesep + " ").join(text.split(", "))
            return f"{name}: {text}{self.linesep}"
        return super()._fold(name, value, refold_binary=refold_binary)


# 7bit: the content manager picks quoted-printable or base64 for UTF-8 text
# (never raw 8bit), so the message is safe for any relay.
_POLICY = _Policy(linesep="\r\n", cte_type="7bit", utf8=False, max_line_length=78)


# --------------------------------------------------------------------------
# building
# --------------------------------------------------------------------------


def _boundary(email: OutgoingEmail) -> str:
    h = hashlib.sha256()
    for part in (email.message_id, email.text, email.html):
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    # "=_" can never occur in quoted-printable or base64 output, and the
    # hash of the bodies cannot practically appear inside those bodies.
    return "=_crm_" + h.hexdigest()[:40]


def _build_unsigned(email: OutgoingEmail) -> EmailMessage:
    if not isinstance(email.date, datetime):
        raise TypeError("date must be a datetime")
    if email.date.tzinfo is None or email.date.utcoffset() is None:
        raise ValueError("date must be timezone-aware")

    msg = EmailMessage(policy=_POLICY)
    msg["Date"] = format_datetime(email.date)
    msg["From"] = _address(email.from_addr, email.from_name, what="from_addr")
    msg["To"] = _address(email.to_addr, email.to_name, what="to_addr")
    if email.reply_to:
        msg["Reply-To"] = _address(email.reply_to, what="reply_to")
    msg["Subject"] = sanitize_header_text(email.subject or "")
    msg["Message-ID"] = _check_message_id(email.message_id)

    uris = []
    if email.list_unsubscribe_url:
        uris.append(_check_uri(email.list_unsubscribe_url, ("https://", "http://"), "list_unsubscribe_url"))
    if email.list_unsubscribe_mailto:
        uris.append(_check_uri(email.list_unsubscribe_mailto, ("mailto:",), "list_unsubscribe_mailto"))
    if uris:
        # folded between the URIs only (see _Policy)
        msg["List-Unsubscribe"] = ", ".join(f"<{u}>" for u in uris)
        if email.list_unsubscribe_url:
            msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"

    seen: set[str] = set()
    for item in email.headers:
        name, value = item
        if not isinstance(name, str) or not _HEADER_NAME_RE.match(name):
            raise ValueError(f"invalid header name: {name!r}")
        lname = name.lower()
        if lname in _RESERVED_HEADERS:
            raise ValueError(f"header {name!r} is set by build_message and cannot be overridden")
        if lname in seen:
            raise ValueError(f"duplicate extra header: {name!r}")
        seen.add(lname)
        msg[name] = sanitize_header_text(str(value))

    text = email.text or ""
    html = email.html or ""
    msg.set_content(text, subtype="plain", charset="utf-8")
    if html:
        msg.add_alternative(html, subtype="html", charset="utf-8")
        for part in msg.iter_parts():
            # add_alternative() leaves a MIME-Version header on sub-parts
            del part["MIME-Version"]
        msg.set_boundary(_boundary(email))
    return msg


# --------------------------------------------------------------------------
# DKIM
# --------------------------------------------------------------------------

_SELECTOR_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9_-]{0,62}))*$")

# Signed in this order when present; the second group is signed once more
# ("over-signed") so that adding another instance later breaks the signature.
_DKIM_SIGN = (
    "from", "to", "reply-to", "subject", "date", "message-id", "mime-version",
    "content-type", "list-unsubscribe", "list-unsubscribe-post",
)
_DKIM_OVERSIGN = (
    "from", "to", "reply-to", "subject", "date", "message-id",
    "list-unsubscribe", "list-unsubscribe-post",
)


def _der_read(data: bytes, pos: int) -> tuple[int, int, int]:
    """Return (tag, content_start, content_end) of the DER TLV at ``pos``."""
    tag = data[pos]
    length = data[pos + 1]
    pos += 2
    if length & 0x80:
        n = length & 0x7F
        if n == 0 or n > 4:
            raise ValueError("unsupported DER length")
        length = int.from_bytes(data[pos:pos + n], "big")
        pos += n
    end = pos + length
    if end > len(data):
        raise ValueError("truncated DER")
    return tag, pos, end


_RSA_OID = bytes.fromhex("06092a864886f70d010101")  # 1.2.840.113549.1.1.1


def _pkcs8_to_pkcs1(der: bytes) -> bytes:
    tag, start, end = _der_read(der, 0)  # PrivateKeyInfo SEQUENCE
    if tag != 0x30:
        raise ValueError("not a PKCS#8 structure")
    tag, s, e = _der_read(der, start)  # version INTEGER
    if tag != 0x02:
        raise ValueError("not a PKCS#8 structure")
    tag, s2, e2 = _der_read(der, e)  # AlgorithmIdentifier SEQUENCE
    if tag != 0x30 or _RSA_OID not in der[s2:e2]:
        raise ValueError("PKCS#8 key is not an RSA key")
    tag, s3, e3 = _der_read(der, e2)  # privateKey OCTET STRING
    if tag != 0x04:
        raise ValueError("not a PKCS#8 structure")
    return der[s3:e3]


def _pkcs1_pem(private_key_pem: bytes) -> bytes:
    if isinstance(private_key_pem, str):
        private_key_pem = private_key_pem.encode("ascii")
    pem = private_key_pem.replace(b"\r\n", b"\n").strip()
    m = re.search(rb"-----BEGIN ([A-Z ]+)-----\n(.*?)\n-----END \1-----", pem, re.DOTALL)
    if not m:
        raise ValueError("DKIM private key is not a PEM block")
    kind = m.group(1)
    if kind == b"RSA PRIVATE KEY":
        out = b"-----BEGIN RSA PRIVATE KEY-----\n" + m.group(2) + b"\n-----END RSA PRIVATE KEY-----\n"
    elif kind == b"PRIVATE KEY":
        der = base64.b64decode(b"".join(m.group(2).split()))
        body = base64.encodebytes(_pkcs8_to_pkcs1(der))
        out = b"-----BEGIN RSA PRIVATE KEY-----\n" + body + b"-----END RSA PRIVATE KEY-----\n"
    else:
        raise ValueError(f"unsupported DKIM private key type: {kind.decode('ascii', 'replace')}")
    try:
        parse_pem_private_key(out)
    except (UnparsableKeyError, ValueError, IndexError) as exc:
        raise ValueError(f"unparsable DKIM private key: {exc}") from exc
    return out


def validate_dkim_key(private_key_pem: bytes | str) -> None:
    """Raise ValueError unless the PEM is an RSA private key dkimpy can sign with."""
    _pkcs1_pem(private_key_pem)


def _dkim_sign(raw: bytes, msg: EmailMessage, key: DkimKey) -> bytes:
    domain = _ascii_domain(key.domain)
    if not _SELECTOR_RE.match(key.selector or ""):
        raise ValueError(f"invalid DKIM selector: {key.selector!r}")
    present = {k.lower() for k in msg.keys()}
    include = [h for h in _DKIM_SIGN if h in present]
    include += list(_DKIM_OVERSIGN)
    signature = _dkimpy.sign(
        raw,
        key.selector.encode("ascii"),
        domain.encode("ascii"),
        _pkcs1_pem(key.private_key_pem),
        canonicalize=(b"relaxed", b"relaxed"),
        signature_algorithm=b"rsa-sha256",
        include_headers=[h.encode("ascii") for h in include],
        linesep=b"\r\n",
    )
    return signature + raw


def build_message(email: OutgoingEmail, dkim: DkimKey | None = None) -> bytes:
    """Return the RFC 5322 message as bytes with CRLF line endings."""
    msg = _build_unsigned(email)
    raw = msg.as_bytes(policy=_POLICY)
    if dkim is not None:
        raw = _dkim_sign(raw, msg, dkim)
    return raw
