"""Buyer segments: how many of the seller's buyers are in each, and what each means."""
from __future__ import annotations

from flask import g, jsonify

from crossborder_crm.api.blueprint import bp
from crossborder_crm.api.registry import operation
from crossborder_crm.campaigns.segments import SEGMENT_MEANINGS, SEGMENTS
from crossborder_crm.campaigns.segments_service import segment_counts
from crossborder_crm.container import current_services


@operation(bp, "/segments", "GET", "How many buyers are in each segment (recency, frequency and spend; refreshed by "
           "the worker every six hours)", tag="segments")
def list_segments():
    """Count buyers per segment."""
    counts = segment_counts(current_services().db, g.seller_id)
    return jsonify({"items": [{"segment": name, "buyers": counts.get(name, 0), "meaning": SEGMENT_MEANINGS[name]}
                              for name in SEGMENTS],
                    "not_scored_yet": counts.get(None, 0)})
