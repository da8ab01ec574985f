"""'Send a test email': one short plain message through a relay, and the relay's own answer, or the
precise reason it failed (connection refused, TLS, login refused, recipient refused).

The SMTP transport only says whether a message was accepted; the seller wants the relay's words, so
the session (connect, TLS, login) is the transport's and the transaction is smtplib's, whose DATA
returns the final reply. The password never appears in an answer or a log line.

From the panel a seller sends at most TEST_EMAILS_PER_WINDOW test emails per window; the CLI's
`send-test-email` is the operator's and is not limited.
"""
from __future__ import annotations

import logging
import smtplib
import socket
import ssl
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Mapping

from crossborder_crm.accounts.models import Seller
from crossborder_crm.accounts.throttle import count_in_window
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.errors import CrmError, NotFound, ValidationFailed, reason_of
from crossborder_crm.ops.logging_setup import mask_addresses
from crossborder_crm.outbox.backends.base import DeliveryError
from crossborder_crm.outbox.backends.smtp_errors import reply_text
from crossborder_crm.outbox.backends.smtp_session import SmtpSession
from crossborder_crm.outbox.backends.smtp_settings import SmtpSettings
from crossborder_crm.outbox.backends.smtp_transaction import utf8_needed_for
from crossborder_crm.outbox.message_id import make_message_id
from crossborder_crm.outbox.mime import OutgoingEmail, build_message
from crossborder_crm.outbox.relays import default_relay, seller_relay
from crossborder_crm.secret_box import SecretBox, UndecryptableSecret
from crossborder_crm.validation import check_email

log = logging.getLogger(__name__)

__all__ = ["FILE_BACKEND", "TEST_EMAILS_PER_WINDOW", "TEST_EMAIL_WINDOW_SECONDS", "TestOutcome",
           "TooManyTestEmails", "send_seller_test_email", "send_test_email"]

# A seller waits for the answer on the page: a relay that has not answered by then will not.
TEST_TIMEOUT_SECONDS = 20.0
FILE_BACKEND = ("not sent: this service writes email to files (CRM_MAIL_BACKEND=file), there is no relay "
                "to test; save your own relay, or ask the operator to send over SMTP")
# Shorter passwords are not looked for in answers: replacing every "abc" would garble the text.
_SCRUB_MIN = 6
# A seller checking a relay needs a few tries in a row, not more; a stolen panel session must not
# turn the test into a way to mail any address through the service's relay (some 30 an hour).
# Counted per seller in a fixed window that opens with the first test email.
TEST_EMAILS_PER_WINDOW = 5
TEST_EMAIL_WINDOW_SECONDS = 600
# Its key in the login_throttle table, beside "account:…" and "client:…".
TEST_EMAIL_KEY = "test-email"


class TooManyTestEmails(CrmError):
    """The seller has sent as many test emails as this window allows (429); nothing was sent."""

    code = "rate_limited"
    status = 429

    def __init__(self, retry_after: int):
        super().__init__(f"not sent: at most {TEST_EMAILS_PER_WINDOW} test emails every "
                         f"{TEST_EMAIL_WINDOW_SECONDS // 60} minutes; try again in {retry_after} s")
        self.retry_after = retry_after
        self.limit = TEST_EMAILS_PER_WINDOW
        self.window_seconds = TEST_EMAIL_WINDOW_SECONDS


@dataclass(frozen=True)
class TestOutcome:
    """Whether the relay accepted the test email, and its answer (or the reason it was not sent)."""

    __test__ = False  # not a pytest class, whatever its name

    ok: bool
    answer: str


def build_test_message(from_addr: str, to_addr: str, seller_name: str, now: datetime) -> bytes:
    """The test email: short, plain text, a Message-ID of its own."""
    domain = from_addr.rpartition("@")[2] or "localhost"
    message_id = make_message_id("relay-test", f"{seller_name}\x00{to_addr}\x00{now.isoformat()}", domain)
    text = (f"This test email was sent from the settings of {seller_name} to check that email goes out "
            f"through its relay. It arrived, so the relay works. No reply is needed.\n")
    return build_message(OutgoingEmail(
        from_addr=from_addr, from_name=seller_name, to_addr=to_addr, to_name="",
        subject=f"Test email from {seller_name}", text=text, html="", message_id=message_id, date=now,
        headers=(("X-CRM-Test", "relay"),)))


def _one_line(code: int, text: bytes | str | None) -> str:
    return f"{code} {' / '.join(reply_text(text).splitlines())}".strip()


def _connect_failure(exc: DeliveryError, s: SmtpSettings) -> str:
    """What went wrong while connecting, starting TLS or logging in, in the seller's terms."""
    where, cause = f"{s.host}:{s.port}", exc.__cause__
    if isinstance(cause, smtplib.SMTPAuthenticationError):
        return f"authentication refused by {where}: {_one_line(cause.smtp_code, cause.smtp_error)}"
    if isinstance(cause, smtplib.SMTPNotSupportedError):
        return f"{where} does not offer AUTH, so it cannot log in as {s.username}"
    if isinstance(cause, ConnectionRefusedError):
        return f"connection refused by {where}: nothing accepts connections there (check the host and the port)"
    if isinstance(cause, socket.gaierror):
        return f"the host {s.host} was not found ({cause.strerror})"
    if isinstance(cause, ssl.SSLCertVerificationError):
        return f"TLS failure with {where}: its certificate was not accepted ({cause.verify_message})"
    if isinstance(cause, ssl.SSLError):
        return f"TLS failure with {where}: {cause.reason or cause}"
    if isinstance(cause, TimeoutError):
        return f"no answer from {where} within {s.timeout:g} seconds"
    if isinstance(cause, smtplib.SMTPServerDisconnected):
        return f"{where} closed the connection before the test email could be sent ({cause})"
    return str(exc)  # the session's own words: no STARTTLS offered, a refused greeting or EHLO …


