"""SMTP transport (smtplib) with connection reuse and error classification.

URL forms accepted by :meth:`SmtpTransport.from_url`::

    smtp://host                      plain, port 25
    smtp://user:pass@host:587?starttls=1
    smtps://user:pass@host           implicit TLS, port 465
    ...?verify=0                     accept self-signed / mismatching certs
    ...?helo=mta.example.com         name sent in EHLO (default: local FQDN)

User and password are percent-decoded (``%40`` for ``@`` and so on).

One connection is opened lazily (or by :meth:`open`) and reused for every
:meth:`send`.  If the server has dropped it in the meantime the transport
reconnects once, transparently, before reporting a transient error.  After a
4xx/5xx reply the SMTP transaction is reset (RSET) so the same connection
serves the next message.

When the server offers PIPELINING (RFC 2920, every mainstream MTA does) a
message costs two round trips instead of four: MAIL FROM, RCPT TO and DATA
go out in one write, then the body.  Without it, smtplib's one command at a
time is used.
"""

from __future__ import annotations

import base64
import re
import smtplib
import socket
import ssl
from typing import Callable, Sequence
from urllib.parse import parse_qsl, unquote, urlsplit

from .base import (
    BaseTransport,
    DeliveryError,
    PermanentDeliveryError,
    TransientDeliveryError,
    check_send_args,
)

__all__ = ["SmtpTransport"]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
_SECURITY = ("plain", "starttls", "tls")
# 530 auth/STARTTLS required, 534 mechanism too weak, 535 bad credentials,
# 538 encryption required for mechanism (RFC 4954 / 3207)
_SESSION_POLICY_CODES = frozenset({530, 534, 535, 538})
# RFC 5321 4.5.2: a line of the body that starts with "." gets one more.
_LEADING_DOT = re.compile(rb"(?m)^\.")


def _flag(name: str, value: str) -> bool:
    v = value.strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise ValueError(f"invalid value for {name!r} in SMTP URL: {value!r}")


def _text(resp: bytes | str | None) -> str:
    if resp is None:
        return ""
    if isinstance(resp, bytes):
        return resp.decode("utf-8", "replace")
    return str(resp)


class _Abandoned(Exception):
    """`before_accept` failed: carries its exception past the SMTP error handling unchanged."""

    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error


def _call(before_accept: Callable[[], None]) -> None:
    try:
        before_accept()
    except Exception as exc:
        raise _Abandoned(exc) from exc


def _once(func: Callable[[], None] | None) -> Callable[[], None]:
    """`func` callable any number of times, running only the first time (a retry must not rerun it)."""
    done = func is None

    def call() -> None:
        nonlocal done
        if not done:
            done = True
            func()

    return call


def _is_ascii(s: str) -> bool:
    try:
        s.encode("ascii")
    except UnicodeEncodeError:
        return False
    return True


