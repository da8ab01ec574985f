"""The panel's navigation: one entry per capability, built or still to come."""
from __future__ import annotations

from dataclasses import dataclass

from crossborder_crm.errors import N_  # the panel's modules take the marker from here


@dataclass(frozen=True)
class NavItem:
    """A navigation entry: where it goes, its (untranslated) label, the pages it is active on."""

    endpoint: str
    label: str
    icon: str
    active_on: frozenset[str]

    def is_active(self, endpoint: str | None) -> bool:
        return endpoint in self.active_on


def _item(endpoint: str, label: str, icon: str, *also: str) -> NavItem:
    return NavItem(endpoint, label, icon, frozenset((endpoint, *also)))


# When a capability gets its real pages, point its entry at them (and list them in active_on).
NAV: tuple[NavItem, ...] = (
    _item("panel.dashboard", N_("Dashboard"), "◧"),
    _item("panel.buyers", N_("Buyers"), "☺", "panel.buyer", "panel.buyer_edit", "panel.buyer_write",
          "panel.buyer_new", "panel.buyers_import"),
    _item("panel.outbox", N_("Outbox"), "✉", "panel.outbox_retry", "panel.outbox_cancel",
          "panel.outbox_message", "panel.outbox_reschedule"),
    _item("panel.shipments", N_("Shipments"), "✈", "panel.shipment", "panel.incidents"),
    _item("panel.campaigns", N_("Campaigns"), "✦", "panel.campaign", "panel.campaign_new", "panel.campaign_edit"),
    _item("panel.inbox", N_("Inbox"), "☏", "panel.inbox_new", "panel.inbox_draft", "panel.reply_policy",
          "panel.saved_replies_page", "panel.complaint_insights_page"),
    _item("panel.settings", N_("Settings"), "⚙"),
)
