"""Seller sending settings: validated, applied, and used by the engine (quiet hours, DKIM)."""
import subprocess

import pytest

from crossborder_crm.outbox.sender import update_sender
from crossborder_crm.errors import ValidationFailed
from tests.outbox.helpers import at, dispatch, new_buyer, parse, schedule, smtp_services


@pytest.mark.parametrize("data,field", [
    ({"quiet_start": "25:00"}, "quiet_start"), ({"from_email": "nope"}, "from_email"),
    ({"marketing_cap_days": 0}, "marketing_cap_days"), ({"dkim_domain": "shop.example"}, "dkim_private_key"),
    ({"dkim_domain": "a.example", "dkim_selector": "s1", "dkim_private_key": "not a key"}, "dkim_private_key"),
])
def test_bad_sender_setting_names_the_field(services, seller_a, data, field):
    with pytest.raises(ValidationFailed) as err:
        update_sender(services.db, services.clock, seller_a.seller_id, data)
    assert field in err.value.fields


def test_seller_quiet_hours_hold_transactional_mail(api_a, services, seller_a, clock):
    update_sender(services.db, services.clock, seller_a.seller_id, {"quiet_start": "20:00", "quiet_end": "10:00"})
    buyer = new_buyer(api_a)  # Madrid; the clock is 03:00 there
    msg = schedule(api_a, buyer["id"], kind="transactional")
    assert msg["scheduled_local"]["time"].startswith("2026-03-10T10:00")


def test_configured_dkim_key_signs_outgoing_mail(api_a, services, seller_a, clock, sink, tmp_path):
    key = tmp_path / "dkim.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
    update_sender(services.db, services.clock, seller_a.seller_id, {
        "from_email": "shop@shop.example", "dkim_domain": "shop.example", "dkim_selector": "s1",
        "dkim_private_key": key.read_text()})
    buyer = new_buyer(api_a, consent={"status": "granted"})
    msg = schedule(api_a, buyer["id"], kind="marketing")
    at(clock, msg["scheduled_at"])
    dispatch(smtp_services(services, sink))
    sig = parse(sink.messages[0][2])["DKIM-Signature"]
    assert "d=shop.example" in sig and "s=s1" in sig and "list-unsubscribe-post" in sig.lower()


def test_configure_sender_command_sets_quiet_hours_and_cap(app, seller_a):
    r = app.test_cli_runner().invoke(args=["crm", "configure-sender", "--seller-id", str(seller_a.seller_id),
                                           "--quiet-hours", "22:00-07:00", "--marketing-cap", "3/10"])
    assert r.exit_code == 0, r.output
    assert "quiet hours 22:00-07:00" in r.output and "3/10 days" in r.output