class SmtpTransport(BaseTransport):
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
        if not host:
            raise ValueError("SMTP host is required")
        if security not in _SECURITY:
            raise ValueError(f"security must be one of {_SECURITY}, not {security!r}")
        if (username is None) != (password is None):
            raise ValueError("SMTP username and password must be given together")
        self.host = host
        self.port = int(port) if port else (465 if security == "tls" else 25)
        self.username = username
        self._password = password
        self.security = security
        self.verify = verify
        self.timeout = float(timeout)
        self.local_hostname = local_hostname
        self._smtp: smtplib.SMTP | None = None
        # (envelope_from, rcpts, data, envelope already written) between begin() and finish()
        self._begun: tuple[str, list[str], bytes, bool] | None = None
        #: number of TCP connections this transport has opened (diagnostics)
        self.connections_opened = 0
        #: transactions sent with RFC 2920 pipelining (when the server offers it)
        self.pipelined_transactions = 0

    # ------------------------------------------------------------------ setup

    @classmethod
    def from_url(cls, url: str, timeout: float = 30) -> "SmtpTransport":
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("smtp", "smtps"):
            raise ValueError("SMTP URL must start with smtp:// or smtps://")
        host = parts.hostname
        if not host:
            raise ValueError("SMTP URL has no host")
        try:
            port = parts.port
        except ValueError:
            raise ValueError("SMTP URL has an invalid port") from None
        starttls = False
        verify = True
        helo = None
        for key, value in parse_qsl(parts.query, keep_blank_values=True):
            if key == "starttls":
                starttls = _flag(key, value)
            elif key == "verify":
                verify = _flag(key, value)
            elif key == "helo":
                helo = value or None
            else:
                raise ValueError(f"unknown SMTP URL parameter: {key!r}")
        if scheme == "smtps" and starttls:
            raise ValueError("smtps:// is implicit TLS; do not combine it with starttls=1")
        username = unquote(parts.username) if parts.username is not None else None
        password = unquote(parts.password) if parts.password is not None else None
        if username is not None and password is None:
            password = ""
        return cls(
            host,
            port,
            username=username or None,
            password=password if username else None,
            security="tls" if scheme == "smtps" else ("starttls" if starttls else "plain"),
            verify=verify,
            timeout=timeout,
            local_hostname=helo,
        )

    def __repr__(self) -> str:  # never show the password
        user = f"{self.username}@" if self.username else ""
        return (
            f"SmtpTransport({self.security} {user}{self.host}:{self.port}, "
            f"verify={self.verify}, timeout={self.timeout})"
        )

    def _ssl_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context()
        if not self.verify:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        return ctx

    # ------------------------------------------------------------- connection

    @property
    def is_open(self) -> bool:
        return self._smtp is not None and getattr(self._smtp, "sock", None) is not None

    def open(self) -> None:
        """Connect (TLS, EHLO, AUTH) unless a connection is already open."""
        if self.is_open:
            return
        self._drop()
        self._smtp = self._connect()

    def _connect(self) -> smtplib.SMTP:
        if self.local_hostname is None:
            self.local_hostname = socket.getfqdn() or "localhost"
        where = f"{self.host}:{self.port}"
        smtp: smtplib.SMTP | None = None
        try:
            if self.security == "tls":
                smtp = smtplib.SMTP_SSL(
                    self.host,
                    self.port,
                    local_hostname=self.local_hostname,
                    timeout=self.timeout,
                    context=self._ssl_context(),
                )
            else:
                smtp = smtplib.SMTP(
                    self.host, self.port, local_hostname=self.local_hostname, timeout=self.timeout
                )
            self.connections_opened += 1
            # The end of the data goes out as its own small write after the body: without this,
            # Nagle's algorithm holds it until the server's delayed ACK (~40 ms a message).
            smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            smtp.ehlo_or_helo_if_needed()
            if self.security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise TransientDeliveryError(f"{where} does not offer STARTTLS")
                code, resp = smtp.starttls(context=self._ssl_context())
                if code != 220:
                    raise TransientDeliveryError(f"STARTTLS failed at {where}: {_text(resp)}", code)
                smtp.ehlo()
            if self.username is not None:
                self._login(smtp, self.username, self._password or "")
            return smtp
        except DeliveryError:
            self._close_quietly(smtp)
            raise
        except smtplib.SMTPAuthenticationError as exc:
            self._close_quietly(smtp)
            # a configuration problem, not the message's fault: retry later
            raise TransientDeliveryError(
                f"SMTP authentication failed at {where}: {_text(exc.smtp_error)}", exc.smtp_code
            ) from exc
        except smtplib.SMTPResponseException as exc:  # bad greeting, EHLO, STARTTLS reply ...
            self._close_quietly(smtp)
            raise TransientDeliveryError(
                f"SMTP session setup failed at {where}: {_text(exc.smtp_error)}", exc.smtp_code
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            # refused, timeout, DNS, TLS handshake/verification, disconnect,
            # SMTPNotSupportedError (no AUTH offered) ...
            self._close_quietly(smtp)
            raise TransientDeliveryError(f"cannot connect to {where}: {exc!r}") from exc

    @staticmethod
    def _login(smtp: smtplib.SMTP, username: str, password: str) -> None:
        if _is_ascii(username) and _is_ascii(password):
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

    @staticmethod
    def _close_quietly(smtp: smtplib.SMTP | None) -> None:
        if smtp is None:
            return
        try:
            smtp.close()
        except Exception:  # noqa: BLE001 - best effort
            pass

    def _drop(self) -> None:
        smtp, self._smtp = self._smtp, None
        self._close_quietly(smtp)

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            if getattr(smtp, "sock", None) is not None:
                smtp.quit()
        except (smtplib.SMTPException, OSError):
            pass
        finally:
            self._close_quietly(smtp)

    def _reset(self) -> None:
        """RSET after a failed transaction so the connection stays usable."""
        smtp = self._smtp
        if smtp is None or getattr(smtp, "sock", None) is None:
            self._drop()
            return
        try:
            code, _ = smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._drop()
            return
        if code != 250:
            self._drop()

    # ------------------------------------------------------------------ send

    def send(self, envelope_from: str, recipients: Sequence[str], message: bytes) -> None:
        self.begin(envelope_from, recipients, message)
        self.finish()

    def begin(self, envelope_from: str, recipients: Sequence[str], message: bytes) -> None:
        """On an open connection to a PIPELINING server, write MAIL, RCPT and DATA now; the caller
        works while they travel, and finish() reads the replies and sends the body."""
        rcpts = check_send_args(envelope_from, recipients, message)
        self._begun = (envelope_from, rcpts, bytes(message), False)
        smtp = self._smtp
        if not self.is_open or not smtp.has_extn("pipelining"):
            return
        if not all(_is_ascii(a) for a in [envelope_from, *rcpts]):
            return  # SMTPUTF8 is negotiated by the full path in finish()
        try:
            smtp.send(self._envelope(smtp, envelope_from, rcpts, len(self._begun[2]), []))
        except (smtplib.SMTPServerDisconnected, OSError):
            self._drop()  # finish() reconnects and sends the whole transaction
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
                    self._complete(self._smtp, envelope_from, rcpts, data, before_accept)
                    return
                except smtplib.SMTPServerDisconnected:
                    self._drop()  # the server had closed the connection: start again on a new one
                except OSError as exc:
                    self._drop()
                    raise TransientDeliveryError(f"SMTP connection error: {exc!r}") from exc
            self._deliver(envelope_from, rcpts, data, before_accept)
        except _Abandoned as abandoned:
            raise abandoned.error from None  # the caller's own failure, not a delivery error

    def _deliver(self, envelope_from: str, rcpts: list[str], data: bytes,
                 before_accept: Callable[[], None] = lambda: None) -> None:
        for attempt in (1, 2):
            self.open()
            try:
                self._transaction(envelope_from, rcpts, data, before_accept)
                return
            except smtplib.SMTPServerDisconnected as exc:
                # the server closed the (idle) connection, or it broke
                # mid-transaction: reconnect once, then give up
                self._drop()
                if attempt == 2:
                    raise TransientDeliveryError(f"SMTP server disconnected: {exc}") from exc
            except OSError as exc:  # socket errors smtplib did not wrap
                self._drop()
                raise TransientDeliveryError(f"SMTP connection error: {exc!r}") from exc

    def _transaction(self, envelope_from: str, rcpts: list[str], data: bytes,
                     before_accept: Callable[[], None]) -> None:
        smtp = self._smtp
        assert smtp is not None
        mail_options: list[str] = []
        if not all(_is_ascii(a) for a in [envelope_from, *rcpts]):
            if not smtp.has_extn("smtputf8"):
                raise PermanentDeliveryError(
                    "non-ASCII envelope address but the server lacks SMTPUTF8", hard_bounce=False
                )
            mail_options.append("SMTPUTF8")
        if smtp.has_extn("pipelining"):
            smtp.send(self._envelope(smtp, envelope_from, rcpts, len(data), mail_options))
            self._complete(smtp, envelope_from, rcpts, data, before_accept)
            return
        _call(before_accept)  # smtplib sends the body and its end in one go
        try:
            refused = smtp.sendmail(envelope_from, rcpts, data, mail_options=mail_options)
        except smtplib.SMTPRecipientsRefused as exc:
            self._reset()
            raise self._recipients_error(exc.recipients, accepted=()) from exc
        except smtplib.SMTPSenderRefused as exc:
            self._reset()
            raise self._reply_error("sender refused", exc.smtp_code, exc.smtp_error, hard_bounce=False) from exc
        except smtplib.SMTPDataError as exc:
            self._reset()
            raise self._reply_error("message refused", exc.smtp_code, exc.smtp_error, hard_bounce=False) from exc
        except smtplib.SMTPServerDisconnected:
            raise
        except smtplib.SMTPResponseException as exc:  # e.g. SMTPHeloError
            self._reset()
            raise TransientDeliveryError(_text(exc.smtp_error), exc.smtp_code) from exc
        except smtplib.SMTPNotSupportedError as exc:
            self._reset()
            raise PermanentDeliveryError(str(exc), hard_bounce=False) from exc
        if refused:
            # delivered to some recipients, refused for others
            accepted = [r for r in rcpts if r not in refused]
            raise self._recipients_error(refused, accepted=accepted)

    @staticmethod
    def _envelope(smtp: smtplib.SMTP, envelope_from: str, rcpts: list[str], size: int,
                  mail_options: list[str]) -> bytes:
        """MAIL, RCPT… and DATA as one write (RFC 2920): the transaction then takes two round trips
        instead of four; over a WAN link to a relay that is most of the sending time."""
        options = list(mail_options)
        if smtp.has_extn("size"):
            options.append(f"SIZE={size}")
        suffix = "".join(" " + o for o in options)
        commands = [f"MAIL FROM:{smtplib.quoteaddr(envelope_from)}{suffix}\r\n"]
        commands += [f"RCPT TO:{smtplib.quoteaddr(r)}\r\n" for r in rcpts]
        commands.append("DATA\r\n")
        return "".join(commands).encode("utf-8")

    def _complete(self, smtp: smtplib.SMTP, envelope_from: str, rcpts: list[str], data: bytes,
                  before_accept: Callable[[], None]) -> None:
        """Read the replies to the pipelined envelope, send the body, run `before_accept`, then end
        the data and read the last reply."""
        # Every reply of the group is read before acting on any, so the stream stays in step.
        replies = [self._reply(smtp) for _ in range(len(rcpts) + 2)]
        mail, data_reply = replies[0], replies[-1]
        refused = {r: reply for r, reply in zip(rcpts, replies[1:-1]) if reply[0] not in (250, 251)}
        if data_reply[0] == 354 and (mail[0] != 250 or len(refused) == len(rcpts)):
            # The server took DATA although nothing can be delivered: end it with an empty body.
            smtp.send(b".\r\n")
            self._reply(smtp)
        if mail[0] != 250:
            self._reset()
            raise self._reply_error("sender refused", mail[0], mail[1], hard_bounce=False)
        if len(refused) == len(rcpts):
            self._reset()
            raise self._recipients_error(refused, accepted=())
        if data_reply[0] != 354:
            self._reset()
            raise self._reply_error("message refused", data_reply[0], data_reply[1], hard_bounce=False)
        body = _LEADING_DOT.sub(b"..", data)
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        smtp.send(body)
        try:
            _call(before_accept)
        except BaseException:
            self._drop()  # the data was never ended, so the server discards it
            raise
        smtp.send(b".\r\n")
        final = self._reply(smtp)
        if final[0] != 250:
            self._reset()
            raise self._reply_error("message refused", final[0], final[1], hard_bounce=False)
        self.pipelined_transactions += 1
        if refused:
            raise self._recipients_error(refused, accepted=[r for r in rcpts if r not in refused])

    def _reply(self, smtp: smtplib.SMTP) -> tuple[int, bytes]:
        """Read one reply; a 421 means the server is closing the session."""
        code, text = smtp.getreply()
        if code == 421:
            self._drop()
            raise TransientDeliveryError(_text(text), code)
        return code, text

    @staticmethod
    def _reply_error(what: str, code: int | None, resp, *, hard_bounce: bool) -> DeliveryError:
        reason = f"{what}: {_text(resp)}"
        if code in _SESSION_POLICY_CODES:
            # "authentication / STARTTLS required": our configuration is
            # wrong, not the message -- keep it for a later retry
            return TransientDeliveryError(reason, code)
        if code is not None and 500 <= code < 600:
            return PermanentDeliveryError(reason, code, hard_bounce=hard_bounce)
        return TransientDeliveryError(reason, code)

    @staticmethod
    def _recipients_error(refused: dict, *, accepted: Sequence[str]) -> DeliveryError:
        info = {str(r): (int(c), _text(t)) for r, (c, t) in refused.items()}
        permanent = {r: v for r, v in info.items() if 500 <= v[0] < 600}
        if permanent:
            rcpt, (code, text) = next(iter(permanent.items()))
            return PermanentDeliveryError(
                f"recipient refused: {rcpt}: {text}", code, hard_bounce=True, refused=info, accepted=accepted
            )
        rcpt, (code, text) = next(iter(info.items()))
        return TransientDeliveryError(f"recipient refused: {rcpt}: {text}", code, refused=info, accepted=accepted)