def _transaction(smtp: smtplib.SMTP, from_addr: str, to_addr: str, raw: bytes) -> TestOutcome:
    """MAIL, RCPT and DATA one at a time, so a refusal names its step."""
    options = []
    needs = utf8_needed_for(from_addr, [to_addr], raw)
    if needs is not None:
        if not smtp.has_extn("smtputf8"):
            return TestOutcome(False, f"the relay does not offer SMTPUTF8, needed for {needs}")
        options.append("SMTPUTF8")
    code, text = smtp.mail(from_addr, options)
    if code != 250:
        return TestOutcome(False, f"sender refused: {_one_line(code, text)}")
    code, text = smtp.rcpt(to_addr)
    if code not in (250, 251):
        return TestOutcome(False, f"recipient refused: {_one_line(code, text)}")
    try:
        code, text = smtp.data(raw)
    except smtplib.SMTPDataError as exc:  # DATA itself refused
        return TestOutcome(False, f"message refused: {_one_line(exc.smtp_code, exc.smtp_error)}")
    if code != 250:
        return TestOutcome(False, f"message refused: {_one_line(code, text)}")
    return TestOutcome(True, _one_line(code, text))


def _send(settings: SmtpSettings, from_addr: str, to_addr: str, raw: bytes) -> TestOutcome:
    session = SmtpSession(settings)
    try:
        try:
            smtp = session.open()
        except DeliveryError as exc:
            return TestOutcome(False, _connect_failure(exc, settings))
        try:
            return _transaction(smtp, from_addr, to_addr, raw)
        except smtplib.SMTPServerDisconnected as exc:
            return TestOutcome(False, f"{settings.host}:{settings.port} closed the connection ({exc})")
        except (smtplib.SMTPException, OSError) as exc:
            return TestOutcome(False, f"the connection to {settings.host}:{settings.port} failed: {exc!r}")
    finally:
        session.close()


def _scrubbed(answer: str, password: str | None) -> str:
    if password and len(password) >= _SCRUB_MIN:
        return answer.replace(password, "***")
    return answer


def send_test_email(relay_or_default: SmtpSettings, from_addr: str, to_addr: str, seller_name: str,
                    now: datetime) -> TestOutcome:
    """Send the test email through the relay; its final answer ("250 2.0.0 Ok: queued as …") or why not."""
    settings = replace(relay_or_default, timeout=min(relay_or_default.timeout, TEST_TIMEOUT_SECONDS))
    try:
        raw = build_test_message(from_addr, to_addr, seller_name, now)
    except ValueError as exc:
        outcome = TestOutcome(False, f"the test email cannot be written: {exc}")
    else:
        outcome = _send(settings, from_addr, to_addr, raw)
    outcome = TestOutcome(outcome.ok, _scrubbed(outcome.answer, settings.password))
    log.info("test email through %s:%s (%s): %s", settings.host, settings.port, settings.security,
             mask_addresses(outcome.answer), extra={"event": "relay_test", "ok": outcome.ok})
    return outcome


def _count_test_email(db: Database, seller_id: int, now: datetime) -> None:
    """Count one test email of the seller, in its own transaction so no lock waits on the relay."""
    with db.transaction() as s:
        wait = count_in_window(s, f"{TEST_EMAIL_KEY}:{seller_id}", now, TEST_EMAILS_PER_WINDOW,
                               TEST_EMAIL_WINDOW_SECONDS)
    if wait is not None:
        raise TooManyTestEmails(wait)


def send_seller_test_email(db: Database, clock: Clock, box: SecretBox, settings: Mapping[str, Any],
                           seller_id: int, to_addr: str, *, limited: bool = False) -> TestOutcome:
    """The test email from a seller: through their own relay, else the service's (none with the file backend).

    `limited` (the panel): TooManyTestEmails past TEST_EMAILS_PER_WINDOW in the window, before anything is sent.
    """
    try:
        to = check_email(to_addr or "")
    except ValueError as exc:
        raise ValidationFailed(f"invalid to: {exc}", {"to": reason_of(exc)}) from None
    if to is None:
        raise ValidationFailed("invalid to: is required", {"to": "is required"})
    with db.reading() as s:
        seller = s.get(Seller, seller_id)
        if seller is None:
            raise NotFound(f"seller {seller_id} not found")
        name, from_email = seller.name, seller.from_email
        try:
            relay = seller_relay(box, seller)
        except UndecryptableSecret as exc:
            return TestOutcome(False, f"not sent: {exc}")
    if relay is None:
        try:
            relay = default_relay(settings)
        except ValueError as exc:
            return TestOutcome(False, f"not sent: CRM_SMTP_URL: {exc}")
    if relay is None:
        return TestOutcome(False, FILE_BACKEND)
    from_addr = from_email or f"no-reply@{settings.get('MAIL_FROM_DOMAIN') or 'localhost'}"
    now = clock.now()
    if limited:  # only what would reach a relay counts: a mistyped address or no relay costs nothing
        _count_test_email(db, seller_id, now)
    return send_test_email(relay.smtp, from_addr, to, name, now)
