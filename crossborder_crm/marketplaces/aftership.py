"""AfterShip tracking webhooks: `aftership-hmac-sha256` (base64) over the raw body; event id in the body."""
from __future__ import annotations

from datetime import datetime
from typing import Mapping

from crossborder_crm.marketplaces.events import Ignored
from crossborder_crm.marketplaces.payload import envelope_of
from crossborder_crm.marketplaces.signing import verify_base64_hmac
from crossborder_crm.marketplaces.tracking import shipment_from_aftership

SOURCE = "aftership"
SIGNATURE_HEADER = "aftership-hmac-sha256"
KEPT_HEADERS = ("aftership-hmac-sha256",)
TOPICS = ("tracking_update", "edd_revise")


def verify(body: bytes, headers: Mapping[str, str], secret: str, now: datetime) -> bool:
    """aftership-hmac-sha256 = base64 HMAC-SHA256 of the raw body with the webhook secret."""
    return verify_base64_hmac(secret, body, headers.get(SIGNATURE_HEADER))


def envelope(headers: Mapping[str, str], body: bytes, data: Mapping) -> tuple[str, str]:
    """(topic, delivery id) from the body's `event` and `event_id` (AfterShip retries keep the id)."""
    return envelope_of(data.get("event"), data.get("event_id"), body)


def events(topic: str, data: Mapping) -> list:
    """Tracking updates and revised delivery estimates carry the whole tracking."""
    if topic in TOPICS:
        return [shipment_from_aftership(data)]
    return [Ignored(f"topic {topic} is not used")]
