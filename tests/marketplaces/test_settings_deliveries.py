"""Settings shows the last deliveries per source: topic, status, when, and the error of a failed one."""
from __future__ import annotations

from tests.marketplaces.payloads import shopify_order
from tests.panel.conftest import login


def test_settings_lists_the_last_deliveries_with_their_status_and_error(client, hooks):
    good = hooks.shopify("orders/create", shopify_order(), "wh-1")
    bad_order = shopify_order(order_id=5)
    bad_order["processed_at"] = "2026-03-09T10:15:00"
    hooks.shopify("orders/create", bad_order, "wh-2")
    hooks.apply()
    assert login(client, hooks.seller.user_email).status_code == 302
    html = client.get("/settings").get_data(as_text=True)
    section = html[html.index('id="deliveries-shopify"'):]
    section = section[:section.index("</table>")]
    assert f'id="delivery-{good.get_json()["id"]}"' in section
    assert section.count("orders/create") == 2
    assert "applied" in section and "failed" in section and "processed_at: needs a UTC offset" in section


def test_settings_says_when_a_source_has_sent_nothing(client, hooks):
    assert login(client, hooks.seller.user_email).status_code == 302
    html = client.get("/settings").get_data(as_text=True)
    assert 'id="deliveries-aftership"' in html and "No deliveries received yet." in html


def test_another_sellers_deliveries_are_not_shown(client, hooks, seller_b):
    hooks.shopify("orders/create", shopify_order(), "wh-secret-topic")
    assert login(client, seller_b.user_email).status_code == 302
    html = client.get("/settings").get_data(as_text=True)
    assert "orders/create" not in html
