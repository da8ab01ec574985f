"""The webhook sources by name: each adapter module verifies, names and converts its deliveries."""
from __future__ import annotations

from types import ModuleType

from crossborder_crm.marketplaces import aftership, generic, shopify, woocommerce

ADAPTERS: dict[str, ModuleType] = {m.SOURCE: m for m in (shopify, woocommerce, aftership, generic)}
