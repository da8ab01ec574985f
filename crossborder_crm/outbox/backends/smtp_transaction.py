"""One SMTP mail transaction: the envelope (pipelined per RFC 2920 or one command at a time), the
body, and the end of the data, after which a lost reply is an unknown outcome, never a resend.

With PIPELINING (every mainstream MTA offers it) MAIL, RCPT and DATA go out in one write: two
round trips a message instead of four, most of the sending time over a WAN link to a relay.
"""

from __future__ import annotations

import re
import smtplib

from crossborder_crm.ops.logging_setup import mask_email

from .base import OutcomeUnknown
from .smtp_errors import recipients_error, reply_error
from .smtp_session import SmtpSession

__all__ = ["complete", "envelope_commands", "stepwise", "utf8_needed_for"]

# RFC 5321 4.5.2: a line of the body that starts with "." gets one more.
_LEADING_DOT = re.compile(rb"(?m)^\.")

Reply = tuple[int, bytes]


def utf8_needed_for(envelope_from: str, rcpts: list[str], data: bytes) -> str | None:
    """What makes this message need SMTPUTF8 (RFC 6531), masked for error texts; None: it is ASCII."""
    for address in (*rcpts, envelope_from):
        if not address.isascii():
            return mask_email(address)
    end = data.find(b"\r\n\r\n")
    if not (data if end < 0 else data[:end]).isascii():
        return "its UTF-8 header fields"
    return None


def envelope_commands(smtp: smtplib.SMTP, envelope_from: str, rcpts: list[str], size: int,
                      mail_options: list[str]) -> list[bytes]:
    """MAIL, RCPT… and DATA as bytes, one item a command (SIZE announced when the server offers it)."""
    options = list(mail_options)
    if smtp.has_extn("size"):
        options.append(f"SIZE={size}")
    suffix = "".join(" " + o for o in options)
    commands = [f"MAIL FROM:{smtplib.quoteaddr(envelope_from)}{suffix}\r\n"]
    commands += [f"RCPT TO:{smtplib.quoteaddr(r)}\r\n" for r in rcpts]
    commands.append("DATA\r\n")
    return [c.encode("utf-8") for c in commands]


def complete(session: SmtpSession, rcpts: list[str], data: bytes) -> dict[str, Reply]:
    """The rest of a transaction whose pipelined envelope was written: read its replies, then the data.
    Returns the recipients refused while the others accepted the message ({} when all did)."""
    # Every reply of the group is read before acting on any, so the stream stays in step.
    replies = [session.reply() for _ in range(len(rcpts) + 2)]
    mail, data_reply = replies[0], replies[-1]
    refused = {r: reply for r, reply in zip(rcpts, replies[1:-1]) if reply[0] not in (250, 251)}
    if data_reply[0] == 354 and (mail[0] != 250 or len(refused) == len(rcpts)):
        # The server took DATA although nothing can be delivered: end it with an empty body.
        session.smtp.send(b".\r\n")
        session.reply()
    _check_envelope(session, rcpts, mail, refused, data_reply)
    _data(session, data)
    return refused


def stepwise(session: SmtpSession, commands: list[bytes], rcpts: list[str], data: bytes) -> dict[str, Reply]:
    """A whole transaction one command at a time (a server without PIPELINING); as complete()."""
    smtp = session.smtp
    smtp.send(commands[0])
    mail = session.reply()
    _check_envelope(session, rcpts, mail, {}, (354, b""))
    refused = {}
    for rcpt, command in zip(rcpts, commands[1:-1]):
        smtp.send(command)
        reply = session.reply()
        if reply[0] not in (250, 251):
            refused[rcpt] = reply
    _check_envelope(session, rcpts, mail, refused, (354, b""))
    smtp.send(commands[-1])
    _check_envelope(session, rcpts, mail, refused, session.reply())
    _data(session, data)
    return refused


def _check_envelope(session: SmtpSession, rcpts: list[str], mail: Reply, refused: dict[str, Reply],
                    data_reply: Reply) -> None:
    """Raise the delivery error (connection reset for the next message) when nothing can be delivered."""
    if mail[0] != 250:
        session.reset()
        raise reply_error("sender refused", mail[0], mail[1], hard_bounce=False)
    if len(refused) == len(rcpts):
        session.reset()
        raise recipients_error(refused, accepted=())
    if data_reply[0] != 354:
        session.reset()
        raise reply_error("message refused", data_reply[0], data_reply[1], hard_bounce=False)


def _data(session: SmtpSession, data: bytes) -> None:
    """Send the body, end the data and read the verdict."""
    smtp = session.smtp
    body = _LEADING_DOT.sub(b"..", data)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    smtp.send(body)  # a failure here is before the end of the data: the server discards the message
    # From the first byte of the end of the data on, the server may have the message: a broken
    # connection or a timeout now is an unknown outcome, never a reason to send it again at once.
    try:
        smtp.send(b".\r\n")
        final = session.reply()
    except (smtplib.SMTPServerDisconnected, smtplib.SMTPResponseException, OSError) as exc:
        # (an SMTPResponseException here is a reply smtplib could not read: no verdict either)
        session.drop()
        raise OutcomeUnknown(str(exc) or type(exc).__name__) from exc
    if final[0] != 250:
        session.reset()
        raise reply_error("message refused", final[0], final[1], hard_bounce=False)
