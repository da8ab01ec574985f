"""The one mapping table: every source's statuses to canonical milestones."""
from __future__ import annotations

import pytest

from crossborder_crm.shipments.milestones import MILESTONES
from crossborder_crm.shipments.status_map import TABLE, UnknownStatus, canonical_milestone, lookup


@pytest.mark.parametrize("source, raw, expected", [
    ("shopify", "label_printed", "info_received"),
    ("shopify", "label_purchased", "info_received"),
    ("shopify", "confirmed", "in_transit"),
    ("shopify", "in_transit", "in_transit"),
    ("shopify", "IN_TRANSIT", "in_transit"),
    ("shopify", "out_for_delivery", "out_for_delivery"),
    ("shopify", "attempted_delivery", "failed_attempt"),
    ("shopify", "ready_for_pickup", "available_for_pickup"),
    ("shopify", "delivered", "delivered"),
    ("shopify", "failure", "exception_other"),
    ("woocommerce", "completed", "in_transit"),
    ("woocommerce", "wc-completed", "in_transit"),
    ("woocommerce", "shipped", "in_transit"),
    ("woocommerce", "delivered", "delivered"),
    ("woocommerce", "return_to_sender", "exception_returned"),
    ("aftership", "Pending", "info_received"),
    ("aftership", "InfoReceived", "info_received"),
    ("aftership", "InTransit", "in_transit"),
    ("aftership", "InTransit_004", "arrived_destination"),
    ("aftership", "InTransit_005", "customs_cleared"),
    ("aftership", "InTransit_006", "customs_held"),
    ("aftership", "Exception_004", "customs_held"),
    ("aftership", "OutForDelivery", "out_for_delivery"),
    ("aftership", "AttemptFail_002", "failed_attempt"),
    ("aftership", "AvailableForPickup", "available_for_pickup"),
    ("aftership", "Delivered_003", "delivered"),
    ("aftership", "Exception_010", "exception_returned"),
    ("aftership", "Exception_011", "exception_returned"),
    ("aftership", "Exception_012", "exception_damaged"),
    ("aftership", "Exception_013", "exception_lost"),
    ("aftership", "Exception_002", "exception_other"),
    ("aftership", "Expired", "expired"),
    ("aftership", "Expired_001", "expired"),
    ("generic", "customs_held", "customs_held"),
    ("api", "delivered", "delivered"),
])
def test_a_source_status_maps_to_its_milestone(source, raw, expected):
    assert canonical_milestone(source, raw) == expected


def test_every_canonical_milestone_is_reachable_from_every_tracking_source():
    for source in ("aftership", "generic"):
        assert set(v for v in TABLE[source].values() if v) == set(MILESTONES)
    reachable = {v for table in TABLE.values() for v in table.values() if v}
    assert reachable == set(MILESTONES)


def test_every_mapped_value_is_a_canonical_milestone():
    for source, table in TABLE.items():
        assert {v for v in table.values() if v} <= set(MILESTONES), source


def test_an_unknown_aftership_subtag_falls_back_to_its_tag():
    assert canonical_milestone("aftership", "InTransit_042") == "in_transit"


def test_an_unknown_status_is_refused_naming_source_and_status():
    with pytest.raises(UnknownStatus, match=r"shopify status 'teleported' is not in the mapping table"):
        canonical_milestone("shopify", "teleported")


def test_an_unknown_source_is_refused():
    with pytest.raises(UnknownStatus, match="unknown shipment source 'dhl'"):
        canonical_milestone("dhl", "delivered")


def test_an_order_status_without_parcel_meaning_is_known_but_no_milestone():
    assert lookup("woocommerce", "processing") is None
    with pytest.raises(UnknownStatus, match="says nothing about a parcel"):
        canonical_milestone("woocommerce", "processing")
