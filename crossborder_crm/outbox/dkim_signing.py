"""DKIM-sign an RFC 5322 message (RFC 6376, relaxed/relaxed) through OpenSSL (`cryptography`).

RSA keys sign rsa-sha256; Ed25519 keys sign ed25519-sha256 (RFC 8463). A key's PEM is parsed once
per fingerprint and kept (bounded), so a seller's key costs one parse, and a rotated key, having
another fingerprint, is parsed afresh.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import re
from collections import OrderedDict
from dataclasses import dataclass, field

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

__all__ = ["DkimKey", "dkim_sign", "validate_dkim_key"]

MIN_RSA_BITS = 1024  # what verifiers (dkimpy, OpenDKIM) still accept; 2048 is the advice


@dataclass(frozen=True)
class DkimKey:
    domain: str
    selector: str
    # PKCS#1 ("RSA PRIVATE KEY") or PKCS#8 ("PRIVATE KEY"); kept out of repr so no log or traceback shows it
    private_key_pem: bytes = field(repr=False)

    @functools.cached_property
    def fingerprint(self) -> bytes:
        """SHA-256 of the PEM: names the parsed key in the cache without keeping the text as the key."""
        pem = self.private_key_pem
        return hashlib.sha256(pem.encode("ascii") if isinstance(pem, str) else pem).digest()


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

_WSP = re.compile(rb"[ \t]+")
_WSP_EOL = re.compile(rb"[ \t]+\r\n")
_FIELD_START = re.compile(rb"\r\n(?![ \t])")
_LINE = 78


def _load(private_key_pem: bytes | str):
    if isinstance(private_key_pem, str):
        private_key_pem = private_key_pem.encode("ascii", "replace")
    try:
        key = serialization.load_pem_private_key(private_key_pem.strip() + b"\n", password=None)
    except TypeError:
        raise ValueError("the DKIM private key is encrypted with a passphrase; store it without one") from None
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise ValueError(f"unparsable DKIM private key (expected a PEM RSA or Ed25519 private key): {exc}") from None
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < MIN_RSA_BITS:
            raise ValueError(f"the DKIM RSA key has {key.key_size} bits; verifiers need at least {MIN_RSA_BITS}")
        return key
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key
    raise ValueError("unsupported DKIM private key type: use RSA (rsa-sha256) or Ed25519 (ed25519-sha256)")


_CACHE_SIZE = 256
_parsed: OrderedDict[bytes, object] = OrderedDict()  # fingerprint -> parsed key, least recently used first


def _key_of(key: DkimKey):
    """The parsed private key, from the cache when this PEM was seen before."""
    fingerprint = key.fingerprint
    private = _parsed.get(fingerprint)
    if private is None:
        private = _parsed[fingerprint] = _load(key.private_key_pem)
        while len(_parsed) > _CACHE_SIZE:
            _parsed.popitem(last=False)
    else:
        _parsed.move_to_end(fingerprint)
    return private


def validate_dkim_key(private_key_pem: bytes | str) -> None:
    """Raise ValueError unless the PEM is an RSA (>= 1024 bits) or Ed25519 private key."""
    _load(private_key_pem)


def _relaxed_header(field_bytes: bytes) -> bytes:
    """RFC 6376 3.4.2: lower-case name, unfolded value with runs of WSP as one space, trimmed."""
    name, _, value = field_bytes.partition(b":")
    value = _WSP.sub(b" ", value.replace(b"\r\n", b"")).strip(b" ")
    return name.rstrip(b" \t").lower() + b":" + value


def _relaxed_body(body: bytes) -> bytes:
    """RFC 6376 3.4.4: no WSP at line ends, runs of WSP as one space, no empty lines at the end."""
    if body and not body.endswith(b"\r\n"):
        body += b"\r\n"
    body = _WSP.sub(b" ", _WSP_EOL.sub(b"\r\n", body))
    body = body.rstrip(b"\r\n")
    return body + b"\r\n" if body else b""


def _split(raw: bytes) -> tuple[list[bytes], bytes]:
    """(header fields as written, each without its final CRLF; body)."""
    end = raw.find(b"\r\n\r\n")
    if end < 0:
        return _FIELD_START.split(raw.removesuffix(b"\r\n")) if raw else [], b""
    return _FIELD_START.split(raw[:end]), raw[end + 4:]


def _selected(fields: list[bytes], names: list[str]) -> list[bytes]:
    """RFC 6376 5.4.2: for each name in h=, the last instance not yet used (none: nothing)."""
    by_name: dict[bytes, list[bytes]] = {}
    for f in fields:
        by_name.setdefault(f.partition(b":")[0].rstrip(b" \t").lower(), []).append(f)
    chosen = []
    for name in names:
        instances = by_name.get(name.encode("ascii"))
        if instances:
            chosen.append(instances.pop())
    return chosen


def _fold(tags: list[str]) -> str:
    """Tags joined by "; ", folded (CRLF + space) where a line would pass 78 columns: before a tag,
    or in the h= list after a colon (RFC 6376 allows FWS there)."""
    pieces = []
    for i, tag in enumerate(tags):
        names = tag.split(":") if tag.startswith("h=") else [tag]
        pieces += [n + ":" for n in names[:-1]] + [names[-1] + (";" if i < len(tags) - 1 else "")]
    line, lines, glue = "DKIM-Signature:", [], " "
    for piece in pieces:
        if len(line) + len(glue) + len(piece) > _LINE and line.strip() != "DKIM-Signature:":
            lines.append(line)
            line = " " + piece
        else:
            line += glue + piece
        glue = "" if piece.endswith(":") else " "
    lines.append(line)
    return "\r\n".join(lines)


def dkim_sign(raw: bytes, present: frozenset[str], key: DkimKey, domain: str,
              timestamp: int | None = None) -> bytes:
    """Prepend the DKIM-Signature over the `present` headers; `domain` is the key's ASCII domain,
    `timestamp` the signing time (t=, seconds since the epoch; None: no t= tag)."""
    if not _SELECTOR_RE.match(key.selector or ""):
        raise ValueError(f"invalid DKIM selector: {key.selector!r}")
    private = _key_of(key)
    include = [h for h in _DKIM_SIGN if h in present] + list(_DKIM_OVERSIGN)
    fields, body = _split(raw)
    body_hash = base64.b64encode(hashlib.sha256(_relaxed_body(body)).digest()).decode("ascii")
    algorithm = "ed25519-sha256" if isinstance(private, ed25519.Ed25519PrivateKey) else "rsa-sha256"
    tags = ["v=1", f"a={algorithm}", "c=relaxed/relaxed", f"d={domain}", f"s={key.selector}"]
    if timestamp is not None:
        tags.append(f"t={int(timestamp)}")
    tags += [f"h={':'.join(include)}", f"bh={body_hash}", "b="]
    unsigned = _fold(tags)
    signed_data = b"".join(_relaxed_header(f) + b"\r\n" for f in _selected(fields, include))
    # The signature's own field is hashed last, with b= empty and without its CRLF.
    signed_data += _relaxed_header(unsigned.encode("ascii"))
    if algorithm == "rsa-sha256":
        signature = private.sign(signed_data, padding.PKCS1v15(), hashes.SHA256())
    else:  # RFC 8463: Ed25519 signs the SHA-256 hash of the data
        signature = private.sign(hashlib.sha256(signed_data).digest())
    b64 = base64.b64encode(signature).decode("ascii")
    room = max(0, _LINE - len(unsigned.rpartition("\r\n")[2]))
    rest = b64[room:]
    lines = [unsigned + b64[:room]] + [" " + rest[i:i + _LINE - 1] for i in range(0, len(rest), _LINE - 1)]
    return "\r\n".join(lines).encode("ascii") + b"\r\n" + raw
