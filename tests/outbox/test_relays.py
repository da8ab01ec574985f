"""Each seller's own relay: validated, the password encrypted and never shown or logged, rotated with the
other secrets, checked by a test email through a real SMTP sink, set and cleared from the command line."""
from __future__ import annotations

import logging

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from crossborder_crm.accounts.models import Seller
from crossborder_crm.accounts.secret_rotation import reencrypt_secrets
from crossborder_crm.errors import ValidationFailed
from crossborder_crm.ops.checks import encryption_keys
from crossborder_crm.outbox.relay_check import (
    FILE_BACKEND,
    TEST_EMAILS_PER_WINDOW,
    send_seller_test_email,
)
from crossborder_crm.outbox.relays import (
    Relay,
    RelayIn,
    RelayLimits,
    clear_relay,
    default_relay,
    load_relay,
    relay_view,
    save_relay,
    seller_relay,
)
from crossborder_crm.secret_box import SecretBox, UndecryptableSecret

PASSWORD = "relay-Pa55word-never-shown"
RELAY = {"host": "smtp.shop-a.example", "port": 587, "security": "starttls", "username": "shop-a",
         "password": PASSWORD, "max_connections": 4, "per_second": 2.5, "per_domain_per_minute": 60}


def _save(services, seller_id, **changes):
    return save_relay(services.db, services.clock, services.box, seller_id, {**RELAY, **changes})


def _raw_password(services, seller_id) -> str | None:
    with services.db.engine.connect() as conn:
        return conn.execute(text("SELECT relay_password FROM sellers WHERE id = :id"), {"id": seller_id}).scalar()


def _seller(services, seller_id) -> Seller:
    with services.db.reading() as s:
        seller = s.get(Seller, seller_id)
        s.expunge(seller)
        return seller


def _to_sink(services, seller_id, sink, password=PASSWORD, **changes):
    """The seller's relay pointed at the sink (loopback, so a login without TLS is allowed)."""
    return _save(services, seller_id, host="127.0.0.1", port=sink.port, security="plain", password=password,
                 max_connections=None, per_second=None, per_domain_per_minute=None, **changes)


# ----------------------------------------------------------------------------- storage

def test_the_password_is_stored_encrypted(services, seller_a):
    _save(services, seller_a.seller_id)
    raw = _raw_password(services, seller_a.seller_id)
    assert raw.startswith("fernet:") and PASSWORD not in raw
    assert services.box.decrypt(raw) == PASSWORD


def test_the_view_says_only_that_a_password_is_saved(services, seller_a):
    view = _save(services, seller_a.seller_id)
    assert (view.host, view.port, view.security, view.username, view.has_password) == \
        ("smtp.shop-a.example", 587, "starttls", "shop-a", True)
    assert view.limits == RelayLimits(4, 2.5, 60)
    assert PASSWORD not in repr(view) and not hasattr(view, "password")
    assert load_relay(services.db, seller_a.seller_id) == view


def test_the_seller_relay_carries_the_password_decrypted_and_hides_it_in_repr(services, seller_a):
    _save(services, seller_a.seller_id)
    relay = seller_relay(services.box, _seller(services, seller_a.seller_id))
    assert isinstance(relay, Relay) and relay.key == f"seller:{seller_a.seller_id}"
    assert (relay.smtp.host, relay.smtp.port, relay.smtp.security) == ("smtp.shop-a.example", 587, "starttls")
    assert relay.smtp.username == "shop-a" and relay.smtp.password == PASSWORD
    assert relay.limits == RelayLimits(4, 2.5, 60)
    assert PASSWORD not in repr(relay) and PASSWORD not in repr(relay.smtp)
    assert PASSWORD not in repr(RelayIn.model_validate(RELAY, context={"kept": None}))


