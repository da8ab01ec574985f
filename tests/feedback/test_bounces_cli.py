"""`crossborder-crm bounces read` (a DSN on stdin) and `bounces fetch` (the bounce mailbox over IMAP)."""
import pytest

from crossborder_crm import create_app
from crossborder_crm.feedback.cli import bounces
from crossborder_crm.worker import bounce_mailbox_job
from tests.feedback.conftest import Feed, add_buyer, sent_message
from tests.feedback.imap_standin import ImapStandIn, Mailbox
from tests.feedback.payloads import dsn


@pytest.fixture
def ana(services, seller_a):
    """Seller A's buyer Ana and the message of ours that bounced."""
    buyer = add_buyer(services, seller_a.seller_id, "ana@example.es")
    return sent_message(services, seller_a, buyer.id, "ana@example.es")


@pytest.fixture
def feed(client, services, seller_a):
    return Feed(client, services, seller_a, "")


@pytest.fixture
def imap_app(database, clock, tmp_path):
    """An app reading the stand-in mailbox on `port` with `password` (plain IMAP on loopback)."""
    def build(port: int, password: str = "imap secret"):
        return create_app({"MAIL_DIR": str(tmp_path / "mail"), "DATABASE_URL": database.url,
                           "BOUNCE_IMAP_HOST": "127.0.0.1", "BOUNCE_IMAP_PORT": port, "BOUNCE_IMAP_SSL": False,
                           "BOUNCE_IMAP_STARTTLS": False, "BOUNCE_IMAP_USER": "bounces@crm.example",
                           "BOUNCE_IMAP_PASSWORD": password}, env="test", clock=clock, db=database)
    return build


def _read(app, raw: bytes, *args: str):
    return app.test_cli_runner().invoke(bounces, ["read", *args], input=raw)


def test_a_postfix_hard_bounce_on_stdin_suppresses_the_address(app, ana, feed):
    r = _read(app, dsn("postfix_user_unknown.eml", "ana@example.es", ana.rfc_message_id, ana.id))
    assert r.exit_code == 0 and "hard_bounce ana@example.es: suppressed for all mail" in r.output
    assert feed.suppression("ana@example.es") == ("hard_bounce", "all")


def test_the_dsn_is_stored_raw_against_our_message(app, ana, feed):
    raw = dsn("postfix_user_unknown.eml", "ana@example.es", ana.rfc_message_id, ana.id)
    _read(app, raw)
    [event] = feed.events()
    assert (event.source, event.message_id, event.buyer_id, event.raw) == ("dsn", ana.id, ana.buyer_id, raw)


def test_an_exchange_ndr_is_matched_through_its_attached_original(app, services, seller_a, feed):
    buyer = add_buyer(services, seller_a.seller_id, "ana@contoso.com")
    msg = sent_message(services, seller_a, buyer.id, "ana@contoso.com")
    r = _read(app, dsn("exchange_recipient_not_found.eml", "ana@contoso.com", msg.rfc_message_id, msg.id))
    assert r.exit_code == 0 and feed.events()[0].message_id == msg.id


def test_a_gmail_mailbox_full_is_counted_as_a_soft_bounce(app, ana, feed):
    r = _read(app, dsn("gmail_mailbox_full.eml", "ana@example.es", ana.rfc_message_id, ana.id))
    assert "soft_bounce ana@example.es: counted toward the soft-bounce limit" in r.output
    assert feed.suppression("ana@example.es") is None


def test_the_same_dsn_twice_changes_nothing_the_second_time(app, ana, feed):
    raw = dsn("postfix_user_unknown.eml", "ana@example.es", ana.rfc_message_id, ana.id)
    _read(app, raw)
    again = _read(app, raw)
    assert again.exit_code == 0 and "already recorded" in again.output and len(feed.events()) == 1


def test_a_dsn_naming_no_message_of_ours_is_not_recorded(app, ana, feed):
    r = _read(app, dsn("postfix_user_unknown.eml", "ana@example.es"))
    assert r.exit_code == 0 and "no message of ours" in r.output and feed.events() == []


def test_with_the_seller_key_a_dsn_is_matched_by_recipient(app, ana, feed, seller_a):
    r = _read(app, dsn("postfix_user_unknown.eml", "ana@example.es"), "--seller", seller_a.seller_key)
    assert r.exit_code == 0 and feed.events()[0].buyer_id == ana.buyer_id


def test_an_unknown_seller_key_is_a_usage_error(app, ana):
    r = _read(app, dsn("postfix_user_unknown.eml", "ana@example.es"), "--seller", "nosuchkey")
    assert r.exit_code == 2 and "--seller" in r.output


def test_a_delay_warning_records_nothing(app, ana, feed):
    r = _read(app, dsn("postfix_delayed.eml", "ana@example.es", ana.rfc_message_id, ana.id))
    assert "delays only" in r.output and feed.events() == []


def test_a_message_that_is_not_a_dsn_records_nothing(app, feed):
    r = _read(app, b"From: ana@example.es\r\nSubject: Re: your parcel\r\n\r\nThanks!\r\n")
    assert r.exit_code == 0 and "not a delivery status notification" in r.output


def test_fetch_records_the_unseen_dsns_and_marks_them_seen(imap_app, ana, feed):
    box = Mailbox("bounces@crm.example", "imap secret", [
        dsn("postfix_user_unknown.eml", "ana@example.es", ana.rfc_message_id, ana.id),
        b"From: someone@example.com\r\nSubject: hello\r\n\r\nnot a bounce\r\n"])
    with ImapStandIn(box) as server:
        r = imap_app(server.port).test_cli_runner().invoke(bounces, ["fetch"])
    assert r.exit_code == 0 and "2 messages: not_a_dsn 1, recorded 1" in r.output
    assert box.seen == {1, 2} and feed.suppression("ana@example.es") == ("hard_bounce", "all")


def test_fetch_with_a_wrong_password_says_so(imap_app):
    with ImapStandIn(Mailbox("bounces@crm.example", "imap secret", [])) as server:
        r = imap_app(server.port, "wrong").test_cli_runner().invoke(bounces, ["fetch"])
    assert r.exit_code == 1 and "bounce mailbox" in r.output


def test_fetch_without_a_mailbox_configured_is_a_usage_error(app):
    r = app.test_cli_runner().invoke(bounces, ["fetch"])
    assert r.exit_code == 2 and "CRM_BOUNCE_IMAP_HOST" in r.output


def test_the_worker_reads_the_bounce_mailbox_when_one_is_configured(imap_app, ana, feed):
    box = Mailbox("bounces@crm.example", "imap secret",
                  [dsn("postfix_user_unknown.eml", "ana@example.es", ana.rfc_message_id, ana.id)])
    with ImapStandIn(box) as server:
        bounce_mailbox_job(imap_app(server.port).extensions["crm"], "worker-1")
    assert box.seen == {1} and feed.suppression("ana@example.es") == ("hard_bounce", "all")


def test_the_worker_leaves_the_mailbox_alone_when_none_is_configured(app, ana, feed):
    bounce_mailbox_job(app.extensions["crm"], "worker-1")  # no BOUNCE_IMAP_HOST: nothing to read, no error
    assert feed.events() == []


def test_the_worker_survives_a_mailbox_that_refuses_it(imap_app, ana, feed, caplog):
    with ImapStandIn(Mailbox("bounces@crm.example", "imap secret", [])) as server:
        bounce_mailbox_job(imap_app(server.port, "wrong").extensions["crm"], "worker-1")
    assert "bounce mailbox" in caplog.text and feed.events() == []
