"""Mailgun webhooks: HMAC-SHA256 of timestamp + token under the seller's signing key; a token is used once."""
from __future__ import annotations

import hashlib
import hmac
from typing import Mapping

from crossborder_crm.feedback.events import (
    COMPLAINT,
    HARD,
    SOFT,
    Context,
    Feedback,
    Nonce,
    Opened,
    Unauthenticated,
    address,
    body_id,
    detail,
    json_body,
    message_id,
    need_object,
    unix_time,
)

SOURCE = "mailgun"
# The signature covers the timestamp and the token, not the body: a signature older than this is
# refused, and a token seen before carries nothing new.
TOLERANCE_SECONDS = 300


def sign(key: str, timestamp: str, token: str) -> str:
    """Mailgun's signature: hex HMAC-SHA256 of timestamp + token keyed with the webhook signing key."""
    return hmac.new(key.encode(), (timestamp + token).encode(), hashlib.sha256).hexdigest()


def _signature_fields(data: dict) -> tuple[str, str, str]:
    signed = data.get("signature")
    if not isinstance(signed, dict):
        raise Unauthenticated("webhook signature missing", {"signature": "missing"})
    stamp, token, signature = (str(signed.get(k) or "") for k in ("timestamp", "token", "signature"))
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12) or not 0 < len(token) <= 200 \
            or not token.isascii() or not signature:
        raise Unauthenticated("webhook signature missing or malformed", {"signature": "timestamp, token, signature"})
    return stamp, token, signature


def kind_of(event: dict) -> str | None:
    """failed/permanent → hard, failed/temporary → soft, complained → complaint; else None."""
    name = event.get("event")
    if name == "complained":
        return COMPLAINT
    if name != "failed":
        return None
    return HARD if event.get("severity") == "permanent" else SOFT if event.get("severity") == "temporary" else None


def open_delivery(body: bytes, headers: Mapping[str, str], credential: str, ctx: Context) -> Opened:
    """Verify the signature, then read the event; the token goes with it to be checked for freshness and reuse."""
    data = need_object(json_body(body), "body")
    stamp, token, signature = _signature_fields(data)
    if not hmac.compare_digest(sign(credential, stamp, token).encode(), signature.strip().encode("ascii", "replace")):
        raise Unauthenticated("webhook signature refused", {"signature": "does not match"})
    event = need_object(data.get("event-data"), "event-data")
    eid = str(event.get("id") or body_id(body))[:200]
    nonce = Nonce(token, unix_time(stamp), eid, TOLERANCE_SECONDS)
    kind = kind_of(event)
    recipient = address(event.get("recipient")) if kind else ""
    if not recipient:
        return Opened([], ignored=1, nonce=nonce)
    message = event.get("message") if isinstance(event.get("message"), dict) else {}
    found = message_id((message.get("headers") or {}).get("message-id")) if isinstance(message.get("headers"), dict) \
        else None
    status = event.get("delivery-status") if isinstance(event.get("delivery-status"), dict) else {}
    why = detail(event.get("severity"), event.get("reason"), status.get("code"),
                 status.get("description") or status.get("message"))
    return Opened([Feedback(eid, kind, recipient, unix_time(event.get("timestamp")), why, body,
                            (found,) if found else ())], nonce=nonce)
