"""The one mapping table from every source's shipment statuses to the canonical milestones.

Keys are compared normalised (trimmed, lower case, "-" and " " as "_"), so Shopify's REST
`in_transit` and GraphQL `IN_TRANSIT`, or WooCommerce's `wc-completed` and `completed`, agree.
A status mapped to None is known but says nothing about a parcel (an unpaid order, a refund).
"""
from __future__ import annotations

from crossborder_crm.shipments.milestones import MILESTONES

# Shopify fulfilment `shipment_status` (REST) / FulfillmentEventStatus (GraphQL), and the
# display statuses a fulfilment can show.
SHOPIFY = {
    "label_purchased": "info_received",
    "label_printed": "info_received",
    "submitted": "info_received",
    # "The default value when no other information is available": the seller fulfilled the order,
    # which is when Shopify itself tells the buyer it has shipped.
    "confirmed": "in_transit",
    "fulfilled": "in_transit",
    "marked_as_fulfilled": "in_transit",
    "carrier_picked_up": "in_transit",
    "in_transit": "in_transit",
    "delayed": "in_transit",
    "out_for_delivery": "out_for_delivery",
    "attempted_delivery": "failed_attempt",
    "not_delivered": "failed_attempt",
    "buyer_action_required": "failed_attempt",
    "ready_for_pickup": "available_for_pickup",
    "ready_for_recipient_pickup": "available_for_pickup",
    "picked_up": "delivered",
    "delivered": "delivered",
    "returning_to_sender": "exception_returned",
    "failure": "exception_other",
    "label_voided": None,
    "canceled": None,
    "cancelled": None,
}

# WooCommerce core order statuses (only `completed` means the parcel left), the statuses of the
# common shipment-tracking plugins (Advanced Shipment Tracking's order statuses, TrackShip's
# shipment statuses).
WOOCOMMERCE = {
    "pending": None,
    "processing": None,
    "on_hold": None,
    "checkout_draft": None,
    "cancelled": None,
    "refunded": None,
    "failed": None,
    "completed": "in_transit",
    "shipped": "in_transit",
    "partial_shipped": "in_transit",
    "updated_tracking": "in_transit",
    "pre_transit": "info_received",
    "pending_trackship": "info_received",
    "unknown": "info_received",
    "in_transit": "in_transit",
    "out_for_delivery": "out_for_delivery",
    "failure": "failed_attempt",
    "failed_attempt": "failed_attempt",
    "available_for_pickup": "available_for_pickup",
    "delivered": "delivered",
    "return_to_sender": "exception_returned",
    "exception": "exception_other",
    "expired": "expired",
}

# AfterShip tags, then subtags (a subtag missing here falls back to its tag, the part before "_").
AFTERSHIP = {
    "pending": "info_received",
    "inforeceived": "info_received",
    "intransit": "in_transit",
    "outfordelivery": "out_for_delivery",
    "attemptfail": "failed_attempt",
    "availableforpickup": "available_for_pickup",
    "delivered": "delivered",
    "exception": "exception_other",
    "expired": "expired",
    "intransit_001": "in_transit",  # on the way
    "intransit_002": "in_transit",  # accepted by the carrier
    "intransit_003": "in_transit",  # arrived at a hub or sorting center
    "intransit_004": "arrived_destination",  # arrived at the destination country
    "intransit_005": "customs_cleared",
    "intransit_006": "customs_held",  # handed over to customs for clearance
    "intransit_007": "in_transit",  # departed a facility
    "intransit_008": "in_transit",  # problem resolved
    "intransit_009": "in_transit",  # forwarded to another address
    "exception_004": "customs_held",  # delayed in customs clearance
    "exception_006": "customs_held",  # held for payment (duties)
    "exception_010": "exception_returned",  # returning to sender
    "exception_011": "exception_returned",  # returned to sender
    "exception_012": "exception_damaged",
    "exception_013": "exception_lost",
}

# Our generic format (webhooks and the API): the canonical names themselves.
GENERIC = {name: name for name in MILESTONES}

TABLE: dict[str, dict[str, str | None]] = {
    "shopify": SHOPIFY,
    "woocommerce": WOOCOMMERCE,
    "aftership": AFTERSHIP,
    "generic": GENERIC,
    "api": GENERIC,
}
SOURCES = tuple(TABLE)


class UnknownStatus(ValueError):
    """A status the table does not know, or one that says nothing about a parcel."""


def _normalise(source: str, raw: str) -> str:
    key = raw.strip().lower().replace("-", "_").replace(" ", "_")
    if source == "woocommerce" and key.startswith("wc_"):
        key = key[3:]
    return key


def lookup(source: str, raw: str) -> str | None:
    """The milestone for a source's status; None when the status is known but not about a parcel.

    Raises UnknownStatus for an unknown source or status.
    """
    table = TABLE.get(source)
    if table is None:
        raise UnknownStatus(f"unknown shipment source {source!r}: one of {', '.join(SOURCES)}")
    key = _normalise(source, raw or "")
    if key in table:
        return table[key]
    if source == "aftership" and "_" in key and key.split("_", 1)[0] in table:
        return table[key.split("_", 1)[0]]
    raise UnknownStatus(f"{source} status {raw!r} is not in the mapping table")


def canonical_milestone(source: str, raw: str) -> str:
    """The milestone for a source's status; raises UnknownStatus when there is none."""
    milestone = lookup(source, raw)
    if milestone is None:
        raise UnknownStatus(f"{source} status {raw!r} says nothing about a parcel")
    return milestone
