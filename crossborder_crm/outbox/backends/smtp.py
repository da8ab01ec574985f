"""SMTP transport (smtplib) with connection reuse and error classification.

Built from settings or an ``smtp://`` / ``smtps://`` URL (see
:mod:`.smtp_settings` for the URL forms).

One connection is opened lazily (or by :meth:`SmtpTransport.open`) and
reused for every :meth:`SmtpTransport.send` (see :mod:`.smtp_session`).  If
the server has dropped it in the meantime the transport reconnects once,
transparently, before reporting a transient error.

When the server offers PIPELINING, MAIL FROM, RCPT TO and DATA go out in
one write (see :mod:`.smtp_pipelining`).  Without it, smtplib's one command
at a time is used.
"""

from __future__ import annotations

import smtplib
from dataclasses import asdict
from typing import Callable, Sequence

from .base import BaseTransport, PermanentDeliveryError, TransientDeliveryError, check_send_args
from .smtp_errors import Abandoned, recipients_error, reply_error, reply_text, run_before_accept
from .smtp_pipelining import complete, envelope_commands
from .smtp_session import SmtpSession
from .smtp_settings import SmtpSettings, parse_smtp_url

__all__ = ["SmtpTransport"]


def _once(func: Callable[[], None] | None) -> Callable[[], None]:
    """`func` callable any number of times, running only the first time (a retry must not rerun it)."""
    done = func is None

    def call() -> None:
        nonlocal done
        if not done:
            done = True
            func()

    return call


