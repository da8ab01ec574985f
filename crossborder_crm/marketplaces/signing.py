"""Webhook signatures: each computed over the raw bytes received, compared in constant time."""
from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime

from crossborder_crm.marketplaces.payload import same_digest

# A generic delivery signed longer ago (or further ahead) than this is refused: a captured
# request cannot be replayed later.
GENERIC_TOLERANCE_SECONDS = 300


def base64_hmac(secret: str, body: bytes) -> str:
    """base64(HMAC-SHA256(secret, body)): how Shopify, WooCommerce and AfterShip sign."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode("ascii")


def verify_base64_hmac(secret: str, body: bytes, header: str | None) -> bool:
    """True if the header carries the base64 HMAC-SHA256 of exactly these bytes."""
    return same_digest(base64_hmac(secret, body).encode("ascii"), header)


def sign_generic(secret: str, body: bytes, unix_time: int) -> str:
    """The `X-CRM-Signature` value: `t=<unix>,v1=<hex HMAC-SHA256 of "<unix>." + body>`."""
    mac = hmac.new(secret.encode(), str(unix_time).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={unix_time},v1={mac}"


def verify_generic(secret: str, body: bytes, header: str | None, now: datetime) -> bool:
    """True if a `v1` signature matches and `t` lies within GENERIC_TOLERANCE_SECONDS of now."""
    parts: dict[str, list[str]] = {}
    for piece in (header or "").split(","):
        key, _, value = piece.strip().partition("=")
        parts.setdefault(key, []).append(value)
    stamps = parts.get("t", [])
    if len(stamps) != 1 or not stamps[0].isascii() or not stamps[0].isdigit() or len(stamps[0]) > 12:
        return False
    t = int(stamps[0])
    if abs(now.timestamp() - t) > GENERIC_TOLERANCE_SECONDS:
        return False
    expected = sign_generic(secret, body, t).split("v1=", 1)[1].encode("ascii")
    # Several v1 values are allowed so a sender can sign with the old and new secret while rotating.
    return any(same_digest(expected, given) for given in parts.get("v1", []))