def test_a_seller_without_a_relay_uses_the_default(services, seller_a):
    seller = _seller(services, seller_a.seller_id)
    assert seller_relay(services.box, seller) is None and relay_view(seller) is None
    assert default_relay({"MAIL_BACKEND": "file"}) is None
    default = default_relay({"MAIL_BACKEND": "smtp", "SMTP_URL": "smtps://u:p%40ss@mx.example", "SMTP_TIMEOUT": 9})
    assert default.key == "default" and default.smtp.port == 465 and default.smtp.password == "p@ss"
    assert default.limits == RelayLimits()


def test_an_undecryptable_password_names_the_seller(services, seller_a):
    _save(services, seller_a.seller_id)
    other = SecretBox([Fernet.generate_key()])
    with pytest.raises(UndecryptableSecret, match=f"relay password of seller {seller_a.seller_id}"):
        seller_relay(other, _seller(services, seller_a.seller_id))


def test_a_blank_password_keeps_the_saved_one(services, seller_a):
    _save(services, seller_a.seller_id)
    before = _raw_password(services, seller_a.seller_id)
    view = _save(services, seller_a.seller_id, password="", per_second=5)
    assert view.has_password and view.limits.per_second == 5
    assert _raw_password(services, seller_a.seller_id) == before
    _save(services, seller_a.seller_id, password=None, port=2525)
    assert services.box.decrypt(_raw_password(services, seller_a.seller_id)) == PASSWORD


@pytest.mark.parametrize("change", [{"host": "smtp.elsewhere.example"}, {"username": "someone-else"}])
def test_a_saved_password_is_not_sent_to_another_host_or_user_without_typing_it(services, seller_a, change):
    _save(services, seller_a.seller_id)
    with pytest.raises(ValidationFailed) as err:
        _save(services, seller_a.seller_id, password="", **change)
    assert "again" in err.value.fields["password"]
    assert load_relay(services.db, seller_a.seller_id).host == "smtp.shop-a.example"


def test_a_new_password_replaces_the_saved_one(services, seller_a):
    _save(services, seller_a.seller_id)
    _save(services, seller_a.seller_id, password="a-new-password")
    assert services.box.decrypt(_raw_password(services, seller_a.seller_id)) == "a-new-password"


def test_no_user_means_no_login_and_no_saved_password(services, seller_a):
    _save(services, seller_a.seller_id)
    view = _save(services, seller_a.seller_id, username="", password="")
    assert view.username is None and not view.has_password
    assert _raw_password(services, seller_a.seller_id) is None
    assert seller_relay(services.box, _seller(services, seller_a.seller_id)).smtp.username is None


def test_plain_with_a_login_to_a_remote_host_is_refused_naming_security(services, seller_a):
    with pytest.raises(ValidationFailed) as err:
        _save(services, seller_a.seller_id, security="plain")
    assert list(err.value.fields) == ["security"]
    assert "clear" in err.value.fields["security"]
    assert load_relay(services.db, seller_a.seller_id) is None  # nothing saved


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "[::1]"])
def test_plain_with_a_login_is_allowed_to_this_host(services, seller_a, host):
    view = _save(services, seller_a.seller_id, host=host, security="plain", port=None)
    assert view.security == "plain" and view.port == 25


@pytest.mark.parametrize("security,port", [("starttls", 587), ("tls", 465)])
def test_an_empty_port_takes_the_usual_one(services, seller_a, security, port):
    assert _save(services, seller_a.seller_id, security=security, port="").port == port


