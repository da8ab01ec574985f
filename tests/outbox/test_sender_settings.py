"""Seller sending settings: validated, applied, and used by the engine (quiet hours, DKIM)."""
import subprocess

import dkim
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from crossborder_crm.container import Services
from crossborder_crm.outbox.models import Message
from crossborder_crm.outbox.sender import update_sender
from crossborder_crm.errors import ValidationFailed
from crossborder_crm.secret_box import SecretBox, derive_key
from tests.outbox.helpers import at, dispatch, new_buyer, parse, schedule, smtp_services, with_mail


@pytest.mark.parametrize("data,field", [
    ({"quiet_start": "25:00"}, "quiet_start"), ({"from_email": "nope"}, "from_email"),
    ({"marketing_cap_days": 0}, "marketing_cap_days"), ({"dkim_domain": "shop.example"}, "dkim_private_key"),
    ({"dkim_domain": "a.example", "dkim_selector": "s1", "dkim_private_key": "not a key"}, "dkim_private_key"),
])
def test_bad_sender_setting_names_the_field(services, seller_a, data, field):
    with pytest.raises(ValidationFailed) as err:
        update_sender(services.db, services.clock, services.box, seller_a.seller_id, data)
    assert field in err.value.fields


def test_seller_quiet_hours_hold_transactional_mail(api_a, services, seller_a, clock):
    update_sender(services.db, services.clock, services.box, seller_a.seller_id,
                  {"quiet_start": "20:00", "quiet_end": "10:00"})
    buyer = new_buyer(api_a)  # Madrid; the clock is 03:00 there
    msg = schedule(api_a, buyer["id"], kind="transactional")
    assert msg["scheduled_local"]["time"].startswith("2026-03-10T10:00")


def test_configured_dkim_key_signs_outgoing_mail(api_a, services, seller_a, clock, sink, tmp_path):
    key = tmp_path / "dkim.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
    update_sender(services.db, services.clock, services.box, seller_a.seller_id, {
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


def _configure_dkim(services, seller_id, pem: bytes) -> None:
    update_sender(services.db, services.clock, services.box, seller_id, {
        "from_email": "shop@shop.example", "dkim_domain": "shop.example", "dkim_selector": "s1",
        "dkim_private_key": pem.decode()})


def _dns(material):
    def dnsfunc(name, timeout=5):
        assert name == b"s1._domainkey.shop.example."
        return material.txt_record()
    return dnsfunc


def _due_messages(api_a, clock, count: int) -> list[dict]:
    msgs = [schedule(api_a, new_buyer(api_a, email=f"buyer{i}@example.es")["id"], kind="transactional")
            for i in range(count)]
    at(clock, max(m["scheduled_at"] for m in msgs))
    return msgs


def test_dkim_private_key_is_stored_encrypted(services, seller_a, dkim_material):
    _configure_dkim(services, seller_a.seller_id, dkim_material.private_pkcs8_pem)
    with services.db.reading() as s:
        stored = s.execute(text("SELECT dkim_private_key FROM sellers WHERE id = :id"),
                           {"id": seller_a.seller_id}).scalar_one()
    assert stored.startswith("fernet:")
    assert "PRIVATE KEY" not in stored
    assert dkim_material.private_pkcs8_pem.decode().splitlines()[1] not in stored


def test_mail_is_signed_with_the_decrypted_key_and_verifies(api_a, services, seller_a, clock, sink, dkim_material):
    _configure_dkim(services, seller_a.seller_id, dkim_material.private_pkcs8_pem)
    _due_messages(api_a, clock, 1)
    assert dispatch(smtp_services(services, sink)).sent == 1
    raw = sink.messages[0][2]
    assert raw.startswith(b"DKIM-Signature: ")
    assert dkim.verify(raw, dnsfunc=_dns(dkim_material))


def test_the_dkim_key_is_decrypted_once_per_seller_per_pass(api_a, services, seller_a, clock, sink, dkim_material):
    class CountingBox(SecretBox):
        decrypted = 0

        def decrypt(self, stored: str) -> str:
            CountingBox.decrypted += 1
            return super().decrypt(stored)

    _configure_dkim(services, seller_a.seller_id, dkim_material.private_pkcs8_pem)
    _due_messages(api_a, clock, 3)
    smtp = smtp_services(services, sink)
    counting = Services(db=smtp.db, settings=smtp.settings, clock=smtp.clock,
                        box=CountingBox([derive_key(services.settings["SECRET_KEY"])]))
    assert dispatch(counting).sent == 3
    assert CountingBox.decrypted == 1


def test_a_dkim_key_no_configured_key_opens_fails_the_message_naming_the_setting(api_a, services, seller_a, clock,
                                                                                 sink, dkim_material):
    _configure_dkim(services, seller_a.seller_id, dkim_material.private_pkcs8_pem)
    [msg] = _due_messages(api_a, clock, 1)
    wrong_keys = with_mail(smtp_services(services, sink), ENCRYPTION_KEYS=Fernet.generate_key().decode())
    result = dispatch(wrong_keys)
    assert (result.sent, result.failed) == (0, 1)
    assert sink.messages == []  # never sent unsigned
    with services.db.reading() as s:
        error = s.get(Message, msg["id"]).last_error
    assert "DKIM private key" in error and "CRM_ENCRYPTION_KEYS" in error
