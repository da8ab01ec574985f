"""DKIM-sign an RFC 5322 message (relaxed/relaxed, rsa-sha256) with the seller's key (dkimpy)."""
from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field

import dkim as _dkimpy
from dkim.crypto import UnparsableKeyError, parse_pem_private_key

__all__ = ["DkimKey", "dkim_sign", "validate_dkim_key"]


@dataclass(frozen=True)
class DkimKey:
    domain: str
    selector: str
    # PKCS#1 ("RSA PRIVATE KEY") or PKCS#8 ("PRIVATE KEY"); kept out of repr so no log or traceback shows it
    private_key_pem: bytes = field(repr=False)



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


def dkim_sign(raw: bytes, present: frozenset[str], key: DkimKey, domain: str) -> bytes:
    """Prepend the DKIM-Signature over the `present` headers; `domain` is the key's ASCII domain."""
    if not _SELECTOR_RE.match(key.selector or ""):
        raise ValueError(f"invalid DKIM selector: {key.selector!r}")
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
