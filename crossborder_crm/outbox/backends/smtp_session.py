"""One SMTP session: connect (implicit TLS or STARTTLS), EHLO and AUTH, then reuse, reset or drop it.

The connection is opened on demand and kept for the next message.  After a
4xx/5xx reply the transaction is reset (RSET) so the same connection serves
the next message; a connection that cannot be reset, or that the server
closed, is dropped and the next :meth:`SmtpSession.open` connects again.
"""

from __future__ import annotations

import base64
import smtplib
import socket
import ssl

from .base import DeliveryError, TransientDeliveryError
from .smtp_errors import reply_text
from .smtp_settings import SmtpSettings

__all__ = ["SmtpSession"]


class SmtpSession:
    """The connection to one SMTP server, opened on demand and reused."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        # resolved once, on the first connect: socket.getfqdn() may ask DNS
        self.local_hostname = settings.local_hostname
        self.smtp: smtplib.SMTP | None = None
        #: number of TCP connections opened (diagnostics)
        self.connections_opened = 0

    @property
    def is_open(self) -> bool:
        """True while a connection is open (as far as this side knows)."""
        return self.smtp is not None and getattr(self.smtp, "sock", None) is not None

    def open(self) -> smtplib.SMTP:
        """Connect (TLS, EHLO, AUTH) unless a connection is already open; return it."""
        if not self.is_open:
            self.drop()
            self.smtp = self._connect()
        return self.smtp

    def _ssl_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context()
        if not self.settings.verify:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        return ctx

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if self.local_hostname is None:
            self.local_hostname = socket.getfqdn() or "localhost"
        where = f"{s.host}:{s.port}"
        smtp: smtplib.SMTP | None = None
        try:
            if s.security == "tls":
                smtp = smtplib.SMTP_SSL(
                    s.host,
                    s.port,
                    local_hostname=self.local_hostname,
                    timeout=s.timeout,
                    context=self._ssl_context(),
                )
            else:
                smtp = smtplib.SMTP(s.host, s.port, local_hostname=self.local_hostname, timeout=s.timeout)
            self.connections_opened += 1
            # The end of the data goes out as its own small write after the body: without this,
            # Nagle's algorithm holds it until the server's delayed ACK (~40 ms a message).
            smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            smtp.ehlo_or_helo_if_needed()
            if s.security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise TransientDeliveryError(f"{where} does not offer STARTTLS")
                code, resp = smtp.starttls(context=self._ssl_context())
                if code != 220:
                    raise TransientDeliveryError(f"STARTTLS failed at {where}: {reply_text(resp)}", code)
                smtp.ehlo()
            if s.username is not None:
                _login(smtp, s.username, s.password or "")
            return smtp
        except DeliveryError:
            _close_quietly(smtp)
            raise
        except smtplib.SMTPAuthenticationError as exc:
            _close_quietly(smtp)
            # a configuration problem, not the message's fault: retry later
            raise TransientDeliveryError(
                f"SMTP authentication failed at {where}: {reply_text(exc.smtp_error)}", exc.smtp_code
            ) from exc
        except smtplib.SMTPResponseException as exc:  # bad greeting, EHLO, STARTTLS reply ...
            _close_quietly(smtp)
            raise TransientDeliveryError(
                f"SMTP session setup failed at {where}: {reply_text(exc.smtp_error)}", exc.smtp_code
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            # refused, timeout, DNS, TLS handshake/verification, disconnect,
            # SMTPNotSupportedError (no AUTH offered) ...
            _close_quietly(smtp)
            raise TransientDeliveryError(f"cannot connect to {where}: {exc!r}") from exc

    def drop(self) -> None:
        """Forget the connection without a goodbye (it is broken or in an unknown state)."""
        smtp, self.smtp = self.smtp, None
        _close_quietly(smtp)

    def close(self) -> None:
        """QUIT and close the connection, if one is open."""
        smtp, self.smtp = self.smtp, None
        if smtp is None:
            return
        try:
            if getattr(smtp, "sock", None) is not None:
                smtp.quit()
        except (smtplib.SMTPException, OSError):
            pass
        finally:
            _close_quietly(smtp)

    def reset(self) -> None:
        """RSET after a failed transaction so the connection stays usable (else drop it)."""
        smtp = self.smtp
        if smtp is None or getattr(smtp, "sock", None) is None:
            self.drop()
            return
        try:
            code, _ = smtp.rset()
        except (smtplib.SMTPException, OSError):
            self.drop()
            return
        if code != 250:
            self.drop()

    def reply(self) -> tuple[int, bytes]:
        """Read one reply; a 421 means the server is closing the session."""
        code, text = self.smtp.getreply()
        if code == 421:
            self.drop()
            raise TransientDeliveryError(reply_text(text), code)
        return code, text


def _login(smtp: smtplib.SMTP, username: str, password: str) -> None:
    """AUTH on an open connection; UTF-8 credentials through PLAIN or LOGIN."""
    if username.isascii() and password.isascii():
        smtp.login(username, password)  # CRAM-MD5 / PLAIN / LOGIN
        return
    # smtplib can only send ASCII credentials; PLAIN (RFC 4616) and LOGIN
    # carry UTF-8 fine, so speak them directly.
    if not smtp.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("SMTP AUTH extension not supported by server.")
    mechanisms = smtp.esmtp_features.get("auth", "").upper().split()

    def b64(data: str) -> str:
        return base64.b64encode(data.encode("utf-8")).decode("ascii")

    if "PLAIN" in mechanisms:
        code, resp = smtp.docmd("AUTH", "PLAIN " + b64(f"\0{username}\0{password}"))
    elif "LOGIN" in mechanisms:
        code, resp = smtp.docmd("AUTH", "LOGIN " + b64(username))
        if code == 334:
            code, resp = smtp.docmd(b64(password))
    else:
        raise smtplib.SMTPException("no AUTH mechanism for non-ASCII credentials (need PLAIN or LOGIN)")
    if code not in (235, 503):
        raise smtplib.SMTPAuthenticationError(code, resp)


def _close_quietly(smtp: smtplib.SMTP | None) -> None:
    if smtp is None:
        return
    try:
        smtp.close()
    except Exception:  # noqa: BLE001 - best effort
        pass
