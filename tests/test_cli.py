"""The crossborder-crm commands: create-seller for scripts, dispatch at a simulated instant."""
import json

from crossborder_crm.accounts.service import seller_for_token


def test_create_seller_json_prints_token_key_and_secrets(app, services):
    r = app.test_cli_runner().invoke(args=["crm", "create-seller", "--name", "Shop", "--email",
                                           "owner@example.com", "--password", "long-enough", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert set(out) == {"seller_id", "seller_key", "api_token", "webhook_secrets"}
    assert set(out["webhook_secrets"]) == {"shopify", "woocommerce", "aftership", "generic"}
    assert seller_for_token(services.db, out["api_token"]) == out["seller_id"]


def test_create_seller_with_a_short_password_says_which_field(app):
    r = app.test_cli_runner().invoke(args=["crm", "create-seller", "--name", "Shop", "--email",
                                           "owner@example.com", "--password", "short"])
    assert r.exit_code == 2 and "password" in r.output


def test_dispatch_once_at_a_given_instant_sends_what_is_due_then(app, api_a, tmp_path):
    from tests.outbox.helpers import new_buyer, schedule

    buyer = new_buyer(api_a)
    schedule(api_a, buyer["id"], send_at="2026-03-12T18:00:00+00:00")
    runner = app.test_cli_runner()
    early = runner.invoke(args=["crm", "dispatch", "--once", "--now", "2026-03-12T17:59:00Z"])
    assert "sent 0" in early.output, early.output
    late = runner.invoke(args=["crm", "dispatch", "--once", "--now", "2026-03-12T18:00:00+00:00"])
    assert "sent 1" in late.output, late.output
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 1


def test_dispatch_rejects_a_bad_instant(app):
    r = app.test_cli_runner().invoke(args=["crm", "dispatch", "--once", "--now", "yesterday"])
    assert r.exit_code != 0 and "--now" in r.output
