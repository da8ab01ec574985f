"""crm_webhook_deliveries_total{source,status}: every answer of the webhook endpoint is counted once."""
from __future__ import annotations

from prometheus_client import REGISTRY

from tests.marketplaces.payloads import dumps, shopify_order


def _count(status: str, source: str = "shopify") -> float:
    return REGISTRY.get_sample_value("crm_webhook_deliveries_total", {"source": source, "status": status}) or 0.0


def test_an_accepted_and_a_repeated_delivery_count_as_accepted_and_duplicate(hooks):
    accepted, duplicate = _count("accepted"), _count("duplicate")
    hooks.shopify("orders/create", shopify_order(), "wh-metrics-1")
    hooks.shopify("orders/create", shopify_order(), "wh-metrics-1")
    assert (_count("accepted") - accepted, _count("duplicate") - duplicate) == (1, 1)


def test_refusals_count_by_reason(hooks):
    before = {s: _count(s) for s in ("bad_signature", "bad_payload", "unknown_seller")}
    hooks.shopify("orders/create", shopify_order(), "wh-metrics-2", sign_with="not the secret")
    hooks.shopify("orders/create", b"{not json", "wh-metrics-3")
    hooks.raw("shopify", dumps(shopify_order()), {"Content-Type": "application/json"}, key="0" * 16)
    assert {s: _count(s) - before[s] for s in before} == {"bad_signature": 1, "bad_payload": 1, "unknown_seller": 1}


def test_an_unknown_source_is_not_a_label(hooks):
    hooks.raw("evil-source", b"{}", {"Content-Type": "application/json"})
    assert REGISTRY.get_sample_value("crm_webhook_deliveries_total",
                                     {"source": "evil-source", "status": "unknown_seller"}) is None
