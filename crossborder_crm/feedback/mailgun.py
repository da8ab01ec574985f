"""Mailgun webhooks: HMAC-SHA256 of timestamp + token under the seller's signing key; a token is used once.

Failures, complaints and unsubscribes are acted on; other events (delivered, opened…) are counted as ignored.
"""
from __future__ import annotations

import hashlib
import hmac
from typing import Mapping

from crossborder_crm.feedback.events import (
    COMPLAINT,
    HARD,
    SOFT,
    UNSUBSCRIBE,
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
# Mailgun retries a delivery not answered 200 (or 406) for 8 hours, after 5, 10, 15 minutes, 1, 2 and
# 4 hours (its "Automatic Retries" page), and a retry carries the first attempt's signature block,
# timestamp included (Mailgun's pages do not say; Hookdeck's Mailgun reference does). A 5-minute window
# refused every retry after an outage with 401 and the event, an unsubscribe too, was lost for good.
# So a signature is honoured for the retry span plus a margin for delays on Mailgun's side ("don't be
# too aggressive with this check", its "Securing Webhooks" page); were retries re-signed, nothing would
# change. The signature covers the timestamp and the token, not the body: what stops a replay inside
# the window is the token, accepted once (service._check_nonce): a duplicate with its own event, a 401
# with another. A timestamp ahead of our clock gets only the clock-skew allowance.
RETRY_SPAN_SECONDS = 8 * 3600
TOLERANCE_SECONDS = RETRY_SPAN_SECONDS + 30 * 60


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
    """failed/permanent → hard, failed/temporary → soft, complained → complaint, unsubscribed → unsubscribe;
    else None."""
    name = event.get("event")
    if name == "complained":
        return COMPLAINT
    if name == "unsubscribed":  # from all mail, a tag or a list: to us it says "no more marketing"
        return UNSUBSCRIBE
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
                 status.get("description") or status.get("message")) or detail(event.get("event"))
    return Opened([Feedback(eid, kind, recipient, unix_time(event.get("timestamp")), why, body,
                            (found,) if found else ())], nonce=nonce)