class SmtpTransport(BaseTransport):
    """Deliver messages over SMTP, one reused connection, pipelined when the server allows."""

    def __init__(
        self,
        host: str,
        port: int | None = None,
        *,
        username: str | None = None,
        password: str | None = None,
        security: str = "plain",
        verify: bool = True,
        timeout: float = 30,
        local_hostname: str | None = None,
    ) -> None:
        self.settings = SmtpSettings(
            host, port, username=username, password=password, security=security, verify=verify,
            timeout=timeout, local_hostname=local_hostname,
        )
        self._session = SmtpSession(self.settings)
        # (envelope_from, rcpts, data, envelope already written) between begin() and finish()
        self._begun: tuple[str, list[str], bytes, bool] | None = None
        #: transactions sent with RFC 2920 pipelining (when the server offers it)
        self.pipelined_transactions = 0

    @classmethod
    def from_url(cls, url: str, timeout: float = 30) -> "SmtpTransport":
        """A transport for an ``smtp://`` or ``smtps://`` URL (not yet connected)."""
        return cls(**asdict(parse_smtp_url(url, timeout)))

    host = property(lambda self: self.settings.host, doc="The server's host name or address.")
    port = property(lambda self: self.settings.port, doc="The server's port.")
    username = property(lambda self: self.settings.username, doc="The AUTH user (None: no AUTH).")
    security = property(lambda self: self.settings.security, doc='"plain", "starttls" or "tls".')
    verify = property(lambda self: self.settings.verify, doc="Whether the server's certificate is checked.")
    timeout = property(lambda self: self.settings.timeout, doc="Seconds to wait for the server.")

    @property
    def local_hostname(self) -> str | None:
        """The name sent in EHLO (the local FQDN once connected, unless one was given)."""
        return self._session.local_hostname

    @property
    def connections_opened(self) -> int:
        """Number of TCP connections this transport has opened (diagnostics)."""
        return self._session.connections_opened

    def __repr__(self) -> str:  # never show the password
        user = f"{self.username}@" if self.username else ""
        return (
            f"SmtpTransport({self.security} {user}{self.host}:{self.port}, "
            f"verify={self.verify}, timeout={self.timeout})"
        )

    # ------------------------------------------------------------- connection

    @property
    def is_open(self) -> bool:
        """True while a connection is open."""
        return self._session.is_open

    def open(self) -> None:
        """Connect (TLS, EHLO, AUTH) unless a connection is already open."""
        self._session.open()

    def close(self) -> None:
        """QUIT and close the connection, if one is open."""
        self._session.close()

    # ------------------------------------------------------------------ send

    def send(self, envelope_from: str, recipients: Sequence[str], message: bytes) -> None:
        """Deliver one message or raise a DeliveryError."""
        self.begin(envelope_from, recipients, message)
        self.finish()

    def begin(self, envelope_from: str, recipients: Sequence[str], message: bytes) -> None:
        """On an open connection to a PIPELINING server, write MAIL, RCPT and DATA now; the caller
        works while they travel, and finish() reads the replies and sends the body."""
        rcpts = check_send_args(envelope_from, recipients, message)
        self._begun = (envelope_from, rcpts, bytes(message), False)
        smtp = self._session.smtp
        if not self.is_open or not smtp.has_extn("pipelining"):
            return
        if not all(a.isascii() for a in [envelope_from, *rcpts]):
            return  # SMTPUTF8 is negotiated by the full path in finish()
        try:
            smtp.send(envelope_commands(smtp, envelope_from, rcpts, len(self._begun[2]), []))
        except (smtplib.SMTPServerDisconnected, OSError):
            self._session.drop()  # finish() reconnects and sends the whole transaction
            return
        self._begun = self._begun[:3] + (True,)

    def finish(self, before_accept: Callable[[], None] | None = None) -> None:
        """Complete the message given to begin(); raises what send() raises. `before_accept` runs
        once, at the last moment before the server can accept the message (the body is already
        on its way); if it raises, the message is abandoned, never delivered."""
        begun, self._begun = self._begun, None
        if begun is None:
            raise RuntimeError("finish() without begin()")
        envelope_from, rcpts, data, started = begun
        before_accept = _once(before_accept)
        try:
            if started:
                try:
                    self._complete(rcpts, data, before_accept)
                    return
                except smtplib.SMTPServerDisconnected:
                    self._session.drop()  # the server had closed the connection: start again on a new one
                except OSError as exc:
                    self._session.drop()
                    raise TransientDeliveryError(f"SMTP connection error: {exc!r}") from exc
            self._deliver(envelope_from, rcpts, data, before_accept)
        except Abandoned as abandoned:
            raise abandoned.error from None  # the caller's own failure, not a delivery error

    def _deliver(self, envelope_from: str, rcpts: list[str], data: bytes,
                 before_accept: Callable[[], None] = lambda: None) -> None:
        for attempt in (1, 2):
            self._session.open()
            try:
                self._transaction(envelope_from, rcpts, data, before_accept)
                return
            except smtplib.SMTPServerDisconnected as exc:
                # the server closed the (idle) connection, or it broke
                # mid-transaction: reconnect once, then give up
                self._session.drop()
                if attempt == 2:
                    raise TransientDeliveryError(f"SMTP server disconnected: {exc}") from exc
            except OSError as exc:  # socket errors smtplib did not wrap
                self._session.drop()
                raise TransientDeliveryError(f"SMTP connection error: {exc!r}") from exc

    def _transaction(self, envelope_from: str, rcpts: list[str], data: bytes,
                     before_accept: Callable[[], None]) -> None:
        smtp = self._session.smtp
        assert smtp is not None
        mail_options: list[str] = []
        if not all(a.isascii() for a in [envelope_from, *rcpts]):
            if not smtp.has_extn("smtputf8"):
                raise PermanentDeliveryError(
                    "non-ASCII envelope address but the server lacks SMTPUTF8", hard_bounce=False
                )
            mail_options.append("SMTPUTF8")
        if smtp.has_extn("pipelining"):
            smtp.send(envelope_commands(smtp, envelope_from, rcpts, len(data), mail_options))
            self._complete(rcpts, data, before_accept)
            return
        run_before_accept(before_accept)  # smtplib sends the body and its end in one go
        try:
            refused = smtp.sendmail(envelope_from, rcpts, data, mail_options=mail_options)
        except smtplib.SMTPRecipientsRefused as exc:
            self._session.reset()
            raise recipients_error(exc.recipients, accepted=()) from exc
        except smtplib.SMTPSenderRefused as exc:
            self._session.reset()
            raise reply_error("sender refused", exc.smtp_code, exc.smtp_error, hard_bounce=False) from exc
        except smtplib.SMTPDataError as exc:
            self._session.reset()
            raise reply_error("message refused", exc.smtp_code, exc.smtp_error, hard_bounce=False) from exc
        except smtplib.SMTPServerDisconnected:
            raise
        except smtplib.SMTPResponseException as exc:  # e.g. SMTPHeloError
            self._session.reset()
            raise TransientDeliveryError(reply_text(exc.smtp_error), exc.smtp_code) from exc
        except smtplib.SMTPNotSupportedError as exc:
            self._session.reset()
            raise PermanentDeliveryError(str(exc), hard_bounce=False) from exc
        if refused:
            # delivered to some recipients, refused for others
            accepted = [r for r in rcpts if r not in refused]
            raise recipients_error(refused, accepted=accepted)

    def _complete(self, rcpts: list[str], data: bytes, before_accept: Callable[[], None]) -> None:
        """The rest of a pipelined transaction whose envelope is on its way."""
        refused = complete(self._session, rcpts, data, before_accept)
        self.pipelined_transactions += 1
        if refused:
            raise recipients_error(refused, accepted=[r for r in rcpts if r not in refused])