@pytest.mark.parametrize("change,field", [
    ({"host": "smtp://smtp.example.com"}, "host"), ({"host": "smtp.example.com:587"}, "host"),
    ({"host": "not a host"}, "host"), ({"host": "300.1.2.3"}, "host"), ({"host": ""}, "host"),
    ({"host": "a" * 254}, "host"),
    ({"port": 0}, "port"), ({"port": 65536}, "port"), ({"port": "x"}, "port"),
    ({"security": "ssl"}, "security"),
    ({"password": ""}, "password"),  # nothing saved yet: a user needs a password
    ({"username": "", "password": "orphan"}, "username"),
    ({"password": "line\nbreak"}, "password"), ({"password": "p" * 513}, "password"),
    ({"max_connections": 0}, "max_connections"), ({"max_connections": 101}, "max_connections"),
    ({"per_second": 0}, "per_second"), ({"per_second": -1}, "per_second"), ({"per_second": 5000}, "per_second"),
    ({"per_second": "nan"}, "per_second"),
    ({"per_domain_per_minute": 0}, "per_domain_per_minute"),
    ({"per_domain_per_minute": 10**6}, "per_domain_per_minute"),
    ({"colour": "blue"}, "colour"),
])
def test_a_bad_relay_names_the_field_and_saves_nothing(services, seller_a, change, field):
    with pytest.raises(ValidationFailed) as err:
        _save(services, seller_a.seller_id, **change)
    assert field in err.value.fields
    assert PASSWORD not in str(err.value) and PASSWORD not in str(err.value.fields)
    assert load_relay(services.db, seller_a.seller_id) is None


def test_a_host_is_stored_lower_case_and_in_its_ascii_form(services, seller_a):
    assert _save(services, seller_a.seller_id, host="SMTP.Exämple.COM").host == "smtp.xn--exmple-cua.com"


def test_clearing_forgets_the_relay_and_its_password(services, seller_a):
    _save(services, seller_a.seller_id)
    clear_relay(services.db, seller_a.seller_id)
    assert load_relay(services.db, seller_a.seller_id) is None and _raw_password(services, seller_a.seller_id) is None


# ----------------------------------------------------------------------------- rotation and check

def test_secrets_rotate_reencrypts_the_relay_password(services, seller_a):
    _save(services, seller_a.seller_id)
    new = Fernet.generate_key().decode()
    report = reencrypt_secrets(services.db, SecretBox.from_settings({**services.settings,
                                                                     "ENCRYPTION_KEYS": f"{new},secret-key"}))
    assert report.relay_passwords == 1 and report.dkim_keys == 0
    only_new = SecretBox.from_settings({**services.settings, "ENCRYPTION_KEYS": new})
    assert only_new.decrypt(_raw_password(services, seller_a.seller_id)) == PASSWORD
    with pytest.raises(UndecryptableSecret):
        services.box.decrypt(_raw_password(services, seller_a.seller_id))


def test_secrets_rotate_command_counts_relay_passwords(app, services, seller_a):
    _save(services, seller_a.seller_id)
    r = app.test_cli_runner().invoke(args=["crm", "secrets", "rotate"])
    assert r.exit_code == 0, r.output
    assert "1 relay password(s)" in r.output and PASSWORD not in r.output


def test_the_check_tries_the_relay_password_too(services, seller_a):
    _save(services, seller_a.seller_id)
    ok = encryption_keys(services.settings, services.db.url)
    assert ok.ok and "all 5 stored secret(s)" in ok.detail  # four webhook secrets and the relay password
    wrong = encryption_keys({**services.settings, "ENCRYPTION_KEYS": Fernet.generate_key().decode()},
                            services.db.url)
    assert not wrong.ok and "5 of 5" in wrong.detail


# ----------------------------------------------------------------------------- the test email

def _test_email(services, seller_id, to="lucia@example.es", **settings):
    return send_seller_test_email(services.db, services.clock, services.box, {**services.settings, **settings},
                                  seller_id, to)


def test_the_test_email_reaches_the_relay_and_shows_its_answer(services, seller_a, make_sink):
    sink = make_sink(auth={"shop-a": PASSWORD})
    _to_sink(services, seller_a.seller_id, sink)
    outcome = _test_email(services, seller_a.seller_id)
    assert outcome.ok and outcome.answer == "250 2.0.0 Message accepted for delivery"
    assert sink.logins == [("PLAIN", "shop-a")]
    (mail_from, rcpts, raw), = sink.messages
    assert rcpts == ["lucia@example.es"] and b"Subject: Test email from Shop A" in raw
    assert mail_from == "no-reply@" + services.settings["MAIL_FROM_DOMAIN"]  # Shop A has no from address


