"""SMTP transport (smtplib) with connection reuse and error classification.

Built from settings or an ``smtp://`` / ``smtps://`` URL (see
:mod:`.smtp_settings` for the URL forms).

One connection is opened lazily (or by :meth:`SmtpTransport.open`) and
reused for every :meth:`SmtpTransport.send` (see :mod:`.smtp_session`).  If
the server has dropped it in the meantime (found before the end of the data
is written) the transport reconnects once, transparently, before reporting a
transient error.  Once the end of the data is written, a lost reply is
:class:`~.base.OutcomeUnknown`: the message may have been delivered, so it
is left to a later retry with the same Message-ID, never sent again at once.

When the server offers PIPELINING, MAIL FROM, RCPT TO and DATA go out in
one write, else one command at a time (see :mod:`.smtp_transaction`).  A
message with a non-ASCII address goes out with SMTPUTF8 (RFC 6531) where
the server offers it, and fails permanently where it does not.
"""

from __future__ import annotations

import smtplib
from dataclasses import asdict
from typing import Sequence

from .base import BaseTransport, PermanentDeliveryError, TransientDeliveryError, check_send_args
from .smtp_errors import recipients_error, reply_text
from .smtp_session import SmtpSession
from .smtp_settings import SmtpSettings, parse_smtp_url
from .smtp_transaction import complete, envelope_commands, stepwise, utf8_needed_for

__all__ = ["SmtpTransport"]


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
        """Deliver one message or raise a DeliveryError.

        A connection that breaks before the end of the data is replaced once (a pooled connection
        the server had closed); once the end of the data is written, a lost reply raises
        OutcomeUnknown and the message is not sent again here."""
        rcpts = check_send_args(envelope_from, recipients, message)
        data = bytes(message)
        self._deliver(envelope_from, rcpts, data, utf8_needed_for(envelope_from, rcpts, data))

    def _deliver(self, envelope_from: str, rcpts: list[str], data: bytes, utf8: str | None) -> None:
        tries = 2  # the connection found dead before the end of the data is replaced once
        for attempt in range(1, tries + 1):
            self._session.open()
            try:
                self._transaction(envelope_from, rcpts, data, utf8)
                return
            except smtplib.SMTPServerDisconnected as exc:
                # closed before the end of the data (an idle connection the server had dropped):
                # nothing can have been delivered, so a new connection may carry it
                self._session.drop()
                if attempt == tries:
                    raise TransientDeliveryError(f"SMTP server disconnected: {exc}") from exc
            except smtplib.SMTPResponseException as exc:  # an unreadable reply: the stream is out of step
                self._session.drop()
                raise TransientDeliveryError(reply_text(exc.smtp_error), exc.smtp_code) from exc
            except OSError as exc:  # socket errors smtplib did not wrap
                self._session.drop()
                raise TransientDeliveryError(f"SMTP connection error: {exc!r}") from exc

    def _transaction(self, envelope_from: str, rcpts: list[str], data: bytes, utf8: str | None) -> None:
        smtp = self._session.smtp
        assert smtp is not None
        mail_options: list[str] = []
        if utf8 is not None:
            if not smtp.has_extn("smtputf8"):
                raise PermanentDeliveryError(
                    f"the relay does not offer SMTPUTF8, needed for {utf8}", hard_bounce=False)
            mail_options.append("SMTPUTF8")
        commands = envelope_commands(smtp, envelope_from, rcpts, len(data), mail_options)
        if smtp.has_extn("pipelining"):
            smtp.send(b"".join(commands))
            refused = complete(self._session, rcpts, data)
            self.pipelined_transactions += 1
        else:
            refused = stepwise(self._session, commands, rcpts, data)
        if refused:  # delivered to some recipients, refused for others
            raise recipients_error(refused, accepted=[r for r in rcpts if r not in refused])
