"""Saving a seller's buyer-notification choices (sellers.settings["shipments"]): which milestones the
buyer hears about, delay notices, the follow-up after delivery, the help link in every notice."""
from __future__ import annotations

from typing import Any, Mapping
from urllib.parse import urlsplit

from crossborder_crm.accounts.models import Seller
from crossborder_crm.db import Database
from crossborder_crm.errors import N_, NotFound, Reason, ValidationFailed, reason_of
from crossborder_crm.shipments.milestones import MILESTONES
from crossborder_crm.shipments.settings import SellerShipmentSettings, seller_shipment_settings

HELP_URL_MAX = 500


def _help_url(value: Any) -> str | None:
    text = str(value or "").strip()
    if not text:
        return None
    parts = urlsplit(text)
    if len(text) > HELP_URL_MAX:
        raise ValueError(Reason(N_("at most %(num)s characters"), num=HELP_URL_MAX))
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in text):
        raise ValueError(N_("must be a web address starting with https:// or http://"))
    return text


def check_notify_settings(data: Mapping[str, Any]) -> dict[str, Any]:
    """The stored form of the choices in `data`; ValidationFailed names each bad field."""
    errors: dict[str, str] = {}
    notify = data.get("notify") or []
    unknown = [m for m in notify if m not in MILESTONES]
    if not isinstance(notify, (list, tuple)) or unknown:
        errors["notify"] = Reason(N_("unknown milestone(s) %(unknown)s: one of %(choices)s"),
                                  unknown=", ".join(map(str, unknown)), choices=", ".join(MILESTONES))
    try:
        help_url = _help_url(data.get("help_url"))
    except ValueError as exc:
        errors["help_url"] = reason_of(exc)
    if errors:
        raise ValidationFailed("invalid notification settings", errors)
    return {"notify": [m for m in MILESTONES if m in notify], "delay_notices": bool(data.get("delay_notices")),
            "follow_up": bool(data.get("follow_up")), "help_url": help_url}


def save_notify_settings(db: Database, seller_id: int, data: Mapping[str, Any]) -> SellerShipmentSettings:
    """Check and store the seller's notification choices; nothing changes when any field is wrong."""
    stored = check_notify_settings(data)
    with db.transaction() as s:
        seller = s.get(Seller, seller_id)
        if seller is None:
            raise NotFound(f"seller {seller_id} not found")
        # A new dict: the JSON column only notices a change when the value is replaced.
        seller.settings = {**(seller.settings or {}), "shipments": stored}
        return seller_shipment_settings(seller.settings)


def load_notify_settings(db: Database, seller_id: int) -> SellerShipmentSettings:
    """The seller's notification choices, with the defaults for anything never set."""
    with db.reading() as s:
        seller = s.get(Seller, seller_id)
        return seller_shipment_settings(seller.settings if seller else None)
