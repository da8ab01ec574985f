"""Shipments from Shopify fulfilments and AfterShip trackings, as shipments.events.ShipmentIn."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Mapping
from zoneinfo import ZoneInfo

import pycountry
import pytz

from crossborder_crm.marketplaces.events import PayloadInvalid
from crossborder_crm.marketplaces.payload import country2, day, ext_id, instant, items, obj, text
from crossborder_crm.shipments.events import CheckpointIn, ShipmentIn
from crossborder_crm.shipments.status_map import UnknownStatus, canonical_milestone, lookup


def _iso3_to_2(value, field: str) -> str | None:
    code = text(value, field, 3)
    if code is None:
        return None
    if len(code) == 2:
        return country2(code, field)
    found = pycountry.countries.get(alpha_3=code.upper())
    if found is None:
        raise PayloadInvalid(field, f"unknown ISO 3166-1 alpha-3 country code {code!r}")
    return found.alpha_2


def shipment_from_shopify(data: Mapping) -> ShipmentIn:
    """A fulfillments/create or /update payload; `shipment_status` gives the current milestone."""
    numbers = [n for n in items(data.get("tracking_numbers"), "tracking_numbers") if n] or [
        data.get("tracking_number")]
    urls = [u for u in items(data.get("tracking_urls"), "tracking_urls") if u] or [data.get("tracking_url")]
    raw = text(data.get("shipment_status"), "shipment_status", 64)
    status = (data.get("status") or "").lower()
    # A fulfilment without a shipment_status is "confirmed" in Shopify's words: the seller shipped it.
    milestone = lookup("shopify", raw) if raw else (lookup("shopify", "confirmed") if status == "success" else None)
    destination = obj(data.get("destination"), "destination")
    return ShipmentIn(
        source="shopify", tracking_number=text(numbers[0], "tracking_number", 100, required=True),
        order_marketplace="shopify", order_external_id=ext_id(data.get("order_id"), "order_id"),
        external_id=ext_id(data.get("id"), "id"),
        carrier_name=text(data.get("tracking_company"), "tracking_company", 100),
        tracking_url=text(urls[0], "tracking_url", 500),
        destination_country=country2(destination.get("country_code"), "destination.country_code"),
        shipped_at=instant(data.get("created_at"), "created_at", required=False),
        milestone=milestone,
        source_updated_at=instant(data.get("updated_at"), "updated_at", required=False))


def _checkpoint_time(value, country: str | None, field: str) -> datetime | None:
    """A checkpoint's instant. AfterShip passes on the carrier's local time, sometimes without an
    offset: then it is read in the checkpoint country's zone when that country has exactly one;
    otherwise the checkpoint is skipped (None) rather than guessed as UTC."""
    if not isinstance(value, str) or not value.strip():
        raise PayloadInvalid(field, "is required")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise PayloadInvalid(field, "expected an ISO 8601 date and time") from None
    if parsed.tzinfo is not None and parsed.utcoffset() is not None:
        return parsed.astimezone(timezone.utc)
    zones = pytz.country_timezones.get(country or "", [])
    if len(zones) != 1:
        return None
    return parsed.replace(tzinfo=ZoneInfo(zones[0])).astimezone(timezone.utc)


def _checkpoints(raw_list) -> tuple[CheckpointIn, ...]:
    out = []
    for i, cp in enumerate(items(raw_list, "msg.checkpoints")):
        cp = obj(cp, f"msg.checkpoints.{i}")
        country = _iso3_to_2(cp.get("country_region") or cp.get("country_iso3"), f"msg.checkpoints.{i}.country_iso3")
        at = _checkpoint_time(cp.get("checkpoint_time"), country, f"msg.checkpoints.{i}.checkpoint_time")
        if at is None:
            continue
        raw = text(cp.get("subtag") or cp.get("tag"), f"msg.checkpoints.{i}.subtag", 64) or "Pending"
        place = ", ".join(p for p in (text(cp.get("city"), "city", 100), text(cp.get("state"), "state", 100)) if p)
        location = text(cp.get("location"), f"msg.checkpoints.{i}.location", 200) or place or None
        out.append(CheckpointIn(at=at, milestone=canonical_milestone("aftership", raw), raw_status=raw,
                                location=location,
                                country=country,
                                description=text(cp.get("message"), f"msg.checkpoints.{i}.message", 500)))
    return tuple(out)


def _expected(msg: Mapping):
    latest = obj(msg.get("latest_estimated_delivery"), "msg.latest_estimated_delivery")
    for field, value in (("msg.latest_estimated_delivery.datetime", latest.get("datetime")),
                         ("msg.expected_delivery", msg.get("expected_delivery"))):
        found = day(value, field)
        if found is not None:
            return found
    return None


def shipment_from_aftership(data: Mapping) -> ShipmentIn:
    """A tracking_update: the tracking's tag/subtag, checkpoints and expected delivery.

    The shipment is found by its tracking number (AfterShip's order_id is kept only as a hint).
    """
    msg = obj(data.get("msg"), "msg")
    raw = text(msg.get("subtag") or msg.get("tag"), "msg.subtag", 64)
    return ShipmentIn(
        source="aftership", tracking_number=text(msg.get("tracking_number"), "msg.tracking_number", 100,
                                                 required=True),
        external_id=ext_id(msg.get("id"), "msg.id", required=False),
        carrier_code=text(msg.get("slug"), "msg.slug", 64),
        tracking_url=text(msg.get("courier_tracking_link") or msg.get("aftership_tracking_url"),
                          "msg.courier_tracking_link", 500),
        origin_country=_iso3_to_2(msg.get("origin_country_region") or msg.get("origin_country_iso3"),
                                  "msg.origin_country_iso3"),
        destination_country=_iso3_to_2(msg.get("destination_country_region") or msg.get("destination_country_iso3"),
                                       "msg.destination_country_iso3"),
        shipped_at=_pickup(msg.get("shipment_pickup_date")),
        expected_delivery=_expected(msg),
        milestone=lookup("aftership", raw) if raw else None,
        checkpoints=_checkpoints(msg.get("checkpoints")),
        source_updated_at=instant(msg.get("updated_at"), "msg.updated_at", required=False))


def _pickup(value) -> datetime | None:
    """The pickup instant when it carries an offset; AfterShip often gives local time without one,
    which is left out rather than guessed."""
    try:
        return instant(value, "msg.shipment_pickup_date", required=False)
    except PayloadInvalid:
        return None


def shipments_from_woocommerce(data: Mapping) -> list[ShipmentIn]:
    """Tracking numbers added by the Shipment Tracking plugins (`_wc_shipment_tracking_items` meta);
    WooCommerce core has none, and then an order carries no shipment."""
    found = []
    for meta in items(data.get("meta_data"), "meta_data"):
        meta = obj(meta, "meta_data")
        if meta.get("key") != "_wc_shipment_tracking_items":
            continue
        for i, item in enumerate(items(meta.get("value"), "meta_data._wc_shipment_tracking_items")):
            item = obj(item, f"_wc_shipment_tracking_items.{i}")
            number = text(item.get("tracking_number"), f"_wc_shipment_tracking_items.{i}.tracking_number", 100)
            if not number:
                continue
            shipped = item.get("date_shipped")
            found.append(ShipmentIn(
                source="woocommerce", tracking_number=number, order_marketplace="woocommerce",
                order_external_id=ext_id(data.get("id"), "id"),
                external_id=text(item.get("tracking_id"), f"_wc_shipment_tracking_items.{i}.tracking_id", 100),
                carrier_name=text(item.get("tracking_provider") or item.get("custom_tracking_provider"),
                                  f"_wc_shipment_tracking_items.{i}.tracking_provider", 100),
                tracking_url=text(item.get("custom_tracking_link"), f"_wc_shipment_tracking_items.{i}.link", 500),
                # date_shipped is a unix timestamp: an instant, no zone to guess.
                shipped_at=datetime.fromtimestamp(int(shipped), timezone.utc)
                if isinstance(shipped, (int, str)) and str(shipped).isdigit() else None,
                milestone=_order_status_milestone(data.get("status"))))
    return found


def _order_status_milestone(status) -> str | None:
    """The milestone a WooCommerce order status implies; a plugin's own status implies none."""
    try:
        return lookup("woocommerce", status) if isinstance(status, str) and status else None
    except UnknownStatus:
        return None
