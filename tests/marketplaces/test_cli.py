"""`crossborder-crm webhooks replay|apply`."""
from __future__ import annotations

from crossborder_crm.marketplaces.cli import webhooks
from tests.marketplaces.payloads import shopify_order


def _run(app, *args):
    return app.test_cli_runner().invoke(webhooks, list(args))


def test_apply_applies_what_was_received(app, hooks):
    hooks.shopify("orders/create", shopify_order(), "wh-1")
    result = _run(app, "apply")
    assert result.exit_code == 0 and "applied 1" in result.output


def test_replay_by_status_retries_the_failed_ones(app, hooks):
    bad = shopify_order()
    bad["processed_at"] = "2026-03-09T10:15:00"
    hooks.shopify("orders/create", bad, "wh-1")
    hooks.apply()
    result = _run(app, "replay", "--status", "failed")
    assert result.exit_code == 0 and "failed 1" in result.output
    assert hooks.deliveries()[0].attempts == 2


def test_replay_needs_an_id_or_a_status(app, hooks):
    result = _run(app, "replay")
    assert result.exit_code != 0 and "--id N or --status" in result.output
