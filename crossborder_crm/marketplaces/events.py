"""What the adapters turn deliveries into (shipments go as shipments.events): plain frozen data."""
from __future__ import annotations

from dataclasses import dataclass

# Orders, customers and buyer events are defined next to the code that stores them (imports point
# down: buyers never imports marketplaces); the adapters build them from here.
from crossborder_crm.buyers.sync import BuyerEventIn, CustomerIn, OrderIn, OrderLineIn  # noqa: F401


class PayloadInvalid(Exception):
    """A signed, well-formed delivery whose content cannot be used; `field` names what and why."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason


@dataclass(frozen=True)
class Ignored:
    """A delivery that is fine but asks for nothing (a ping, a topic we do not act on)."""

    reason: str