def test_a_wrong_password_shows_the_relays_refusal(services, seller_a, make_sink):
    sink = make_sink(auth={"shop-a": "the-right-one"})
    _to_sink(services, seller_a.seller_id, sink)
    outcome = _test_email(services, seller_a.seller_id)
    assert not outcome.ok and sink.messages == []
    assert outcome.answer == (f"authentication refused by 127.0.0.1:{sink.port}: "
                              "535 5.7.8 Authentication credentials invalid")


def test_a_refused_connection_says_so(services, seller_a, unused_port):
    _save(services, seller_a.seller_id, host="127.0.0.1", port=unused_port, security="plain")
    outcome = _test_email(services, seller_a.seller_id)
    assert not outcome.ok and outcome.answer.startswith(f"connection refused by 127.0.0.1:{unused_port}")


def test_a_refused_recipient_shows_the_relays_words(services, seller_a, make_sink):
    sink = make_sink(auth={"shop-a": PASSWORD}, refuse=lambda rcpt: "550 5.1.1 No such mailbox")
    _to_sink(services, seller_a.seller_id, sink)
    outcome = _test_email(services, seller_a.seller_id)
    assert not outcome.ok and outcome.answer == "recipient refused: 550 5.1.1 No such mailbox"


def test_an_untrusted_certificate_is_a_tls_failure(services, seller_a, make_sink, server_tls_context):
    sink = make_sink(tls_context=server_tls_context, auth={"shop-a": PASSWORD})
    _save(services, seller_a.seller_id, host="127.0.0.1", port=sink.port, security="starttls")
    outcome = _test_email(services, seller_a.seller_id)
    assert not outcome.ok and outcome.answer.startswith(f"TLS failure with 127.0.0.1:{sink.port}")
    assert "certificate" in outcome.answer and sink.messages == []


def test_without_an_own_relay_the_test_goes_through_the_services(services, seller_a, sink):
    outcome = _test_email(services, seller_a.seller_id, MAIL_BACKEND="smtp", SMTP_URL=f"smtp://127.0.0.1:{sink.port}")
    assert outcome.ok and len(sink.messages) == 1


def test_with_the_file_backend_the_test_email_is_not_sent_and_says_why(services, seller_a):
    outcome = _test_email(services, seller_a.seller_id, MAIL_BACKEND="file")
    assert not outcome.ok and outcome.answer == FILE_BACKEND


def test_a_bad_test_address_names_the_field(services, seller_a):
    with pytest.raises(ValidationFailed) as err:
        _test_email(services, seller_a.seller_id, to="not-an-address")
    assert "to" in err.value.fields


def test_logs_never_carry_the_password(services, seller_a, make_sink, caplog):
    caplog.set_level(logging.DEBUG)
    sink = make_sink(auth={"shop-a": PASSWORD})
    _to_sink(services, seller_a.seller_id, sink)
    _save(services, seller_a.seller_id, host="127.0.0.1", port=sink.port, security="plain", password="")
    assert _test_email(services, seller_a.seller_id).ok
    with pytest.raises(ValidationFailed):
        _save(services, seller_a.seller_id, security="plain", host="smtp.example.com")
    _to_sink(services, seller_a.seller_id, make_sink(auth={"shop-a": "other"}))
    assert not _test_email(services, seller_a.seller_id).ok
    assert any("test email through 127.0.0.1" in r.getMessage() for r in caplog.records)
    assert PASSWORD not in caplog.text
    assert all(PASSWORD not in repr(r.args) and PASSWORD not in repr(r.__dict__) for r in caplog.records)


# ----------------------------------------------------------------------------- command line

def _cli(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["crm", *args], input=input)


