"""RFC 2920 pipelining: MAIL FROM, RCPT TO and DATA go out in one write, then the body.

When the server offers PIPELINING (every mainstream MTA does) a message
costs two round trips instead of four; over a WAN link to a relay that is
most of the sending time.
"""

from __future__ import annotations

import re
import smtplib
from typing import Callable

from .smtp_errors import recipients_error, reply_error, run_before_accept
from .smtp_session import SmtpSession

__all__ = ["complete", "envelope_commands"]

# RFC 5321 4.5.2: a line of the body that starts with "." gets one more.
_LEADING_DOT = re.compile(rb"(?m)^\.")


def envelope_commands(smtp: smtplib.SMTP, envelope_from: str, rcpts: list[str], size: int,
                      mail_options: list[str]) -> bytes:
    """MAIL, RCPT… and DATA as the bytes of one write (SIZE announced when the server offers it)."""
    options = list(mail_options)
    if smtp.has_extn("size"):
        options.append(f"SIZE={size}")
    suffix = "".join(" " + o for o in options)
    commands = [f"MAIL FROM:{smtplib.quoteaddr(envelope_from)}{suffix}\r\n"]
    commands += [f"RCPT TO:{smtplib.quoteaddr(r)}\r\n" for r in rcpts]
    commands.append("DATA\r\n")
    return "".join(commands).encode("utf-8")


def complete(session: SmtpSession, rcpts: list[str], data: bytes,
             before_accept: Callable[[], None]) -> dict[str, tuple[int, bytes]]:
    """Read the replies to the pipelined envelope, send the body, run `before_accept`, then end
    the data and read the last reply.  Returns the recipients refused while the others accepted
    the message ({} when all did); raises the delivery error when nothing was delivered."""
    smtp = session.smtp
    # Every reply of the group is read before acting on any, so the stream stays in step.
    replies = [session.reply() for _ in range(len(rcpts) + 2)]
    mail, data_reply = replies[0], replies[-1]
    refused = {r: reply for r, reply in zip(rcpts, replies[1:-1]) if reply[0] not in (250, 251)}
    if data_reply[0] == 354 and (mail[0] != 250 or len(refused) == len(rcpts)):
        # The server took DATA although nothing can be delivered: end it with an empty body.
        smtp.send(b".\r\n")
        session.reply()
    if mail[0] != 250:
        session.reset()
        raise reply_error("sender refused", mail[0], mail[1], hard_bounce=False)
    if len(refused) == len(rcpts):
        session.reset()
        raise recipients_error(refused, accepted=())
    if data_reply[0] != 354:
        session.reset()
        raise reply_error("message refused", data_reply[0], data_reply[1], hard_bounce=False)
    body = _LEADING_DOT.sub(b"..", data)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    smtp.send(body)
    try:
        run_before_accept(before_accept)
    except BaseException:
        session.drop()  # the data was never ended, so the server discards it
        raise
    smtp.send(b".\r\n")
    final = session.reply()
    if final[0] != 250:
        session.reset()
        raise reply_error("message refused", final[0], final[1], hard_bounce=False)
    return refused
