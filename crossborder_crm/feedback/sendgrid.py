"""SendGrid's Event Webhook: ECDSA-signed batches; bounces, blocks, spam reports and unsubscribes are acted on."""
from __future__ import annotations

import base64
import binascii
import json
from typing import Mapping

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from crossborder_crm.errors import Malformed
from crossborder_crm.feedback.events import (
    COMPLAINT,
    HARD,
    SOFT,
    UNSUBSCRIBE,
    Context,
    Feedback,
    Opened,
    Unauthenticated,
    address,
    body_id,
    crm_message,
    detail,
    json_body,
    message_id,
    unix_time,
)

SOURCE = "sendgrid"
SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp"
# An unsubscribe from one of the seller's SendGrid groups (asm_group_id) still says "no more marketing".
# group_resubscribe is not acted on: only our preference page lifts an unsubscribe, so a provider's
# event can never put an address back on the marketing list.
UNSUBSCRIBES = frozenset({"unsubscribe", "group_unsubscribe"})


def load_public_key(text: str) -> ec.EllipticCurvePublicKey:
    """The verification key as SendGrid shows it (base64 DER) or as PEM; ValueError says what is wrong."""
    text = (text or "").strip()
    if "PRIVATE KEY" in text:
        raise ValueError("this is a private key: paste the public verification key")
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_public_key(text.encode("ascii"))
        else:
            key = serialization.load_der_public_key(base64.b64decode("".join(text.split()), validate=True))
    except (ValueError, binascii.Error, UnicodeEncodeError, UnsupportedAlgorithm):
        raise ValueError("not a public key (base64 DER or PEM)") from None
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise ValueError("not an elliptic-curve (ECDSA) public key")
    return key


def stored_key(text: str) -> str:
    """The key as stored: PEM SubjectPublicKeyInfo, whatever way it was pasted."""
    return load_public_key(text).public_bytes(serialization.Encoding.PEM,
                                              serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def verify(body: bytes, headers: Mapping[str, str], key_text: str) -> None:
    """Unauthenticated (401) unless the signature is ECDSA-SHA256 of timestamp + raw body under the seller's key."""
    signature, stamp = headers.get(SIGNATURE_HEADER), headers.get(TIMESTAMP_HEADER)
    if not signature or not stamp:
        missing = SIGNATURE_HEADER if not signature else TIMESTAMP_HEADER
        raise Unauthenticated("webhook signature missing", {missing: "missing"})
    try:
        load_public_key(key_text).verify(base64.b64decode(signature.strip(), validate=True),
                                         stamp.strip().encode("ascii") + body, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError, binascii.Error, UnicodeEncodeError):
        raise Unauthenticated("webhook signature refused", {SIGNATURE_HEADER: "does not match the body"}) from None


def kind_of(item: dict) -> str | None:
    """bounce → hard (its `type` "blocked" → soft), blocked → soft, spamreport → complaint,
    (group_)unsubscribe → unsubscribe; else None."""
    event = item.get("event")
    if event == "bounce":
        return SOFT if item.get("type") == "blocked" else HARD
    if event == "blocked":
        return SOFT
    if event in UNSUBSCRIBES:
        return UNSUBSCRIBE
    return COMPLAINT if event == "spamreport" else None


def why(item: dict) -> str:
    """The event's reason as the panel shows it (a group unsubscribe names its group)."""
    group = item.get("asm_group_id") if item.get("event") == "group_unsubscribe" else None
    return detail(item.get("type") or item.get("event"), item.get("status"),
                  item.get("reason") or item.get("response"), item.get("bounce_classification"),
                  f"group {group}" if group not in (None, "") else None)


def open_delivery(body: bytes, headers: Mapping[str, str], credential: str, ctx: Context) -> Opened:
    """Verify the batch, then read each event we act on (delivered, open, click… are counted as ignored)."""
    verify(body, headers, credential)
    batch = json_body(body)
    if not isinstance(batch, list):
        raise Malformed("body must be a JSON array of events", {"body": "expected an array"})
    events, ignored = [], 0
    for item in batch:
        kind = kind_of(item) if isinstance(item, dict) else None
        recipient = address(item.get("email")) if kind else ""
        if not recipient:
            ignored += 1
            continue
        # Each event is kept on its own (re-serialised): a batch's events are deduplicated one by one.
        raw = json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        found = message_id(item.get("smtp-id"))
        events.append(Feedback(str(item.get("sg_event_id") or body_id(raw))[:200], kind, recipient,
                               unix_time(item.get("timestamp")), why(item), raw,
                               (found,) if found else (), crm_message(item.get("crm_message"))))
    return Opened(events, ignored=ignored)