def test_configure_sender_sets_changes_and_clears_the_relay(app, services, seller_a, tmp_path):
    sid = str(seller_a.seller_id)
    secret = tmp_path / "relay-password"
    secret.write_text(PASSWORD + "\n")
    r = _cli(app, "configure-sender", "--seller-id", sid, "--relay-host", "smtp.shop-a.example",
             "--relay-user", "shop-a", "--relay-password-file", str(secret), "--relay-max-connections", "3",
             "--relay-rate", "2.5", "--relay-domain-rate", "30", "--tracking", "on")
    assert r.exit_code == 0, r.output
    assert "relay smtp.shop-a.example:587 (starttls, user shop-a, password saved, 3 connections" in r.output
    assert "tracking on" in r.output and PASSWORD not in r.output
    assert services.box.decrypt(_raw_password(services, seller_a.seller_id)) == PASSWORD

    r = _cli(app, "configure-sender", "--seller-id", sid, "--relay-security", "tls", "--relay-rate", "5")
    assert r.exit_code == 0, r.output
    view = load_relay(services.db, seller_a.seller_id)
    assert (view.port, view.security, view.has_password, view.limits) == (465, "tls", True, RelayLimits(3, 5, 30))

    r = _cli(app, "configure-sender", "--seller-id", sid, "--relay-clear")
    assert r.exit_code == 0 and "relay: the service's" in r.output
    assert load_relay(services.db, seller_a.seller_id) is None


def test_configure_sender_reads_the_password_from_standard_input(app, services, seller_a):
    r = _cli(app, "configure-sender", "--seller-id", str(seller_a.seller_id), "--relay-host", "smtp.shop-a.example",
             "--relay-user", "shop-a", "--relay-password-file", "-", input=PASSWORD + "\n")
    assert r.exit_code == 0, r.output
    assert services.box.decrypt(_raw_password(services, seller_a.seller_id)) == PASSWORD


def test_configure_sender_refuses_plain_with_a_login_and_saves_nothing_at_all(app, services, seller_a):
    r = _cli(app, "configure-sender", "--seller-id", str(seller_a.seller_id), "--from-name", "Changed",
             "--relay-host", "smtp.shop-a.example", "--relay-security", "plain", "--relay-user", "shop-a",
             "--relay-password-file", "-", input=PASSWORD)
    assert r.exit_code == 2 and "security:" in r.output and PASSWORD not in r.output
    assert load_relay(services.db, seller_a.seller_id) is None
    assert _seller(services, seller_a.seller_id).from_name != "Changed"


def test_configure_sender_has_no_password_option(app, seller_a):
    r = _cli(app, "configure-sender", "--seller-id", str(seller_a.seller_id), "--relay-password", PASSWORD)
    assert r.exit_code == 2 and "No such option" in r.output


def test_send_test_email_prints_the_relays_answer(app, services, seller_a, make_sink):
    sink = make_sink(auth={"shop-a": PASSWORD})
    _to_sink(services, seller_a.seller_id, sink)
    r = _cli(app, "send-test-email", "--seller-id", str(seller_a.seller_id), "--to", "lucia@example.es")
    assert r.exit_code == 0, r.output
    assert r.output.strip().endswith("250 2.0.0 Message accepted for delivery") and len(sink.messages) == 1


def test_send_test_email_from_the_command_line_is_not_limited(app, services, seller_a, make_sink):
    sink = make_sink(auth={"shop-a": PASSWORD})
    _to_sink(services, seller_a.seller_id, sink)
    runs = [_cli(app, "send-test-email", "--seller-id", str(seller_a.seller_id), "--to", "lucia@example.es")
            for _ in range(TEST_EMAILS_PER_WINDOW + 1)]
    assert [r.exit_code for r in runs] == [0] * (TEST_EMAILS_PER_WINDOW + 1)
    assert len(sink.messages) == TEST_EMAILS_PER_WINDOW + 1


def test_send_test_email_fails_with_the_reason(app, services, seller_a, unused_port):
    _save(services, seller_a.seller_id, host="127.0.0.1", port=unused_port, security="plain")
    r = _cli(app, "send-test-email", "--seller-id", str(seller_a.seller_id), "--to", "lucia@example.es")
    assert r.exit_code == 1 and "connection refused" in r.output and PASSWORD not in r.output
