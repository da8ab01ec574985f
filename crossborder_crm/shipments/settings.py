"""Shipment settings: the app's transit and stall days (with per-destination and per-route
overrides), and each seller's choices under sellers.settings["shipments"]."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from crossborder_crm.shipments.milestones import PROBLEMS, check_milestone

# Milestones the buyer hears about unless the seller chooses otherwise.
DEFAULT_NOTIFY = ("in_transit", "arrived_destination", "customs_held", "out_for_delivery", "failed_attempt",
                  "available_for_pickup", "delivered") + tuple(p for p in PROBLEMS if p != "expired")


@dataclass(frozen=True)
class SellerShipmentSettings:
    """What a seller chose: the milestones notified, delay notices, the follow-up, a help link."""

    notify: frozenset[str]
    delay_notices: bool = True
    follow_up: bool = True
    help_url: str | None = None


def seller_shipment_settings(settings: Mapping[str, Any] | None) -> SellerShipmentSettings:
    """Read sellers.settings["shipments"] with the documented defaults; unknown milestones are refused."""
    raw = (settings or {}).get("shipments") or {}
    notify = raw.get("notify")
    chosen = frozenset(check_milestone(m) for m in notify) if notify is not None else frozenset(DEFAULT_NOTIFY)
    return SellerShipmentSettings(notify=chosen, delay_notices=bool(raw.get("delay_notices", True)),
                                  follow_up=bool(raw.get("follow_up", True)), help_url=raw.get("help_url") or None)


def parse_overrides(text: str, name: str) -> dict[str, int]:
    """Parse "KEY=days,KEY=days" (e.g. "US=10,DE=7" or "CN-BR=14,*-AR=21") into a dict.

    Raises ValueError naming the setting and the bad entry.
    """
    out: dict[str, int] = {}
    for entry in (e.strip() for e in (text or "").split(",")):
        if not entry:
            continue
        key, sep, days = entry.partition("=")
        if not sep or not key.strip() or not days.strip().isdigit() or int(days) < 1:
            raise ValueError(f"{name}: {entry!r} is not KEY=days with days a whole number above 0")
        out[key.strip().upper()] = int(days)
    return out


def default_transit_days(settings: Mapping[str, Any], destination: str | None) -> int:
    """SHIPMENT_DEFAULT_TRANSIT_DAYS, or the SHIPMENT_TRANSIT_DAYS_BY_DESTINATION entry for it."""
    by_dest = parse_overrides(settings.get("SHIPMENT_TRANSIT_DAYS_BY_DESTINATION", ""),
                              "SHIPMENT_TRANSIT_DAYS_BY_DESTINATION")
    return by_dest.get((destination or "").upper(), int(settings.get("SHIPMENT_DEFAULT_TRANSIT_DAYS", 14)))


def stalled_days(settings: Mapping[str, Any], origin: str | None, destination: str | None) -> int:
    """Days without news before a parcel is stalled: the most specific SHIPMENT_STALLED_DAYS_BY_ROUTE
    entry (ORIGIN-DEST, then ORIGIN-*, then *-DEST), else SHIPMENT_STALLED_DAYS."""
    routes = parse_overrides(settings.get("SHIPMENT_STALLED_DAYS_BY_ROUTE", ""), "SHIPMENT_STALLED_DAYS_BY_ROUTE")
    o, d = (origin or "*").upper(), (destination or "*").upper()
    for key in (f"{o}-{d}", f"{o}-*", f"*-{d}"):
        if key in routes:
            return routes[key]
    return int(settings.get("SHIPMENT_STALLED_DAYS", 7))
