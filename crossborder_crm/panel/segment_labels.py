"""The buyer segments as the panel names them (campaigns.segments has the rules)."""
from __future__ import annotations

from crossborder_crm.panel.blueprint import bp
from crossborder_crm.panel.nav import N_

SEGMENT_LABELS = {
    "key": N_("Key buyer"), "loyal": N_("Loyal"), "regular": N_("Buys on a cycle"), "new": N_("New"),
    "promising": N_("Promising"), "at_risk": N_("At risk"), "lapsed": N_("Lapsed"), "occasional": N_("Occasional"),
    "no_orders": N_("No orders yet"),
}


@bp.context_processor
def _segment_labels():
    return {"segment_labels": SEGMENT_LABELS}
